import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.js";

/** Kinds of draft config resource the store holds. */
export type ResourceKind = "upstreams" | "routes" | "policies" | "consumers" | "certificates";

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
  last_nack: { version: number; code: string; message: string; resource: string; at: string } | null;
  first_seen_at: string;
  last_seen_at: string;
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
}

/** One audit log entry: who changed what through the admin API, with the state before and after. */
export interface AuditEntry {
  id: number;
  /** ISO 8601 time the change was answered. */
  at: string;
  /** Which admin token made it (never the token itself). */
  actor: { id: string; label: string; fingerprint: string };
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
export class Store {
  readonly #db: Database.Database;

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

  // --- draft resources -------------------------------------------------------

  listResources(kind: ResourceKind): StoredResource[] {
    const rows = this.#db
      .prepare("SELECT id, name, body, created_at, updated_at FROM resources WHERE kind = ? ORDER BY name")
      .all(kind) as Array<Omit<StoredResource, "body"> & { body: string }>;
    return rows.map((r) => ({ ...r, body: JSON.parse(r.body) }));
  }

  /** Finds a resource by id or by name. */
  getResource(kind: ResourceKind, idOrName: string): StoredResource | undefined {
    const r = this.#db
      .prepare(
        "SELECT id, name, body, created_at, updated_at FROM resources WHERE kind = ? AND (id = ? OR name = ?) LIMIT 1",
      )
      .get(kind, idOrName, idOrName) as (Omit<StoredResource, "body"> & { body: string }) | undefined;
    return r ? { ...r, body: JSON.parse(r.body) } : undefined;
  }

  /** Whether another resource of `kind` already uses `name`. */
  nameTaken(kind: ResourceKind, name: string, exceptId?: string): boolean {
    return (
      this.#db
        .prepare("SELECT 1 FROM resources WHERE kind = ? AND name = ? AND id != ?")
        .get(kind, name, exceptId ?? "") !== undefined
    );
  }

  insertResource(kind: ResourceKind, id: string, name: string, body: Record<string, unknown>): StoredResource {
    const t = now();
    this.#db
      .prepare("INSERT INTO resources (kind, id, name, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
      .run(kind, id, name, JSON.stringify(body), t, t);
    return { id, name, body, created_at: t, updated_at: t };
  }

  updateResource(kind: ResourceKind, id: string, name: string, body: Record<string, unknown>): void {
    this.#db
      .prepare("UPDATE resources SET name = ?, body = ?, updated_at = ? WHERE kind = ? AND id = ?")
      .run(name, JSON.stringify(body), now(), kind, id);
  }

  /** Deletes a resource; a consumer takes its credentials with it. */
  deleteResource(kind: ResourceKind, id: string): boolean {
    return this.transaction(() => {
      if (kind === "consumers") this.#db.prepare("DELETE FROM credentials WHERE consumer_id = ?").run(id);
      return this.#db.prepare("DELETE FROM resources WHERE kind = ? AND id = ?").run(kind, id).changes > 0;
    });
  }

  // --- consumer credentials --------------------------------------------------

  /** Credentials of one consumer (oldest first), or of every consumer when `consumerId` is omitted. */
  listCredentials(consumerId?: string): StoredCredential[] {
    const rows = (
      consumerId === undefined
        ? this.#db
            .prepare("SELECT id, consumer_id, type, body, created_at FROM credentials ORDER BY created_at, id")
            .all()
        : this.#db
            .prepare(
              "SELECT id, consumer_id, type, body, created_at FROM credentials WHERE consumer_id = ? ORDER BY created_at, id",
            )
            .all(consumerId)
    ) as Array<Omit<StoredCredential, "body"> & { body: string }>;
    return rows.map((r) => ({ ...r, body: JSON.parse(r.body) }));
  }

  getCredential(consumerId: string, id: string): StoredCredential | undefined {
    const r = this.#db
      .prepare("SELECT id, consumer_id, type, body, created_at FROM credentials WHERE consumer_id = ? AND id = ?")
      .get(consumerId, id) as (Omit<StoredCredential, "body"> & { body: string }) | undefined;
    return r ? { ...r, body: JSON.parse(r.body) } : undefined;
  }

  /** Whether a credential with this canonical identity exists (any consumer). */
  credentialIdentityTaken(identity: string): boolean {
    return this.#db.prepare("SELECT 1 FROM credentials WHERE identity = ?").get(identity) !== undefined;
  }

  insertCredential(c: StoredCredential, identity: string): void {
    this.#db
      .prepare("INSERT INTO credentials (id, consumer_id, type, body, identity, created_at) VALUES (?, ?, ?, ?, ?, ?)")
      .run(c.id, c.consumer_id, c.type, JSON.stringify(c.body), identity, c.created_at);
  }

  deleteCredential(consumerId: string, id: string): boolean {
    return this.#db.prepare("DELETE FROM credentials WHERE consumer_id = ? AND id = ?").run(consumerId, id).changes > 0;
  }

  // --- settings (a singleton draft resource) -----------------------------------

  /**
   * The draft's snapshot-wide settings (`{}` until set). Kept in the resources table under kind
   * `settings` (no migration needed), so they travel with the draft like any other resource.
   */
  getSettings(): Record<string, unknown> {
    const r = this.#db.prepare("SELECT body FROM resources WHERE kind = 'settings' AND id = 'global'").get() as
      | { body: string }
      | undefined;
    return r ? JSON.parse(r.body) : {};
  }

  /** Replaces the draft's settings. */
  putSettings(body: Record<string, unknown>): void {
    const t = now();
    this.#db
      .prepare(
        `INSERT INTO resources (kind, id, name, body, created_at, updated_at) VALUES ('settings', 'global', 'global', ?, ?, ?)
         ON CONFLICT(kind, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
      )
      .run(JSON.stringify(body), t, t);
  }

  // --- published versions ----------------------------------------------------

  latestVersion(): (VersionRow & { snapshot: Buffer }) | undefined {
    return this.#db
      .prepare("SELECT version, hash, message, created_at, snapshot FROM config_versions ORDER BY version DESC LIMIT 1")
      .get() as (VersionRow & { snapshot: Buffer }) | undefined;
  }

  getVersion(version: number): (VersionRow & { snapshot: Buffer }) | undefined {
    return this.#db
      .prepare("SELECT version, hash, message, created_at, snapshot FROM config_versions WHERE version = ?")
      .get(version) as (VersionRow & { snapshot: Buffer }) | undefined;
  }

  listVersions(limit: number): VersionRow[] {
    return this.#db
      .prepare("SELECT version, hash, message, created_at FROM config_versions ORDER BY version DESC LIMIT ?")
      .all(limit) as VersionRow[];
  }

  /** The number the next published version gets. */
  nextVersionNumber(): number {
    const r = this.#db.prepare("SELECT COALESCE(MAX(version), 0) + 1 AS n FROM config_versions").get() as {
      n: number;
    };
    return r.n;
  }

  insertVersion(row: VersionRow & { snapshot: Uint8Array }): void {
    this.#db
      .prepare("INSERT INTO config_versions (version, hash, snapshot, message, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(row.version, row.hash, Buffer.from(row.snapshot), row.message, row.created_at);
  }

  // --- fleet registry --------------------------------------------------------

  /** Records a node's hello: creates or refreshes it and marks it connected. */
  upsertNodeHello(h: NodeHelloFacts): void {
    const t = now();
    this.#db
      .prepare(
        `INSERT INTO nodes (id, region, labels, software_version, policy_types, connected, applied_version,
           applied_hash, first_seen_at, last_seen_at)
         VALUES (@id, @region, @labels, @sv, @pt, 1, @av, @ah, @t, @t)
         ON CONFLICT(id) DO UPDATE SET region = @region, labels = @labels, software_version = @sv,
           policy_types = @pt, connected = 1, applied_version = @av, applied_hash = @ah, last_seen_at = @t`,
      )
      .run({
        id: h.id,
        region: h.region,
        labels: JSON.stringify(h.labels),
        sv: h.softwareVersion,
        pt: JSON.stringify(h.policyTypes),
        av: h.appliedVersion,
        ah: h.appliedHash,
        t,
      });
  }

  recordAck(nodeId: string, version: number, hash: string): void {
    const t = now();
    this.#db
      .prepare("UPDATE nodes SET applied_version = ?, applied_hash = ?, last_ack_at = ?, last_seen_at = ? WHERE id = ?")
      .run(version, hash, t, t, nodeId);
  }

  recordNack(
    nodeId: string,
    nack: { version: number; runningVersion: number; code: string; message: string; resource: string },
  ): void {
    const t = now();
    this.#db
      .prepare(
        `UPDATE nodes SET last_nack_version = ?, last_nack_code = ?, last_nack_message = ?, last_nack_resource = ?,
           last_nack_at = ?, applied_version = ?, last_seen_at = ? WHERE id = ?`,
      )
      .run(nack.version, nack.code, nack.message, nack.resource, t, nack.runningVersion, t, nodeId);
  }

  setNodeConnected(nodeId: string, connected: boolean): void {
    this.#db
      .prepare("UPDATE nodes SET connected = ?, last_seen_at = ? WHERE id = ?")
      .run(connected ? 1 : 0, now(), nodeId);
  }

  /** At start-up no stream is open yet, whatever the last run recorded. */
  markAllNodesDisconnected(): void {
    this.#db.prepare("UPDATE nodes SET connected = 0 WHERE connected = 1").run();
  }

  getNode(id: string): NodeRow | undefined {
    const r = this.#db.prepare("SELECT * FROM nodes WHERE id = ?").get(id) as RawNode | undefined;
    return r ? toNodeRow(r) : undefined;
  }

  listNodes(): NodeRow[] {
    return (this.#db.prepare("SELECT * FROM nodes ORDER BY region, id").all() as RawNode[]).map(toNodeRow);
  }

  // --- audit log -------------------------------------------------------------

  /** Appends one audit entry (`before`/`after` already redacted, stored as JSON); returns its id. */
  insertAudit(e: Omit<AuditEntry, "id">): number {
    const r = this.#db
      .prepare(
        `INSERT INTO audit_log (at, actor_id, actor_label, actor_fingerprint, source, method, path, kind,
           resource_id, resource_name, status, before, after)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.at,
        e.actor.id,
        e.actor.label,
        e.actor.fingerprint,
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
    const rows = this.#db.prepare(sql).all(...args, q.limit) as RawAudit[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: { id: r.actor_id, label: r.actor_label, fingerprint: r.actor_fingerprint },
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

  // --- admin tokens ----------------------------------------------------------

  hasAdminTokens(): boolean {
    return this.#db.prepare("SELECT 1 FROM admin_tokens LIMIT 1").get() !== undefined;
  }

  insertAdminTokenHash(hash: string): void {
    this.#db.prepare("INSERT OR IGNORE INTO admin_tokens (hash, created_at) VALUES (?, ?)").run(hash, now());
  }

  adminTokenHashes(): string[] {
    return this.adminTokens().map((r) => r.hash);
  }

  /** Stored admin tokens (their sha256 hex, never the token), oldest first. */
  adminTokens(): Array<{ id: number; hash: string; created_at: string }> {
    return this.#db.prepare("SELECT id, hash, created_at FROM admin_tokens ORDER BY id").all() as Array<{
      id: number;
      hash: string;
      created_at: string;
    }>;
  }
}

interface RawAudit {
  id: number;
  at: string;
  actor_id: string;
  actor_label: string;
  actor_fingerprint: string;
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
  last_nack_message: string | null;
  last_nack_resource: string | null;
  last_nack_at: string | null;
  first_seen_at: string;
  last_seen_at: string;
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
            message: r.last_nack_message ?? "",
            resource: r.last_nack_resource ?? "",
            at: r.last_nack_at ?? "",
          },
    first_seen_at: r.first_seen_at,
    last_seen_at: r.last_seen_at,
  };
}
