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
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  insertJoinToken(row: Omit<JoinTokenRow, "used_at" | "used_by">): void {
    this.#store
      .prepare(
        "INSERT INTO join_tokens (id, hash, region, node_id, expires_at, created_at) VALUES (@id, @hash, @region, @node_id, @expires_at, @created_at)",
      )
      .run(row);
  }

  getJoinTokenByHash(hash: string): JoinTokenRow | undefined {
    return this.#store.prepare("SELECT * FROM join_tokens WHERE hash = ?").get(hash) as JoinTokenRow | undefined;
  }

  /** Marks a token used; false when it was used meanwhile (single use under concurrency). */
  useJoinToken(id: string, nodeId: string, at: string): boolean {
    return (
      this.#store
        .prepare("UPDATE join_tokens SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL")
        .run(at, nodeId, id).changes === 1
    );
  }

  listJoinTokens(): JoinTokenRow[] {
    return this.#store.prepare("SELECT * FROM join_tokens ORDER BY created_at DESC LIMIT 1000").all() as JoinTokenRow[];
  }

  insertNodeCert(row: Omit<NodeCertRow, "revoked_at">): void {
    this.#store
      .prepare(
        "INSERT INTO node_certificates (serial, node_id, region, not_after, issued_at) VALUES (@serial, @node_id, @region, @not_after, @issued_at)",
      )
      .run(row);
  }

  getNodeCert(serial: string): NodeCertRow | undefined {
    return this.#store.prepare("SELECT * FROM node_certificates WHERE serial = ?").get(serial) as
      | NodeCertRow
      | undefined;
  }

  /** Region of the node's latest certificate ("unknown" without one). */
  regionOf(nodeId: string): string {
    const r = this.#store
      .prepare("SELECT region FROM node_certificates WHERE node_id = ? ORDER BY issued_at DESC LIMIT 1")
      .get(nodeId) as { region: string } | undefined;
    return r?.region ?? "unknown";
  }

  /** Revokes every certificate issued to the node. @returns how many were revoked now */
  revokeNodeCerts(nodeId: string, at: string): number {
    return this.#store
      .prepare("UPDATE node_certificates SET revoked_at = ? WHERE node_id = ? AND revoked_at IS NULL")
      .run(at, nodeId).changes;
  }
}
