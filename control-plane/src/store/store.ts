import { gunzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.js";

/** Kinds of draft config resource the store holds. */
export type ResourceKind = "upstreams" | "routes" | "policies" | "consumers" | "certificates" | "rule-sets";

/** One stored draft resource. `body` is the resource's own fields (no id/name/timestamps). */
export interface StoredResource {
  id: string;
  name: string;
  body: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** One stored consumer credential. `body` holds the type's fields (an API key's hash, never the key). */
export interface StoredCredential {
  id: string;
  consumer_id: string;
  type: string;
  body: Record<string, unknown>;
  created_at: string;
}

/** One published config version's metadata. */
export interface VersionRow {
  version: number;
  hash: string;
  message: string;
  created_at: string;
}

/** A stored version with what sync needs: its features, touched keys and snapshot bytes. */
export interface StoredVersion extends VersionRow {
  /** Config features the version uses (policy types, resource kinds beyond the core ones). */
  features: string[];
  /** Resource keys (`routes/<id>`) changed or removed since the previous version; null = unknown. */
  touched: string[] | null;
  /** The encoded `palisade.config.v1.Snapshot` (decompressed). */
  snapshot: Buffer;
}

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

/** One audit log entry: who changed what through the admin API, with the state before and after. */
export interface AuditEntry {
  id: number;
  /** ISO 8601 time the change was answered. */
  at: string;
  /** Which admin token made it (never the token itself). */
  actor: { id: string; label: string; fingerprint: string; role?: string | null };
  /** `ui` when the web admin sent it (its own statement), otherwise `api`. */
  source: string;
  method: string;
  /** Request path (no query string). */
  path: string;
  /** Resource kind: the route's fixed segments after `/v1/` (`routes`, `config/versions`, `rollouts/pause`). */
  kind: string;
  resource_id: string | null;
  resource_name: string | null;
  /** HTTP status answered. */
  status: number;
  /** The resource as the API showed it before the change (secrets redacted), or null. */
  before: unknown;
  /** The API's answer to the change (secrets redacted), or null (e.g. after a delete). */
  after: unknown;
}

/** Filters of `listAudit`; every one optional. */
export interface AuditQuery {
  /** Kind, or a parent kind: `rollouts` matches `rollouts` and `rollouts/pause`. */
  kind?: string;
  /** Resource id or name. */
  resource?: string;
  /** Actor id (`env`, `1`). */
  actor?: string;
  /** Inclusive lower bound, ISO 8601. */
  since?: string;
  /** Exclusive upper bound, ISO 8601. */
  until?: string;
  /** Only entries with an id below this (the cursor of the next page). */
  beforeId?: number;
  /** At most this many, newest first. */
  limit: number;
}

const now = (): string => new Date().toISOString();

/**
 * The one place that owns SQL. better-sqlite3 with WAL; migrations run on open.
 * Every write is a single statement or a transaction, so a crash never leaves
 * half a change.
 */
/** Singleton draft resources: snapshot-wide settings (`/v1/settings`) and telemetry (`/v1/telemetry`). */
export type SettingsKind = "settings" | "telemetry" | "anomaly";

export class Store {
  readonly #db: Database.Database;
  /** `kind/id` of draft resources written by this process since the publisher last took them. */
  readonly #changes = new Set<string>();
  readonly #statements = new Map<string, Database.Statement>();

  /**
   * Opens (or creates) the database at `path` (`:memory:` for tests) and applies migrations.
   * @throws the SQLite error when the file cannot be opened or a migration fails.
   */
  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = NORMAL");
    this.#db.pragma("foreign_keys = ON");
    this.#db.pragma("busy_timeout = 5000");
    this.#migrate();
  }

  #migrate(): void {
    const current = this.#db.pragma("user_version", { simple: true }) as number;
    for (let i = current; i < MIGRATIONS.length; i++) {
      this.#db.transaction(() => {
        this.#db.exec(MIGRATIONS[i]!);
        this.#db.pragma(`user_version = ${i + 1}`);
      })();
    }
  }

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  close(): void {
    this.#db.close();
  }

  /** A prepared statement on this database, for the store's companions (identity-store.ts). */
  prepare(sql: string): Database.Statement {
    return this.#sql(sql);
  }

  /**
   * The statement of `sql`, prepared once and reused: preparing costs more than running a small
   * query (a 10,000-route sync prepared one statement per lookup).
   */
  #sql(sql: string): Database.Statement {
    let st = this.#statements.get(sql);
    if (!st) {
      st = this.#db.prepare(sql);
      this.#statements.set(sql, st);
    }
    return st;
  }

  // --- draft resources -------------------------------------------------------

  listResources(kind: ResourceKind): StoredResource[] {
    const rows = this.#sql(
      "SELECT id, name, body, created_at, updated_at FROM resources WHERE kind = ? ORDER BY name",
    ).all(kind) as Array<Omit<StoredResource, "body"> & { body: string }>;
    return rows.map((r) => ({ ...r, body: JSON.parse(r.body) }));
  }

  /** Finds a resource by id or by name. */
  getResource(kind: ResourceKind, idOrName: string): StoredResource | undefined {
    const r = this.#sql(
      "SELECT id, name, body, created_at, updated_at FROM resources WHERE kind = ? AND (id = ? OR name = ?) LIMIT 1",
    ).get(kind, idOrName, idOrName) as (Omit<StoredResource, "body"> & { body: string }) | undefined;
    return r ? { ...r, body: JSON.parse(r.body) } : undefined;
  }

  /** Whether another resource of `kind` already uses `name`. */
  nameTaken(kind: ResourceKind, name: string, exceptId?: string): boolean {
    return (
      this.#sql("SELECT 1 FROM resources WHERE kind = ? AND name = ? AND id != ?").get(kind, name, exceptId ?? "") !==
      undefined
    );
  }

  insertResource(kind: ResourceKind, id: string, name: string, body: Record<string, unknown>): StoredResource {
    this.#changes.add(`${kind}/${id}`);
    const t = now();
    this.#sql("INSERT INTO resources (kind, id, name, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)").run(
      kind,
      id,
      name,
      JSON.stringify(body),
      t,
      t,
    );
    return { id, name, body, created_at: t, updated_at: t };
  }

  updateResource(kind: ResourceKind, id: string, name: string, body: Record<string, unknown>): void {
    this.#changes.add(`${kind}/${id}`);
    this.#sql("UPDATE resources SET name = ?, body = ?, updated_at = ?, rev = rev + 1 WHERE kind = ? AND id = ?").run(
      name,
      JSON.stringify(body),
      now(),
      kind,
      id,
    );
  }

  /** Deletes a resource; a consumer takes its credentials with it. */
  deleteResource(kind: ResourceKind, id: string): boolean {
    this.#changes.add(`${kind}/${id}`);
    return this.transaction(() => {
      if (kind === "consumers") this.#sql("DELETE FROM credentials WHERE consumer_id = ?").run(id);
      return this.#sql("DELETE FROM resources WHERE kind = ? AND id = ?").run(kind, id).changes > 0;
    });
  }

  // --- consumer credentials --------------------------------------------------

  /** Credentials of one consumer (oldest first), or of every consumer when `consumerId` is omitted. */
  listCredentials(consumerId?: string): StoredCredential[] {
    const rows = (
      consumerId === undefined
        ? this.#sql("SELECT id, consumer_id, type, body, created_at FROM credentials ORDER BY created_at, id").all()
        : this.#sql(
            "SELECT id, consumer_id, type, body, created_at FROM credentials WHERE consumer_id = ? ORDER BY created_at, id",
          ).all(consumerId)
    ) as Array<Omit<StoredCredential, "body"> & { body: string }>;
    return rows.map((r) => ({ ...r, body: JSON.parse(r.body) }));
  }

  getCredential(consumerId: string, id: string): StoredCredential | undefined {
    const r = this.#sql(
      "SELECT id, consumer_id, type, body, created_at FROM credentials WHERE consumer_id = ? AND id = ?",
    ).get(consumerId, id) as (Omit<StoredCredential, "body"> & { body: string }) | undefined;
    return r ? { ...r, body: JSON.parse(r.body) } : undefined;
  }

  /** Whether a credential with this canonical identity exists (any consumer). */
  credentialIdentityTaken(identity: string): boolean {
    return this.#sql("SELECT 1 FROM credentials WHERE identity = ?").get(identity) !== undefined;
  }

  /** Adds a credential; its consumer's revision is bumped so the next publish re-encodes it. */
  insertCredential(c: StoredCredential, identity: string): void {
    this.#sql(
      "INSERT INTO credentials (id, consumer_id, type, body, identity, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(c.id, c.consumer_id, c.type, JSON.stringify(c.body), identity, c.created_at);
    this.#touchConsumer(c.consumer_id);
  }

  /** Removes a credential; its consumer's revision is bumped so the next publish re-encodes it. */
  deleteCredential(consumerId: string, id: string): boolean {
    const gone = this.#sql("DELETE FROM credentials WHERE consumer_id = ? AND id = ?").run(consumerId, id).changes > 0;
    if (gone) this.#touchConsumer(consumerId);
    return gone;
  }

  /** A consumer's credentials are part of its snapshot resource: a credential write changes it. */
  #touchConsumer(consumerId: string): void {
    this.#changes.add(`consumers/${consumerId}`);
    this.#sql("UPDATE resources SET rev = rev + 1 WHERE kind = 'consumers' AND id = ?").run(consumerId);
  }

  /**
   * `kind/id` of the draft resources this process wrote since `forgetChanges` (a write that was
   * rolled back may be listed: readers re-read each one). The publisher's incremental path.
   */
  changedResources(): string[] {
    return [...this.#changes];
  }

  /** Forgets changes the publisher has taken into a version. */
  forgetChanges(keys: Iterable<string>): void {
    for (const k of keys) this.#changes.delete(k);
  }

  /** Every draft resource's kind, id and revision (bumped on each update): what changed since a publish. */
  listResourceRevisions(): Array<{ kind: ResourceKind; id: string; rev: number }> {
    return this.#sql("SELECT kind, id, rev FROM resources").all() as Array<{
      kind: ResourceKind;
      id: string;
      rev: number;
    }>;
  }

  /** One draft resource by id, with its revision. */
  getResourceWithRevision(kind: ResourceKind, id: string): (StoredResource & { rev: number }) | undefined {
    const r = this.#sql(
      "SELECT id, name, body, created_at, updated_at, rev FROM resources WHERE kind = ? AND id = ?",
    ).get(kind, id) as (Omit<StoredResource, "body"> & { body: string; rev: number }) | undefined;
    return r ? { ...r, body: JSON.parse(r.body) } : undefined;
  }

  // --- settings (a singleton draft resource) -----------------------------------

  /**
   * The draft's snapshot-wide settings (`{}` until set). Kept in the resources table under kind
   * `settings` (no migration needed), so they travel with the draft like any other resource.
   */
  getSettings(kind: SettingsKind = "settings"): Record<string, unknown> {
    const r = this.#sql("SELECT body FROM resources WHERE kind = ? AND id = 'global'").get(kind) as
      | { body: string }
      | undefined;
    return r ? JSON.parse(r.body) : {};
  }

  /** Replaces the draft's settings (or the telemetry config, kind `telemetry`). */
  putSettings(body: Record<string, unknown>, kind: SettingsKind = "settings"): void {
    const t = now();
    this.#sql(
      `INSERT INTO resources (kind, id, name, body, created_at, updated_at) VALUES (?, 'global', 'global', ?, ?, ?)
         ON CONFLICT(kind, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
    ).run(kind, JSON.stringify(body), t, t);
  }

  // --- published versions ----------------------------------------------------

  latestVersion(): StoredVersion | undefined {
    const r = this.#sql(
      "SELECT version, hash, message, created_at, snapshot, features, touched, codec FROM config_versions ORDER BY version DESC LIMIT 1",
    ).get() as RawVersion | undefined;
    return r ? toStoredVersion(r) : undefined;
  }

  getVersion(version: number): StoredVersion | undefined {
    const r = this.#sql(
      "SELECT version, hash, message, created_at, snapshot, features, touched, codec FROM config_versions WHERE version = ?",
    ).get(version) as RawVersion | undefined;
    return r ? toStoredVersion(r) : undefined;
  }

  /** Whether version `version` was published (no snapshot read). */
  hasVersion(version: number): boolean {
    return this.#sql("SELECT 1 FROM config_versions WHERE version = ?").get(version) !== undefined;
  }

  /** Versions newest first, at most `limit`, older than `before` when given. */
  listVersions(limit: number, before = Number.MAX_SAFE_INTEGER): VersionRow[] {
    return this.#sql(
      "SELECT version, hash, message, created_at FROM config_versions WHERE version < ? ORDER BY version DESC LIMIT ?",
    ).all(before, limit) as VersionRow[];
  }

  /** Metadata (no snapshot) of the versions after `after`, oldest first: the delta history. */
  versionsAfter(after: number): Array<Omit<StoredVersion, "snapshot">> {
    const rows = this.#sql(
      "SELECT version, hash, message, created_at, features, touched FROM config_versions WHERE version > ? ORDER BY version",
    ).all(after) as Array<Omit<RawVersion, "snapshot" | "codec">>;
    return rows.map((r) => ({
      version: r.version,
      hash: r.hash,
      message: r.message,
      created_at: r.created_at,
      features: JSON.parse(r.features),
      touched: r.touched === null ? null : JSON.parse(r.touched),
    }));
  }

  /** The number the next published version gets. */
  nextVersionNumber(): number {
    const r = this.#sql("SELECT COALESCE(MAX(version), 0) + 1 AS n FROM config_versions").get() as {
      n: number;
    };
    return r.n;
  }

  /**
   * Stores a version, its snapshot uncompressed (a few ms for a 10,000-route config): the
   * publisher compresses it afterwards, off the publish path ({@link compressVersion}).
   */
  insertVersion(row: Omit<StoredVersion, "snapshot"> & { snapshot: Uint8Array }): void {
    this.#sql(
      "INSERT INTO config_versions (version, hash, snapshot, message, created_at, features, touched, codec) VALUES (?, ?, ?, ?, ?, ?, ?, 'proto')",
    ).run(
      row.version,
      row.hash,
      Buffer.from(row.snapshot.buffer, row.snapshot.byteOffset, row.snapshot.byteLength),
      row.message,
      row.created_at,
      JSON.stringify(row.features),
      row.touched === null ? null : JSON.stringify(row.touched),
    );
  }

  /**
   * Replaces a version's snapshot by its gzip form (config compresses ~10x, which keeps 1,000
   * versions of a 10,000-route config near 100 MB). Ignored once the store is closed.
   */
  compressVersion(version: number, gzipped: Uint8Array): void {
    if (!this.#db.open) return;
    this.#sql(
      "UPDATE config_versions SET snapshot = ?, codec = 'proto+gzip' WHERE version = ? AND codec = 'proto'",
    ).run(Buffer.from(gzipped.buffer, gzipped.byteOffset, gzipped.byteLength), version);
  }

  // --- fleet registry --------------------------------------------------------

  /** Records a node's hello: creates or refreshes it and marks it connected. */
  upsertNodeHello(h: NodeHelloFacts): void {
    const t = now();
    this.#sql(
      `INSERT INTO nodes (id, region, labels, software_version, policy_types, connected, applied_version,
           applied_hash, first_seen_at, last_seen_at, features, report_interval_ms, cert_serial, cert_not_after)
         VALUES (@id, @region, @labels, @sv, @pt, 1, @av, @ah, @t, @t, @features, @ri, @serial, @notAfter)
         ON CONFLICT(id) DO UPDATE SET region = @region, labels = @labels, software_version = @sv,
           policy_types = @pt, connected = 1, applied_version = @av, applied_hash = @ah, last_seen_at = @t,
           features = @features, report_interval_ms = @ri, cert_serial = @serial, cert_not_after = @notAfter`,
    ).run({
      id: h.id,
      region: h.region,
      labels: JSON.stringify(h.labels),
      sv: h.softwareVersion,
      pt: JSON.stringify(h.policyTypes),
      av: h.appliedVersion,
      ah: h.appliedHash,
      t,
      features: JSON.stringify(h.features),
      ri: h.reportIntervalMs,
      serial: h.certSerial,
      notAfter: h.certNotAfter,
    });
  }

  recordAck(nodeId: string, version: number, hash: string): void {
    const t = now();
    this.#sql(
      "UPDATE nodes SET applied_version = ?, applied_hash = ?, last_ack_at = ?, last_seen_at = ? WHERE id = ?",
    ).run(version, hash, t, t, nodeId);
  }

  recordNack(
    nodeId: string,
    nack: {
      version: number;
      runningVersion: number;
      code: string;
      kind: NackKind;
      message: string;
      resource: string;
    },
  ): void {
    const t = now();
    this.#sql(
      `UPDATE nodes SET last_nack_version = ?, last_nack_code = ?, last_nack_kind = ?, last_nack_message = ?,
           last_nack_resource = ?, last_nack_at = ?, applied_version = ?, last_seen_at = ? WHERE id = ?`,
    ).run(nack.version, nack.code, nack.kind, nack.message, nack.resource, t, nack.runningVersion, t, nodeId);
  }

  /**
   * Forgets a node's last NACK (an operator's resync): the version it refused may be sent to it
   * again, and rollouts no longer count it as refused. The audit log keeps what it was.
   */
  clearNodeNack(nodeId: string): void {
    this.#sql(
      `UPDATE nodes SET last_nack_version = NULL, last_nack_code = NULL, last_nack_kind = NULL,
           last_nack_message = NULL, last_nack_resource = NULL, last_nack_at = NULL WHERE id = ?`,
    ).run(nodeId);
  }

  /** Records which version a node is not sent for lack of features (null: none blocked). */
  setNodeBlocked(nodeId: string, blocked: { version: number; missing: string[] } | null): void {
    this.#sql("UPDATE nodes SET blocked_version = ?, blocked_missing = ? WHERE id = ?").run(
      blocked?.version ?? null,
      blocked ? JSON.stringify(blocked.missing) : null,
      nodeId,
    );
  }

  /**
   * Marks a node revoked (kept in the inventory, refused from then on). A node that joined but
   * never connected gets a row, so that the id stays refused until the node is deleted.
   */
  markNodeRevoked(nodeId: string, region = "unknown"): void {
    const t = now();
    this.#sql(
      `INSERT INTO nodes (id, region, connected, first_seen_at, last_seen_at, revoked_at) VALUES (?, ?, 0, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET revoked_at = COALESCE(revoked_at, excluded.revoked_at), connected = 0`,
    ).run(nodeId, region, t, t, t);
  }

  /** Removes a node from the inventory. */
  deleteNode(nodeId: string): boolean {
    return this.#sql("DELETE FROM nodes WHERE id = ?").run(nodeId).changes > 0;
  }

  /** Refreshes `last_seen_at` (any message on the stream counts). */
  touchNode(nodeId: string): void {
    this.#sql("UPDATE nodes SET last_seen_at = ? WHERE id = ?").run(now(), nodeId);
  }

  setNodeConnected(nodeId: string, connected: boolean): void {
    this.#sql("UPDATE nodes SET connected = ?, last_seen_at = ? WHERE id = ?").run(connected ? 1 : 0, now(), nodeId);
  }

  /** At start-up no stream is open yet, whatever the last run recorded. */
  markAllNodesDisconnected(): void {
    this.#sql("UPDATE nodes SET connected = 0 WHERE connected = 1").run();
  }

  getNode(id: string): NodeRow | undefined {
    const r = this.#sql("SELECT * FROM nodes WHERE id = ?").get(id) as RawNode | undefined;
    return r ? toNodeRow(r) : undefined;
  }

  listNodes(): NodeRow[] {
    return (this.#sql("SELECT * FROM nodes ORDER BY region, id").all() as RawNode[]).map(toNodeRow);
  }

  // --- audit log -------------------------------------------------------------

  /** Appends one audit entry (`before`/`after` already redacted, stored as JSON); returns its id. */
  insertAudit(e: Omit<AuditEntry, "id">): number {
    const r = this.#sql(
      `INSERT INTO audit_log (at, actor_id, actor_label, actor_fingerprint, actor_role, source, method, path, kind,
           resource_id, resource_name, status, before, after)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      e.at,
      e.actor.id,
      e.actor.label,
      e.actor.fingerprint,
      e.actor.role ?? null,
      e.source,
      e.method,
      e.path,
      e.kind,
      e.resource_id,
      e.resource_name,
      e.status,
      e.before === null || e.before === undefined ? null : JSON.stringify(e.before),
      e.after === null || e.after === undefined ? null : JSON.stringify(e.after),
    );
    return Number(r.lastInsertRowid);
  }

  /** Audit entries matching `q`, newest first. */
  listAudit(q: AuditQuery): AuditEntry[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.kind) {
      where.push("(kind = ? OR kind LIKE ? ESCAPE '\\')");
      args.push(q.kind, `${q.kind.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`);
    }
    if (q.resource) {
      where.push("(resource_id = ? OR resource_name = ?)");
      args.push(q.resource, q.resource);
    }
    if (q.actor) {
      where.push("actor_id = ?");
      args.push(q.actor);
    }
    if (q.since) {
      where.push("at >= ?");
      args.push(q.since);
    }
    if (q.until) {
      where.push("at < ?");
      args.push(q.until);
    }
    if (q.beforeId !== undefined) {
      where.push("id < ?");
      args.push(q.beforeId);
    }
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
    const rows = this.#sql(sql).all(...args, q.limit) as RawAudit[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: { id: r.actor_id, label: r.actor_label, fingerprint: r.actor_fingerprint, role: r.actor_role },
      source: r.source,
      method: r.method,
      path: r.path,
      kind: r.kind,
      resource_id: r.resource_id,
      resource_name: r.resource_name,
      status: r.status,
      before: r.before === null ? null : JSON.parse(r.before),
      after: r.after === null ? null : JSON.parse(r.after),
    }));
  }
}

interface RawAudit {
  id: number;
  at: string;
  actor_id: string;
  actor_label: string;
  actor_fingerprint: string;
  actor_role: string | null;
  source: string;
  method: string;
  path: string;
  kind: string;
  resource_id: string | null;
  resource_name: string | null;
  status: number;
  before: string | null;
  after: string | null;
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

interface RawVersion {
  version: number;
  hash: string;
  message: string;
  created_at: string;
  snapshot: Buffer;
  features: string;
  touched: string | null;
  codec: string;
}

function toStoredVersion(r: RawVersion): StoredVersion {
  return {
    version: r.version,
    hash: r.hash,
    message: r.message,
    created_at: r.created_at,
    features: JSON.parse(r.features),
    touched: r.touched === null ? null : JSON.parse(r.touched),
    snapshot: r.codec === "proto+gzip" ? gunzipSync(r.snapshot) : r.snapshot,
  };
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
