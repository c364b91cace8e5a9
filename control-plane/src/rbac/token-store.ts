import type { Store } from "../store/store.js";

/** Where a token came from: the first start, the API, or an OIDC sign-in to the web admin. */
export type TokenSource = "bootstrap" | "api" | "oidc";

/** An API token as stored: only the sha256 of its secret is kept. */
export interface TokenRow {
  id: number;
  name: string;
  role: string;
  /** Regions its node and rollout operations are limited to; empty: every region. */
  regions: string[];
  /** Route path prefixes its route edits are limited to; empty: every route. */
  route_prefixes: string[];
  hash: string;
  /** The hash of the secret before its last rotation (answers 401 TOKEN_REVOKED, not "unknown"). */
  previous_hash: string | null;
  source: TokenSource;
  /** OIDC: the `sub` it was issued to. */
  subject: string | null;
  created_at: string;
  created_by: string | null;
  expires_at: string | null;
  rotated_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** A custom role: a name and its permissions (`routes:write`, `policies/jwt:write`, …). */
export interface RoleRow {
  name: string;
  description: string;
  permissions: string[];
  created_at: string;
  updated_at: string;
}

interface RawToken extends Omit<TokenRow, "regions" | "route_prefixes"> {
  regions: string;
  route_prefixes: string;
}

const toToken = (r: RawToken): TokenRow => ({
  ...r,
  regions: JSON.parse(r.regions),
  route_prefixes: JSON.parse(r.route_prefixes),
});

/**
 * SQL of API tokens and custom roles (migration 7) on the store's database, beside store.ts as
 * identity-store.ts and rollout-store.ts are.
 */
export class TokenStore {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => T): T {
    return this.#store.transaction(fn);
  }

  /** Every token, oldest first (revoked ones included: they answer TOKEN_REVOKED). */
  list(): TokenRow[] {
    return (this.#store.prepare("SELECT * FROM api_tokens ORDER BY id").all() as RawToken[]).map(toToken);
  }

  get(id: number): TokenRow | undefined {
    const r = this.#store.prepare("SELECT * FROM api_tokens WHERE id = ?").get(id) as RawToken | undefined;
    return r ? toToken(r) : undefined;
  }

  /** Whether an unrevoked, unexpired token of role `admin` exists. */
  hasUsableAdmin(now: string): boolean {
    return (
      this.#store
        .prepare(
          "SELECT 1 FROM api_tokens WHERE role = 'admin' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?) LIMIT 1",
        )
        .get(now) !== undefined
    );
  }

  insert(row: Omit<TokenRow, "id" | "previous_hash" | "rotated_at" | "revoked_at" | "last_used_at">): TokenRow {
    const r = this.#store
      .prepare(
        `INSERT INTO api_tokens (name, role, regions, route_prefixes, hash, source, subject, created_at, created_by, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        row.name,
        row.role,
        JSON.stringify(row.regions),
        JSON.stringify(row.route_prefixes),
        row.hash,
        row.source,
        row.subject,
        row.created_at,
        row.created_by,
        row.expires_at,
      );
    return this.get(Number(r.lastInsertRowid))!;
  }

  /** Replaces a token's secret (its hash); the old hash is kept as `previous_hash`. */
  rotate(id: number, hash: string, at: string, expiresAt: string | null): void {
    this.#store
      .prepare(
        "UPDATE api_tokens SET previous_hash = hash, hash = ?, rotated_at = ?, expires_at = ? WHERE id = ? AND revoked_at IS NULL",
      )
      .run(hash, at, expiresAt, id);
  }

  revoke(id: number, at: string): void {
    this.#store.prepare("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?").run(at, id);
  }

  /** Records when a token was last used (at most once a minute per token, by the caller). */
  touch(id: number, at: string): void {
    this.#store.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(at, id);
  }

  /** Tokens of a role that are not revoked (a role in use cannot be deleted). */
  activeWithRole(role: string): number {
    return (
      this.#store.prepare("SELECT COUNT(*) AS n FROM api_tokens WHERE role = ? AND revoked_at IS NULL").get(role) as {
        n: number;
      }
    ).n;
  }

  roles(): RoleRow[] {
    return (
      this.#store.prepare("SELECT * FROM roles ORDER BY name").all() as Array<
        Omit<RoleRow, "permissions"> & {
          permissions: string;
        }
      >
    ).map((r) => ({ ...r, permissions: JSON.parse(r.permissions) }));
  }

  role(name: string): RoleRow | undefined {
    return this.roles().find((r) => r.name === name);
  }

  putRole(r: Omit<RoleRow, "created_at" | "updated_at">, at: string): void {
    this.#store
      .prepare(
        `INSERT INTO roles (name, description, permissions, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET description = excluded.description, permissions = excluded.permissions,
           updated_at = excluded.updated_at`,
      )
      .run(r.name, r.description, JSON.stringify(r.permissions), at, at);
  }

  deleteRole(name: string): boolean {
    return this.#store.prepare("DELETE FROM roles WHERE name = ?").run(name).changes > 0;
  }
}
