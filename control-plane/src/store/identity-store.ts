import type { SqlDb } from "./sql-db.js";
import type { Store } from "./store.js";

/** A join token as stored: only its sha256 is kept. */
export interface JoinTokenRow {
  id: string;
  hash: string;
  region: string;
  node_id: string | null;
  expires_at: string;
  created_at: string;
  used_at: string | null;
  used_by: string | null;
}

/** A client certificate issued to a node. */
export interface NodeCertRow {
  serial: string;
  node_id: string;
  region: string;
  not_after: string;
  issued_at: string;
  revoked_at: string | null;
}

/**
 * SQL of node identity (join tokens, issued certificates, revocation), on the store's database.
 * Kept beside store.ts so that file stays about config and the inventory.
 */
export class IdentityStore {
  readonly #db: SqlDb;

  constructor(store: Store) {
    this.#db = store.db;
  }

  async insertJoinToken(row: Omit<JoinTokenRow, "used_at" | "used_by">): Promise<void> {
    await this.#db.run(
      "INSERT INTO join_tokens (id, hash, region, node_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      [row.id, row.hash, row.region, row.node_id, row.expires_at, row.created_at],
    );
  }

  getJoinTokenByHash(hash: string): Promise<JoinTokenRow | undefined> {
    return this.#db.get<JoinTokenRow>("SELECT * FROM join_tokens WHERE hash = ?", [hash]);
  }

  /** Marks a token used; false when it was used meanwhile (single use under concurrency). */
  async useJoinToken(id: string, nodeId: string, at: string): Promise<boolean> {
    return (
      (await this.#db.run("UPDATE join_tokens SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL", [
        at,
        nodeId,
        id,
      ])) === 1
    );
  }

  listJoinTokens(): Promise<JoinTokenRow[]> {
    return this.#db.all<JoinTokenRow>("SELECT * FROM join_tokens ORDER BY created_at DESC LIMIT 1000");
  }

  async insertNodeCert(row: Omit<NodeCertRow, "revoked_at">): Promise<void> {
    await this.#db.run(
      "INSERT INTO node_certificates (serial, node_id, region, not_after, issued_at) VALUES (?, ?, ?, ?, ?)",
      [row.serial, row.node_id, row.region, row.not_after, row.issued_at],
    );
  }

  getNodeCert(serial: string): Promise<NodeCertRow | undefined> {
    return this.#db.get<NodeCertRow>("SELECT * FROM node_certificates WHERE serial = ?", [serial]);
  }

  /** Region of the node's latest certificate ("unknown" without one). */
  async regionOf(nodeId: string): Promise<string> {
    const r = await this.#db.get<{ region: string }>(
      "SELECT region FROM node_certificates WHERE node_id = ? ORDER BY issued_at DESC LIMIT 1",
      [nodeId],
    );
    return r?.region ?? "unknown";
  }

  /** Revokes every certificate issued to the node. @returns how many were revoked now */
  revokeNodeCerts(nodeId: string, at: string): Promise<number> {
    return this.#db.run("UPDATE node_certificates SET revoked_at = ? WHERE node_id = ? AND revoked_at IS NULL", [
      at,
      nodeId,
    ]);
  }
}
