import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { gunzipSync } from "node:zlib";
import { migrate } from "./migrations.js";
import { PgDb } from "./pg-db.js";
import { RECONNECTED, type SqlDb } from "./sql-db.js";
import { SqliteDb } from "./sqlite-db.js";

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

/** Where the store lives: a SQLite file (`:memory:` in tests) or a PostgreSQL URL (`postgres://…`). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** Options of {@link Store.open}. */
export interface StoreOpenOptions {
  /** Errors of idle PostgreSQL connections (the server went away), for the log. */
  readonly onIdleError?: (err: Error) => void;
}

/**
 * The one place that owns SQL, over either backend (sql-db.ts): SQLite (better-sqlite3, WAL; the
 * default) or PostgreSQL (`pg`). Every method returns a promise; every write is a single
 * statement or a transaction, so a crash never leaves half a change. Errors meaning the database
 * is down, unreachable or read-only are thrown as `StoreUnavailableError`.
 */
/** Singleton draft resources: snapshot-wide settings (`/v1/settings`) and telemetry (`/v1/telemetry`). */
export type SettingsKind = "settings" | "telemetry" | "anomaly";

export class Store {
  readonly #db: SqlDb;
  /** `kind/id` of draft resources written by this process since the publisher last took them. */
  readonly #changes = new Set<string>();
  #closed = false;
  /**
   * This control plane among those on the database (`host:pid:random`): recorded on the nodes
   * whose stream it holds, and the name of its liveness lease (replica-store.ts).
   */
  readonly instance = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;

  /** A store over an opened database whose schema is current (use {@link Store.open}). */
  constructor(db: SqlDb) {
    this.#db = db;
  }

  /**
   * Opens the database at `location` and applies migrations: a PostgreSQL URL
   * (`postgres://user@host:5432/db`), else a SQLite file path (created if missing; `:memory:`).
   * @throws StoreUnavailableError when it cannot be reached or opened; the migration's error when one fails.
   */
  static async open(location: string, opts: StoreOpenOptions = {}): Promise<Store> {
    const db: SqlDb = isPostgresUrl(location)
      ? new PgDb(location, opts.onIdleError ? { onIdleError: opts.onIdleError } : {})
      : new SqliteDb(location);
    try {
      await migrate(db);
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
    return new Store(db);
  }

  /** The database, for the store's companions (identity-store.ts, rollout-store.ts) and backups. */
  get db(): SqlDb {
    return this.#db;
  }

  /**
   * Whether other processes write this database too (PostgreSQL: replicas). The publisher then
   * compares every draft revision on publish instead of trusting this process's change list.
   */
  get shared(): boolean {
    return this.#db.dialect === "postgres";
  }

  /**
   * Calls `fn` when another control plane on this database published a version
   * (`"version"`), changed the stable version (`"stable"`), API tokens or roles (`"tokens"`), a
   * rollout (`"rollout"`: a transition, an operator's action, a node admitted), or
   * after the listening connection was lost and made again (`"reconnected"`: anything may have
   * been missed). PostgreSQL LISTEN/NOTIFY; SQLite has no other control plane and never calls it.
   * @returns stops listening
   */
  onChange(fn: (what: SharedChange | "reconnected") => void): Promise<() => Promise<void>> {
    const byChannel = new Map(Object.entries(CHANNELS).map(([what, ch]) => [ch, what as SharedChange]));
    return this.#db.listen(Object.values(CHANNELS), (channel, payload) =>
      fn(payload === RECONNECTED ? "reconnected" : (byChannel.get(channel) ?? "reconnected")),
    );
  }

  /** Tells the other control planes, at commit when in a transaction, that `what` changed. */
  notifyChange(what: SharedChange, payload: string): Promise<void> {
    return this.#db.notify(CHANNELS[what], payload);
  }

  /** Runs `fn` in one transaction: every store call of its async flow is part of it. */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.#db.transaction(fn);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.close();
  }

  // --- draft resources -------------------------------------------------------

  async listResources(kind: ResourceKind): Promise<StoredResource[]> {
    const rows = await this.#db.all<Omit<StoredResource, "body"> & { body: string }>(
      "SELECT id, name, body, created_at, updated_at FROM resources WHERE kind = ? ORDER BY name",
      [kind],
    );
    return rows.map((r) => ({ ...r, body: JSON.parse(r.body) }));
  }

  /** Finds a resource by id or by name. */
  async getResource(kind: ResourceKind, idOrName: string): Promise<StoredResource | undefined> {
    const r = await this.#db.get<Omit<StoredResource, "body"> & { body: string }>(
      "SELECT id, name, body, created_at, updated_at FROM resources WHERE kind = ? AND (id = ? OR name = ?) LIMIT 1",
      [kind, idOrName, idOrName],
    );
    return r ? { ...r, body: JSON.parse(r.body) } : undefined;
  }

  /** Whether another resource of `kind` already uses `name`. */
  async nameTaken(kind: ResourceKind, name: string, exceptId?: string): Promise<boolean> {
    return (
      (await this.#db.get("SELECT 1 AS x FROM resources WHERE kind = ? AND name = ? AND id != ?", [
        kind,
        name,
        exceptId ?? "",
      ])) !== undefined
    );
  }

  /**
   * Runs a write of draft resource `key` (`kind/id`): noted for the publisher's incremental path;
   * on a shared database in one transaction under the shared draft lock, logged in
   * `draft_changes` with this control plane as its writer (see {@link lockDraft}).
   */
  #draftWrite<T>(key: string, fn: () => Promise<T>): Promise<T> {
    this.#changes.add(key);
    if (!this.shared) return fn();
    return this.transaction(async () => {
      await this.#db.lockInTransaction(DRAFT_LOCK, "shared");
      const out = await fn();
      await this.#db.run("INSERT INTO draft_changes (writer) VALUES (?)", [this.instance]);
      return out;
    });
  }

  async insertResource(
    kind: ResourceKind,
    id: string,
    name: string,
    body: Record<string, unknown>,
  ): Promise<StoredResource> {
    const t = now();
    await this.#draftWrite(`${kind}/${id}`, () =>
      this.#db.run("INSERT INTO resources (kind, id, name, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", [
        kind,
        id,
        name,
        JSON.stringify(body),
        t,
        t,
      ]),
    );
    return { id, name, body, created_at: t, updated_at: t };
  }

  async updateResource(kind: ResourceKind, id: string, name: string, body: Record<string, unknown>): Promise<void> {
    await this.#draftWrite(`${kind}/${id}`, () =>
      this.#db.run("UPDATE resources SET name = ?, body = ?, updated_at = ?, rev = rev + 1 WHERE kind = ? AND id = ?", [
        name,
        JSON.stringify(body),
        now(),
        kind,
        id,
      ]),
    );
  }

  /** Deletes a resource; a consumer takes its credentials with it. */
  async deleteResource(kind: ResourceKind, id: string): Promise<boolean> {
    return this.#draftWrite(`${kind}/${id}`, () =>
      this.transaction(async () => {
        if (kind === "consumers") await this.#db.run("DELETE FROM credentials WHERE consumer_id = ?", [id]);
        return (await this.#db.run("DELETE FROM resources WHERE kind = ? AND id = ?", [kind, id])) > 0;
      }),
    );
  }

  // --- consumer credentials --------------------------------------------------

  /** Credentials of one consumer (oldest first), or of every consumer when `consumerId` is omitted. */
  async listCredentials(consumerId?: string): Promise<StoredCredential[]> {
    const rows = await (consumerId === undefined
      ? this.#db.all<Omit<StoredCredential, "body"> & { body: string }>(
          "SELECT id, consumer_id, type, body, created_at FROM credentials ORDER BY created_at, id",
        )
      : this.#db.all<Omit<StoredCredential, "body"> & { body: string }>(
          "SELECT id, consumer_id, type, body, created_at FROM credentials WHERE consumer_id = ? ORDER BY created_at, id",
          [consumerId],
        ));
    return rows.map((r) => ({ ...r, body: JSON.parse(r.body) }));
  }

  async getCredential(consumerId: string, id: string): Promise<StoredCredential | undefined> {
    const r = await this.#db.get<Omit<StoredCredential, "body"> & { body: string }>(
      "SELECT id, consumer_id, type, body, created_at FROM credentials WHERE consumer_id = ? AND id = ?",
      [consumerId, id],
    );
    return r ? { ...r, body: JSON.parse(r.body) } : undefined;
  }

  /** Whether a credential with this canonical identity exists (any consumer). */
  async credentialIdentityTaken(identity: string): Promise<boolean> {
    return (await this.#db.get("SELECT 1 AS x FROM credentials WHERE identity = ?", [identity])) !== undefined;
  }

  /** Adds a credential; its consumer's revision is bumped so the next publish re-encodes it. */
  async insertCredential(c: StoredCredential, identity: string): Promise<void> {
    await this.transaction(async () => {
      await this.#db.run(
        "INSERT INTO credentials (id, consumer_id, type, body, identity, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [c.id, c.consumer_id, c.type, JSON.stringify(c.body), identity, c.created_at],
      );
      await this.#touchConsumer(c.consumer_id);
    });
  }

  /** Removes a credential; its consumer's revision is bumped so the next publish re-encodes it. */
  async deleteCredential(consumerId: string, id: string): Promise<boolean> {
    return this.transaction(async () => {
      const gone =
        (await this.#db.run("DELETE FROM credentials WHERE consumer_id = ? AND id = ?", [consumerId, id])) > 0;
      if (gone) await this.#touchConsumer(consumerId);
      return gone;
    });
  }

  /** A consumer's credentials are part of its snapshot resource: a credential write changes it. */
  async #touchConsumer(consumerId: string): Promise<void> {
    await this.#draftWrite(`consumers/${consumerId}`, () =>
      this.#db.run("UPDATE resources SET rev = rev + 1 WHERE kind = 'consumers' AND id = ?", [consumerId]),
    );
  }

  /**
   * Inside the publish transaction on a shared database: waits for every draft write in flight
   * (they hold the draft lock shared, this takes it exclusive until the commit), then tells
   * whether another control plane wrote the draft after change `since` (or the log no longer
   * reaches back that far).
   * @returns the latest change number, and whether others wrote since `since`
   */
  async lockDraft(since: number): Promise<{ seq: number; others: boolean }> {
    await this.#db.lockInTransaction(DRAFT_LOCK);
    const r = await this.#db.get<{ seq: number | null; first: number | null; others: number | null }>(
      `SELECT MAX(seq) AS seq, MIN(seq) AS first,
         (SELECT 1 FROM draft_changes WHERE seq > ? AND writer <> ? LIMIT 1) AS others FROM draft_changes`,
      [since, this.instance],
    );
    const seq = r?.seq ?? 0;
    return { seq, others: r?.others === 1 || (r?.first != null && r.first > since + 1) };
  }

  /** Drops the draft log up to `keepAfter` (the oldest some control plane may still compare with). */
  async pruneDraftChanges(keepAfter: number): Promise<void> {
    await this.#db.run("DELETE FROM draft_changes WHERE seq <= ?", [keepAfter]);
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
  listResourceRevisions(): Promise<Array<{ kind: ResourceKind; id: string; rev: number }>> {
    return this.#db.all("SELECT kind, id, rev FROM resources");
  }

  /** One draft resource by id, with its revision. */
  async getResourceWithRevision(
    kind: ResourceKind,
    id: string,
  ): Promise<(StoredResource & { rev: number }) | undefined> {
    const r = await this.#db.get<Omit<StoredResource, "body"> & { body: string; rev: number }>(
      "SELECT id, name, body, created_at, updated_at, rev FROM resources WHERE kind = ? AND id = ?",
      [kind, id],
    );
    return r ? { ...r, body: JSON.parse(r.body) } : undefined;
  }

  /**
   * Draft resources by `kind/id` key, with their revisions, read in a few statements (500 ids
   * each) rather than one per resource: a full publish reads thousands.
   * @returns the found ones by key (a key deleted meanwhile is absent)
   */
  async getResourcesWithRevision(
    keys: ReadonlyArray<{ kind: ResourceKind; id: string }>,
  ): Promise<Map<string, StoredResource & { rev: number }>> {
    const byKind = new Map<ResourceKind, string[]>();
    for (const k of keys) {
      const ids = byKind.get(k.kind) ?? [];
      ids.push(k.id);
      byKind.set(k.kind, ids);
    }
    const out = new Map<string, StoredResource & { rev: number }>();
    for (const [kind, ids] of byKind)
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const rows = await this.#db.all<Omit<StoredResource, "body"> & { body: string; rev: number }>(
          `SELECT id, name, body, created_at, updated_at, rev FROM resources WHERE kind = ? AND id IN (${chunk.map(() => "?").join(", ")})`,
          [kind, ...chunk],
        );
        for (const r of rows) out.set(`${kind}/${r.id}`, { ...r, body: JSON.parse(r.body) });
      }
    return out;
  }

  // --- settings (a singleton draft resource) -----------------------------------

  /**
   * The draft's snapshot-wide settings (`{}` until set). Kept in the resources table under kind
   * `settings` (no migration needed), so they travel with the draft like any other resource.
   */
  async getSettings(kind: SettingsKind = "settings"): Promise<Record<string, unknown>> {
    const r = await this.#db.get<{ body: string }>("SELECT body FROM resources WHERE kind = ? AND id = 'global'", [
      kind,
    ]);
    return r ? JSON.parse(r.body) : {};
  }

  /** Replaces the draft's settings (or the telemetry config, kind `telemetry`). */
  async putSettings(body: Record<string, unknown>, kind: SettingsKind = "settings"): Promise<void> {
    const t = now();
    await this.#db.run(
      `INSERT INTO resources (kind, id, name, body, created_at, updated_at) VALUES (?, 'global', 'global', ?, ?, ?)
       ON CONFLICT(kind, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
      [kind, JSON.stringify(body), t, t],
    );
  }

  // --- published versions ----------------------------------------------------

  async latestVersion(): Promise<StoredVersion | undefined> {
    const r = await this.#db.get<RawVersion>(
      "SELECT version, hash, message, created_at, snapshot, features, touched, codec FROM config_versions ORDER BY version DESC LIMIT 1",
    );
    return r ? toStoredVersion(r) : undefined;
  }

  async getVersion(version: number): Promise<StoredVersion | undefined> {
    const r = await this.#db.get<RawVersion>(
      "SELECT version, hash, message, created_at, snapshot, features, touched, codec FROM config_versions WHERE version = ?",
      [version],
    );
    return r ? toStoredVersion(r) : undefined;
  }

  /** Whether version `version` was published (no snapshot read). */
  async hasVersion(version: number): Promise<boolean> {
    return (await this.#db.get("SELECT 1 AS x FROM config_versions WHERE version = ?", [version])) !== undefined;
  }

  /** Versions newest first, at most `limit`, older than `before` when given. */
  listVersions(limit: number, before = MAX_VERSION): Promise<VersionRow[]> {
    return this.#db.all<VersionRow>(
      "SELECT version, hash, message, created_at FROM config_versions WHERE version < ? ORDER BY version DESC LIMIT ?",
      [Math.min(before, MAX_VERSION), limit],
    );
  }

  /** Metadata (no snapshot) of the versions after `after`, oldest first: the delta history. */
  async versionsAfter(after: number): Promise<Array<Omit<StoredVersion, "snapshot">>> {
    const rows = await this.#db.all<Omit<RawVersion, "snapshot" | "codec">>(
      "SELECT version, hash, message, created_at, features, touched FROM config_versions WHERE version > ? ORDER BY version",
      [after],
    );
    return rows.map((r) => ({
      version: r.version,
      hash: r.hash,
      message: r.message,
      created_at: r.created_at,
      features: JSON.parse(r.features),
      touched: r.touched === null ? null : JSON.parse(r.touched),
    }));
  }

  /** The number of the latest version (0: none). */
  async latestVersionNumber(): Promise<number> {
    return (await this.#db.get<{ n: number }>("SELECT COALESCE(MAX(version), 0) AS n FROM config_versions"))!.n;
  }

  /**
   * Inside a transaction: waits until no other publisher (another replica on the same
   * PostgreSQL) is between reading the latest version and committing the next one, so two
   * publishes get two consecutive numbers in commit order. SQLite: its write lock does that.
   */
  lockPublish(): Promise<void> {
    return this.#db.lockInTransaction(PUBLISH_LOCK);
  }

  /**
   * Stores a version, its snapshot uncompressed (a few ms for a 10,000-route config): the
   * publisher compresses it afterwards, off the publish path ({@link compressVersion}).
   */
  async insertVersion(row: Omit<StoredVersion, "snapshot"> & { snapshot: Uint8Array }): Promise<void> {
    await this.#db.run(
      "INSERT INTO config_versions (version, hash, snapshot, message, created_at, features, touched, codec) VALUES (?, ?, ?, ?, ?, ?, ?, 'proto')",
      [
        row.version,
        row.hash,
        Buffer.from(row.snapshot.buffer, row.snapshot.byteOffset, row.snapshot.byteLength),
        row.message,
        row.created_at,
        JSON.stringify(row.features),
        row.touched === null ? null : JSON.stringify(row.touched),
      ],
    );
  }

  /**
   * Replaces a version's snapshot by its gzip form (config compresses ~10x, which keeps 1,000
   * versions of a 10,000-route config near 100 MB). Ignored once the store is closed.
   */
  async compressVersion(version: number, gzipped: Uint8Array): Promise<void> {
    if (this.#closed) return;
    await this.#db.run(
      "UPDATE config_versions SET snapshot = ?, codec = 'proto+gzip' WHERE version = ? AND codec = 'proto'",
      [Buffer.from(gzipped.buffer, gzipped.byteOffset, gzipped.byteLength), version],
    );
  }

  // --- fleet registry --------------------------------------------------------

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
        this.instance,
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
        this.instance,
        nodeId,
      ]);
    else
      await this.#db.run(
        "UPDATE nodes SET connected = 0, last_seen_at = ? WHERE id = ? AND (control_plane = ? OR control_plane IS NULL)",
        [now(), nodeId, this.instance],
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

  // --- audit log -------------------------------------------------------------

  /** Appends one audit entry (`before`/`after` already redacted, stored as JSON); returns its id. */
  async insertAudit(e: Omit<AuditEntry, "id">): Promise<number> {
    const r = await this.#db.get<{ id: number }>(
      `INSERT INTO audit_log (at, actor_id, actor_label, actor_fingerprint, actor_role, source, method, path, kind,
         resource_id, resource_name, status, before, after)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
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
      ],
    );
    return Number(r!.id);
  }

  /** Audit entries matching `q`, newest first. */
  async listAudit(q: AuditQuery): Promise<AuditEntry[]> {
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
    const rows = await this.#db.all<RawAudit>(sql, [...args, q.limit]);
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

/** Above every version number: versions are INTEGER (PostgreSQL: 32 bits) on both engines. */
const MAX_VERSION = 2_147_483_647;

/** What one control plane changes that the others on the database keep in memory. */
export type SharedChange = "version" | "stable" | "tokens" | "rollout";

/** NOTIFY channel of each shared change (PostgreSQL). */
const CHANNELS: Readonly<Record<SharedChange, string>> = {
  version: "palisade_version",
  stable: "palisade_stable",
  tokens: "palisade_tokens",
  rollout: "palisade_rollout",
};

/** Advisory lock key of publishing (PostgreSQL): "pal" + 2. */
const PUBLISH_LOCK = 0x70616c02;
/** Advisory lock key of draft writes (shared) against a publish's read of the draft (exclusive): "pal" + 4. */
const DRAFT_LOCK = 0x70616c04;

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
