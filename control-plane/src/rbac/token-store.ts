import type { SqlDb } from "../store/sql-db.js";
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
  readonly #db: SqlDb;

  constructor(store: Store) {
    this.#store = store;
    this.#db = store.db;
  }

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.#store.transaction(fn);
  }

  /** Every token, oldest first (revoked ones included: they answer TOKEN_REVOKED). */
  async list(): Promise<TokenRow[]> {
    return (await this.#db.all<RawToken>("SELECT * FROM api_tokens ORDER BY id")).map(toToken);
  }

  async get(id: number): Promise<TokenRow | undefined> {
    const r = await this.#db.get<RawToken>("SELECT * FROM api_tokens WHERE id = ?", [id]);
    return r ? toToken(r) : undefined;
  }

  /** Whether an unrevoked, unexpired token of role `admin` exists. */
  async hasUsableAdmin(now: string): Promise<boolean> {
    return (
      (await this.#db.get(
        "SELECT 1 AS x FROM api_tokens WHERE role = 'admin' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?) LIMIT 1",
        [now],
      )) !== undefined
    );
  }

  async insert(
    row: Omit<TokenRow, "id" | "previous_hash" | "rotated_at" | "revoked_at" | "last_used_at">,
  ): Promise<TokenRow> {
    const r = await this.#db.get<{ id: number }>(
      `INSERT INTO api_tokens (name, role, regions, route_prefixes, hash, source, subject, created_at, created_by, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
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
      ],
    );
    return (await this.get(Number(r!.id)))!;
  }

  /** Replaces a token's secret (its hash); the old hash is kept as `previous_hash`. */
  async rotate(id: number, hash: string, at: string, expiresAt: string | null): Promise<void> {
    await this.#db.run(
      "UPDATE api_tokens SET previous_hash = hash, hash = ?, rotated_at = ?, expires_at = ? WHERE id = ? AND revoked_at IS NULL",
      [hash, at, expiresAt, id],
    );
  }

  async revoke(id: number, at: string): Promise<void> {
    await this.#db.run("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", [at, id]);
  }

  /** Records when a token was last used (at most once a minute per token, by the caller). */
  async touch(id: number, at: string): Promise<void> {
    await this.#db.run("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", [at, id]);
  }

  /** Tokens of a role that are not revoked (a role in use cannot be deleted). */
  async activeWithRole(role: string): Promise<number> {
    const r = await this.#db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM api_tokens WHERE role = ? AND revoked_at IS NULL",
      [role],
    );
    return r?.n ?? 0;
  }

  async roles(): Promise<RoleRow[]> {
    return (
      await this.#db.all<Omit<RoleRow, "permissions"> & { permissions: string }>("SELECT * FROM roles ORDER BY name")
    ).map((r) => ({ ...r, permissions: JSON.parse(r.permissions) }));
  }

  async role(name: string): Promise<RoleRow | undefined> {
    return (await this.roles()).find((r) => r.name === name);
  }

  async putRole(r: Omit<RoleRow, "created_at" | "updated_at">, at: string): Promise<void> {
    await this.#db.run(
      `INSERT INTO roles (name, description, permissions, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET description = excluded.description, permissions = excluded.permissions,
         updated_at = excluded.updated_at`,
      [r.name, r.description, JSON.stringify(r.permissions), at, at],
    );
  }

  async deleteRole(name: string): Promise<boolean> {
    return (await this.#db.run("DELETE FROM roles WHERE name = ?", [name])) > 0;
  }
}
