import { createHash, randomBytes } from "node:crypto";
import { BUILTIN_ROLES, type Permission, parseGrant } from "./rbac/permissions.js";
import { type RoleRow, type TokenRow, type TokenSource, TokenStore } from "./rbac/token-store.js";
import type { Store } from "./store/store.js";

/** sha256 hex of a token. Admin tokens are 256-bit random values, so a fast hash is enough (as GitHub does). */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A new token secret: `pal_` + 43 base64url characters (256 random bits). */
function newSecret(): string {
  return `pal_${randomBytes(32).toString("base64url")}`;
}

/**
 * Who made an admin API call, as the audit log records it and authorization reads it: never the
 * token, only which token. `id` is `env` for the `PALISADE_ADMIN_TOKEN` token or the stored
 * token's number; `fingerprint` is the first 12 hex digits of the secret's sha256 (tells two env
 * tokens apart across a rotation, reveals nothing usable); `role` and its `grants`; `regions` and
 * `routePrefixes` bound the token's node/rollout operations and route edits (empty: unbounded).
 */
export interface AdminIdentity {
  id: string;
  label: string;
  fingerprint: string;
  role: string;
  grants: readonly Permission[];
  regions: readonly string[];
  routePrefixes: readonly string[];
}

/** Why a bearer token was refused: unknown, past its expiry, or revoked (a rotated secret counts as revoked). */
export type TokenRefusal = "ADMIN_AUTH_REQUIRED" | "TOKEN_EXPIRED" | "TOKEN_REVOKED";

/** What `create` takes. `ttlS` (seconds) and `expiresAt` (ISO 8601) are alternatives; neither: no expiry. */
export interface NewToken {
  name: string;
  role: string;
  regions?: readonly string[];
  routePrefixes?: readonly string[];
  ttlS?: number;
  expiresAt?: string;
  source?: TokenSource;
  subject?: string;
  createdBy?: string;
}

/** The role names that exist: the built-in ones and the custom roles. */
export type RoleInfo = RoleRow & { builtin: boolean };

/**
 * API tokens (issue 18). The token from `PALISADE_ADMIN_TOKEN` is an admin token accepted while
 * the variable is set and never stored; every other token is a row of `api_tokens` holding the
 * sha256 of its secret (looked up by hash: the secret is 256 random bits, so the lookup's timing
 * tells nothing), its role, its bounds, expiry, rotation and revocation. Custom roles are rows of
 * `roles`. Lookups read an in-memory index refreshed after every change made through this class.
 */
export class AdminTokens {
  readonly #tokens: TokenStore;
  readonly #store: Store;
  readonly #env: AdminIdentity | undefined;
  readonly #envHash: string | undefined;
  #byHash = new Map<string, TokenRow>();
  #byPreviousHash = new Map<string, TokenRow>();
  #roles = new Map<string, readonly Permission[]>();
  readonly #touched = new Map<number, number>();

  constructor(store: Store, envToken: string | undefined) {
    this.#store = store;
    this.#tokens = new TokenStore(store);
    if (envToken) {
      this.#envHash = hashToken(envToken);
      this.#env = {
        id: "env",
        label: "PALISADE_ADMIN_TOKEN",
        fingerprint: this.#envHash.slice(0, 12),
        role: "admin",
        grants: BUILTIN_ROLES.admin!.map(parseGrant),
        regions: [],
        routePrefixes: [],
      };
    }
    this.#roles = new Map(Object.entries(BUILTIN_ROLES).map(([n, g]) => [n, g.map(parseGrant)]));
  }

  /**
   * Reads the stored tokens and custom roles into the in-memory index (at start, and after
   * every change made through this class). Until then only the env token and built-in roles count.
   */
  async load(): Promise<void> {
    const tokens = await this.#tokens.list();
    const custom = await this.#tokens.roles();
    const byHash = new Map<string, TokenRow>();
    const byPreviousHash = new Map<string, TokenRow>();
    for (const t of tokens) {
      byHash.set(t.hash, t);
      if (t.previous_hash) byPreviousHash.set(t.previous_hash, t);
    }
    const roles = new Map(Object.entries(BUILTIN_ROLES).map(([n, g]) => [n, g.map(parseGrant)]));
    for (const r of custom) roles.set(r.name, r.permissions.map(parseGrant));
    this.#byHash = byHash;
    this.#byPreviousHash = byPreviousHash;
    this.#roles = roles;
  }

  /** After a change here: reloads the index and tells the other control planes on the database. */
  async #changed(): Promise<void> {
    await this.load();
    await this.#store.notifyChange("tokens", "").catch(() => {});
  }

  /**
   * Generates and stores the bootstrap admin token when none can be used yet (no env token, no
   * unrevoked, unexpired admin token stored).
   * @returns the new token, to print once; `undefined` when one already exists.
   */
  async ensure(): Promise<string | undefined> {
    await this.load();
    if (this.#env || (await this.#tokens.hasUsableAdmin(new Date().toISOString()))) return undefined;
    return (await this.create({ name: "bootstrap", role: "admin", source: "bootstrap" })).secret;
  }

  /**
   * Authenticates a bearer token.
   * @returns the identity, or why it is refused
   */
  authenticate(secret: string, now = Date.now()): { identity: AdminIdentity } | { refused: TokenRefusal } {
    const h = hashToken(secret);
    if (this.#env && h === this.#envHash) return { identity: this.#env };
    const t = this.#byHash.get(h);
    if (!t) return { refused: this.#byPreviousHash.has(h) ? "TOKEN_REVOKED" : "ADMIN_AUTH_REQUIRED" };
    if (t.revoked_at) return { refused: "TOKEN_REVOKED" };
    if (t.expires_at && Date.parse(t.expires_at) <= now) return { refused: "TOKEN_EXPIRED" };
    const grants = this.#roles.get(t.role);
    if (!grants) return { refused: "TOKEN_REVOKED" };
    if ((this.#touched.get(t.id) ?? 0) < now - 60_000) {
      this.#touched.set(t.id, now);
      // Bookkeeping off the request's path: a failed write only leaves last_used_at older.
      this.#tokens.touch(t.id, new Date(now).toISOString()).catch(() => {});
    }
    return {
      identity: {
        id: String(t.id),
        label: t.source === "bootstrap" ? `generated token #${t.id}` : t.name,
        fingerprint: t.hash.slice(0, 12),
        role: t.role,
        grants,
        regions: t.regions,
        routePrefixes: t.route_prefixes,
      },
    };
  }

  /** Which admin token `token` is, or `undefined` when it cannot be used. */
  identify(token: string): AdminIdentity | undefined {
    const r = this.authenticate(token);
    return "identity" in r ? r.identity : undefined;
  }

  /** Whether `token` is a usable token. */
  verify(token: string): boolean {
    return this.identify(token) !== undefined;
  }

  /** Whether a role exists (built-in or custom). */
  hasRole(name: string): boolean {
    return this.#roles.has(name);
  }

  /**
   * Stores a new token.
   * @returns the row and its secret (shown once)
   * @throws Error when the role does not exist (the API checks first)
   */
  async create(t: NewToken): Promise<{ row: TokenRow; secret: string }> {
    if (!this.#roles.has(t.role)) throw new Error(`no role ${t.role}`);
    const secret = newSecret();
    const now = new Date();
    const expires =
      t.expiresAt ?? (t.ttlS !== undefined ? new Date(now.getTime() + t.ttlS * 1000).toISOString() : null);
    const row = await this.#tokens.insert({
      name: t.name,
      role: t.role,
      regions: [...(t.regions ?? [])],
      route_prefixes: [...(t.routePrefixes ?? [])],
      hash: hashToken(secret),
      source: t.source ?? "api",
      subject: t.subject ?? null,
      created_at: now.toISOString(),
      created_by: t.createdBy ?? null,
      expires_at: expires,
    });
    await this.#changed();
    return { row, secret };
  }

  list(): Promise<TokenRow[]> {
    return this.#tokens.list();
  }

  get(id: number): Promise<TokenRow | undefined> {
    return this.#tokens.get(id);
  }

  /**
   * Gives a token a new secret; the old one answers 401 TOKEN_REVOKED from now on.
   * @param ttlS new lifetime from now (seconds); undefined keeps the expiry
   * @returns the new secret (shown once), or undefined when the token is unknown or revoked
   */
  async rotate(id: number, ttlS?: number): Promise<string | undefined> {
    const t = await this.#tokens.get(id);
    if (!t || t.revoked_at) return undefined;
    const secret = newSecret();
    const now = new Date();
    const expires = ttlS !== undefined ? new Date(now.getTime() + ttlS * 1000).toISOString() : t.expires_at;
    await this.#tokens.rotate(id, hashToken(secret), now.toISOString(), expires);
    await this.#changed();
    return secret;
  }

  /** Revokes a token (kept, so it answers 401 TOKEN_REVOKED). @returns false when unknown */
  async revoke(id: number): Promise<boolean> {
    if (!(await this.#tokens.get(id))) return false;
    await this.#tokens.revoke(id, new Date().toISOString());
    await this.#changed();
    return true;
  }

  /** Built-in and custom roles, built-in first. */
  async roles(): Promise<RoleInfo[]> {
    const at = "1970-01-01T00:00:00.000Z";
    return [
      ...Object.entries(BUILTIN_ROLES).map(([name, p]) => ({
        name,
        description: "built-in",
        permissions: [...p],
        created_at: at,
        updated_at: at,
        builtin: true,
      })),
      ...(await this.#tokens.roles()).map((r) => ({ ...r, builtin: false })),
    ];
  }

  /**
   * Creates or replaces a custom role.
   * @throws Error naming the grant at fault (index in `permissions`)
   */
  async putRole(name: string, description: string, permissions: readonly string[]): Promise<void> {
    permissions.forEach((p, i) => {
      try {
        parseGrant(p);
      } catch (err) {
        throw Object.assign(new Error((err as Error).message), { index: i });
      }
    });
    await this.#tokens.putRole({ name, description, permissions: [...permissions] }, new Date().toISOString());
    await this.#changed();
  }

  /** Tokens (not revoked) bound to a role. */
  roleUsers(name: string): Promise<number> {
    return this.#tokens.activeWithRole(name);
  }

  async deleteRole(name: string): Promise<boolean> {
    const gone = await this.#tokens.deleteRole(name);
    await this.#changed();
    return gone;
  }
}
