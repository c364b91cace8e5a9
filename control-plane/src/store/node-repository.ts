import type { SqlDb } from "./sql-db.js";

/** Who is to blame for a NACK: the config (the version is refused) or the node (it could not apply it). */
export type NackKind = "config" | "node_fault";

/** What the store keeps of a data-plane node. */
export interface NodeRow {
  id: string;
  region: string;
  labels: Record<string, string>;
  software_version: string;
  policy_types: string[];
  connected: boolean;
  applied_version: number;
  applied_hash: string;
  last_ack_at: string | null;
  /**
   * The last version the node refused: `kind` says who is to blame, `config` (the version is
   * refused; never re-sent to this node) or `node_fault` (the node could not apply it).
   */
  last_nack: {
    version: number;
    code: string;
    kind: NackKind;
    message: string;
    resource: string;
    at: string;
  } | null;
  first_seen_at: string;
  last_seen_at: string;
  /** Config features besides policy types the node's build compiles. */
  features: string[];
  /** The node's report (heartbeat) interval, ms; 0 before its first hello. */
  report_interval_ms: number;
  /** Set once the node is revoked: it is refused from then on. */
  revoked_at: string | null;
  /** The latest version the node is not sent because its build lacks features, and which. */
  blocked: { version: number; missing: string[] } | null;
  /** Serial (hex) and expiry of the client certificate it last connected with; null in insecure mode. */
  cert_serial: string | null;
  cert_not_after: string | null;
}

/** A node's identity as stated in its hello. */
export interface NodeHelloFacts {
  id: string;
  region: string;
  labels: Record<string, string>;
  softwareVersion: string;
  policyTypes: string[];
  appliedVersion: number;
  appliedHash: string;
  features: string[];
  reportIntervalMs: number;
  certSerial: string | null;
  certNotAfter: string | null;
}

const now = (): string => new Date().toISOString();

/**
 * SQL of the node inventory: what each data-plane node said in its hello, its ACKs and NACKs,
 * blocked versions, revocation, and which control plane holds its stream.
 */
export class NodeRepository {
  readonly #db: SqlDb;
  readonly #instance: string;

  /** @param instance this control plane's name among the replicas (`Store.instance`) */
  constructor(db: SqlDb, instance: string) {
    this.#db = db;
    this.#instance = instance;
  }

  /** Records a node's hello: creates or refreshes it and marks it connected. */
  async upsertNodeHello(h: NodeHelloFacts): Promise<void> {
    const t = now();
    await this.#db.run(
      `INSERT INTO nodes (id, region, labels, software_version, policy_types, connected, applied_version,
         applied_hash, first_seen_at, last_seen_at, features, report_interval_ms, cert_serial, cert_not_after,
         control_plane)
       VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET region = excluded.region, labels = excluded.labels,
         software_version = excluded.software_version, policy_types = excluded.policy_types, connected = 1,
         applied_version = excluded.applied_version, applied_hash = excluded.applied_hash,
         last_seen_at = excluded.last_seen_at, features = excluded.features,
         report_interval_ms = excluded.report_interval_ms, cert_serial = excluded.cert_serial,
         cert_not_after = excluded.cert_not_after, control_plane = excluded.control_plane`,
      [
        h.id,
        h.region,
        JSON.stringify(h.labels),
        h.softwareVersion,
        JSON.stringify(h.policyTypes),
        h.appliedVersion,
        h.appliedHash,
        t,
        t,
        JSON.stringify(h.features),
        h.reportIntervalMs,
        h.certSerial,
        h.certNotAfter,
        this.#instance,
      ],
    );
  }

  async recordAck(nodeId: string, version: number, hash: string): Promise<void> {
    const t = now();
    await this.#db.run(
      "UPDATE nodes SET applied_version = ?, applied_hash = ?, last_ack_at = ?, last_seen_at = ? WHERE id = ?",
      [version, hash, t, t, nodeId],
    );
  }

  async recordNack(
    nodeId: string,
    nack: {
      version: number;
      runningVersion: number;
      code: string;
      kind: NackKind;
      message: string;
      resource: string;
    },
  ): Promise<void> {
    const t = now();
    await this.#db.run(
      `UPDATE nodes SET last_nack_version = ?, last_nack_code = ?, last_nack_kind = ?, last_nack_message = ?,
         last_nack_resource = ?, last_nack_at = ?, applied_version = ?, last_seen_at = ? WHERE id = ?`,
      [nack.version, nack.code, nack.kind, nack.message, nack.resource, t, nack.runningVersion, t, nodeId],
    );
  }

  /**
   * Forgets a node's last NACK (an operator's resync): the version it refused may be sent to it
   * again, and rollouts no longer count it as refused. The audit log keeps what it was.
   */
  async clearNodeNack(nodeId: string): Promise<void> {
    await this.#db.run(
      `UPDATE nodes SET last_nack_version = NULL, last_nack_code = NULL, last_nack_kind = NULL,
         last_nack_message = NULL, last_nack_resource = NULL, last_nack_at = NULL WHERE id = ?`,
      [nodeId],
    );
  }

  /** Records which version a node is not sent for lack of features (null: none blocked). */
  async setNodeBlocked(nodeId: string, blocked: { version: number; missing: string[] } | null): Promise<void> {
    await this.#db.run("UPDATE nodes SET blocked_version = ?, blocked_missing = ? WHERE id = ?", [
      blocked?.version ?? null,
      blocked ? JSON.stringify(blocked.missing) : null,
      nodeId,
    ]);
  }

  /**
   * Marks a node revoked (kept in the inventory, refused from then on). A node that joined but
   * never connected gets a row, so that the id stays refused until the node is deleted.
   */
  async markNodeRevoked(nodeId: string, region = "unknown"): Promise<void> {
    const t = now();
    await this.#db.run(
      `INSERT INTO nodes (id, region, connected, first_seen_at, last_seen_at, revoked_at) VALUES (?, ?, 0, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET revoked_at = COALESCE(nodes.revoked_at, excluded.revoked_at), connected = 0`,
      [nodeId, region, t, t, t],
    );
  }

  /** Removes a node from the inventory. */
  async deleteNode(nodeId: string): Promise<boolean> {
    return (await this.#db.run("DELETE FROM nodes WHERE id = ?", [nodeId])) > 0;
  }

  /** Refreshes `last_seen_at` (any message on the stream counts). */
  async touchNode(nodeId: string): Promise<void> {
    await this.#db.run("UPDATE nodes SET last_seen_at = ? WHERE id = ?", [now(), nodeId]);
  }

  /**
   * Marks a node's stream open or closed. A close counts only while this control plane holds the
   * node's stream: a node that moved to another replica stays connected there.
   */
  async setNodeConnected(nodeId: string, connected: boolean): Promise<void> {
    if (connected)
      await this.#db.run("UPDATE nodes SET connected = 1, last_seen_at = ?, control_plane = ? WHERE id = ?", [
        now(),
        this.#instance,
        nodeId,
      ]);
    else
      await this.#db.run(
        "UPDATE nodes SET connected = 0, last_seen_at = ? WHERE id = ? AND (control_plane = ? OR control_plane IS NULL)",
        [now(), nodeId, this.#instance],
      );
  }

  /** At start-up no stream is open yet, whatever the last run recorded. */
  async markAllNodesDisconnected(): Promise<void> {
    await this.#db.run("UPDATE nodes SET connected = 0 WHERE connected = 1");
  }

  async getNode(id: string): Promise<NodeRow | undefined> {
    const r = await this.#db.get<RawNode>("SELECT * FROM nodes WHERE id = ?", [id]);
    return r ? toNodeRow(r) : undefined;
  }

  async listNodes(): Promise<NodeRow[]> {
    return (await this.#db.all<RawNode>("SELECT * FROM nodes ORDER BY region, id")).map(toNodeRow);
  }
}

interface RawNode {
  id: string;
  region: string;
  labels: string;
  software_version: string;
  policy_types: string;
  connected: number;
  applied_version: number;
  applied_hash: string;
  last_ack_at: string | null;
  last_nack_version: number | null;
  last_nack_code: string | null;
  last_nack_kind: string | null;
  last_nack_message: string | null;
  last_nack_resource: string | null;
  last_nack_at: string | null;
  first_seen_at: string;
  last_seen_at: string;
  features: string;
  report_interval_ms: number;
  revoked_at: string | null;
  blocked_version: number | null;
  blocked_missing: string | null;
  cert_serial: string | null;
  cert_not_after: string | null;
}

function toNodeRow(r: RawNode): NodeRow {
  return {
    id: r.id,
    region: r.region,
    labels: JSON.parse(r.labels),
    software_version: r.software_version,
    policy_types: JSON.parse(r.policy_types),
    connected: r.connected === 1,
    applied_version: r.applied_version,
    applied_hash: r.applied_hash,
    last_ack_at: r.last_ack_at,
    last_nack:
      r.last_nack_version === null
        ? null
        : {
            version: r.last_nack_version,
            code: r.last_nack_code ?? "",
            kind: r.last_nack_kind === "node_fault" ? "node_fault" : "config",
            message: r.last_nack_message ?? "",
            resource: r.last_nack_resource ?? "",
            at: r.last_nack_at ?? "",
          },
    first_seen_at: r.first_seen_at,
    last_seen_at: r.last_seen_at,
    features: JSON.parse(r.features),
    report_interval_ms: r.report_interval_ms,
    revoked_at: r.revoked_at,
    blocked:
      r.blocked_version === null
        ? null
        : { version: r.blocked_version, missing: JSON.parse(r.blocked_missing ?? "[]") },
    cert_serial: r.cert_serial,
    cert_not_after: r.cert_not_after,
  };
}
