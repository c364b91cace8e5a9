import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { AuditRepository } from "./audit-repository.js";
import { CredentialRepository } from "./credential-repository.js";
import { DraftLog } from "./draft-log.js";
import { migrate } from "./migrations.js";
import { NodeRepository } from "./node-repository.js";
import { PgDb } from "./pg-db.js";
import { ResourceRepository } from "./resource-repository.js";
import { RECONNECTED, type SqlDb } from "./sql-db.js";
import { SqliteDb } from "./sqlite-db.js";
import { VersionRepository } from "./version-repository.js";

// The shapes of the repositories, for the store's callers.
export type { AuditEntry, AuditQuery } from "./audit-repository.js";
export type { StoredCredential } from "./credential-repository.js";
export type { NackKind, NodeHelloFacts, NodeRow } from "./node-repository.js";
export type { ResourceKind, SettingsKind, StoredResource } from "./resource-repository.js";
export type { StoredVersion, VersionRow } from "./version-repository.js";

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
 * The control plane's database, over either backend (sql-db.ts): SQLite (better-sqlite3, WAL; the
 * default) or PostgreSQL (`pg`). It opens and migrates the database, runs transactions (every
 * store call of a flow joins its flow's transaction), tells the other control planes on the
 * database what changed, and holds one repository per concept, each the only owner of its SQL:
 * `resources` (the draft), `credentials`, `draftLog`, `versions`, `nodes`, `audit`; beside it,
 * on the same database, `RolloutStore`, `IdentityStore`, `ReplicaStore`, `SecurityEventStore`
 * and `TokenStore`. Every method returns a promise; every write is a single statement or a
 * transaction, so a crash never leaves half a change. Errors meaning the database is down,
 * unreachable or read-only are thrown as `StoreUnavailableError`.
 *
 * The methods below the repositories are the facade the store's callers use (one line each,
 * no SQL here); new code may call the repositories directly.
 */
export class Store {
  readonly #db: SqlDb;
  #closed = false;
  /**
   * This control plane among those on the database (`host:pid:random`): recorded on the nodes
   * whose stream it holds, and the name of its liveness lease (replica-store.ts).
   */
  readonly instance = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;

  /** Draft resources and the singleton settings. */
  readonly resources: ResourceRepository;
  /** Consumer credentials. */
  readonly credentials: CredentialRepository;
  /** Which draft resources changed since a publish (and, shared, by whom). */
  readonly draftLog: DraftLog;
  /** Published config versions. */
  readonly versions: VersionRepository;
  /** The node inventory. */
  readonly nodes: NodeRepository;
  /** The audit log. */
  readonly audit: AuditRepository;

  /** A store over an opened database whose schema is current (use {@link Store.open}). */
  constructor(db: SqlDb) {
    this.#db = db;
    this.draftLog = new DraftLog(db, this.instance);
    this.resources = new ResourceRepository(db, this.draftLog);
    this.credentials = new CredentialRepository(db, this.resources);
    this.versions = new VersionRepository(db, () => this.#closed);
    this.nodes = new NodeRepository(db, this.instance);
    this.audit = new AuditRepository(db);
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

  /** The database, for the store's companions (identity-store.ts, rollout-store.ts, …) and backups. */
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

  // --- resources (ResourceRepository) ---
  readonly listResources: ResourceRepository["listResources"] = (...a) => this.resources.listResources(...a);
  readonly getResource: ResourceRepository["getResource"] = (...a) => this.resources.getResource(...a);
  readonly nameTaken: ResourceRepository["nameTaken"] = (...a) => this.resources.nameTaken(...a);
  readonly insertResource: ResourceRepository["insertResource"] = (...a) => this.resources.insertResource(...a);
  readonly updateResource: ResourceRepository["updateResource"] = (...a) => this.resources.updateResource(...a);
  readonly deleteResource: ResourceRepository["deleteResource"] = (...a) => this.resources.deleteResource(...a);
  readonly listResourceRevisions: ResourceRepository["listResourceRevisions"] = (...a) =>
    this.resources.listResourceRevisions(...a);
  readonly getResourceWithRevision: ResourceRepository["getResourceWithRevision"] = (...a) =>
    this.resources.getResourceWithRevision(...a);
  readonly getResourcesWithRevision: ResourceRepository["getResourcesWithRevision"] = (...a) =>
    this.resources.getResourcesWithRevision(...a);
  readonly getSettings: ResourceRepository["getSettings"] = (...a) => this.resources.getSettings(...a);
  readonly putSettings: ResourceRepository["putSettings"] = (...a) => this.resources.putSettings(...a);

  // --- credentials (CredentialRepository) ---
  readonly listCredentials: CredentialRepository["listCredentials"] = (...a) => this.credentials.listCredentials(...a);
  readonly getCredential: CredentialRepository["getCredential"] = (...a) => this.credentials.getCredential(...a);
  readonly credentialIdentityTaken: CredentialRepository["credentialIdentityTaken"] = (...a) =>
    this.credentials.credentialIdentityTaken(...a);
  readonly insertCredential: CredentialRepository["insertCredential"] = (...a) =>
    this.credentials.insertCredential(...a);
  readonly deleteCredential: CredentialRepository["deleteCredential"] = (...a) =>
    this.credentials.deleteCredential(...a);

  // --- draftLog (DraftLog) ---
  readonly lockDraft: DraftLog["lockDraft"] = (...a) => this.draftLog.lockDraft(...a);
  readonly pruneDraftChanges: DraftLog["pruneDraftChanges"] = (...a) => this.draftLog.pruneDraftChanges(...a);
  readonly changedResources: DraftLog["changedResources"] = (...a) => this.draftLog.changedResources(...a);
  readonly forgetChanges: DraftLog["forgetChanges"] = (...a) => this.draftLog.forgetChanges(...a);

  // --- versions (VersionRepository) ---
  readonly latestVersion: VersionRepository["latestVersion"] = (...a) => this.versions.latestVersion(...a);
  readonly getVersion: VersionRepository["getVersion"] = (...a) => this.versions.getVersion(...a);
  readonly hasVersion: VersionRepository["hasVersion"] = (...a) => this.versions.hasVersion(...a);
  readonly listVersions: VersionRepository["listVersions"] = (...a) => this.versions.listVersions(...a);
  readonly versionsAfter: VersionRepository["versionsAfter"] = (...a) => this.versions.versionsAfter(...a);
  readonly latestVersionNumber: VersionRepository["latestVersionNumber"] = (...a) =>
    this.versions.latestVersionNumber(...a);
  readonly lockPublish: VersionRepository["lockPublish"] = (...a) => this.versions.lockPublish(...a);
  readonly insertVersion: VersionRepository["insertVersion"] = (...a) => this.versions.insertVersion(...a);
  readonly compressVersion: VersionRepository["compressVersion"] = (...a) => this.versions.compressVersion(...a);

  // --- nodes (NodeRepository) ---
  readonly upsertNodeHello: NodeRepository["upsertNodeHello"] = (...a) => this.nodes.upsertNodeHello(...a);
  readonly recordAck: NodeRepository["recordAck"] = (...a) => this.nodes.recordAck(...a);
  readonly recordNack: NodeRepository["recordNack"] = (...a) => this.nodes.recordNack(...a);
  readonly clearNodeNack: NodeRepository["clearNodeNack"] = (...a) => this.nodes.clearNodeNack(...a);
  readonly setNodeBlocked: NodeRepository["setNodeBlocked"] = (...a) => this.nodes.setNodeBlocked(...a);
  readonly markNodeRevoked: NodeRepository["markNodeRevoked"] = (...a) => this.nodes.markNodeRevoked(...a);
  readonly deleteNode: NodeRepository["deleteNode"] = (...a) => this.nodes.deleteNode(...a);
  readonly touchNode: NodeRepository["touchNode"] = (...a) => this.nodes.touchNode(...a);
  readonly setNodeConnected: NodeRepository["setNodeConnected"] = (...a) => this.nodes.setNodeConnected(...a);
  readonly markAllNodesDisconnected: NodeRepository["markAllNodesDisconnected"] = (...a) =>
    this.nodes.markAllNodesDisconnected(...a);
  readonly getNode: NodeRepository["getNode"] = (...a) => this.nodes.getNode(...a);
  readonly listNodes: NodeRepository["listNodes"] = (...a) => this.nodes.listNodes(...a);

  // --- audit (AuditRepository) ---
  readonly insertAudit: AuditRepository["insertAudit"] = (...a) => this.audit.insertAudit(...a);
  readonly listAudit: AuditRepository["listAudit"] = (...a) => this.audit.listAudit(...a);
}

/** What one control plane changes that the others on the database keep in memory. */
export type SharedChange = "version" | "stable" | "tokens" | "rollout";

/** NOTIFY channel of each shared change (PostgreSQL). */
const CHANNELS: Readonly<Record<SharedChange, string>> = {
  version: "palisade_version",
  stable: "palisade_stable",
  tokens: "palisade_tokens",
  rollout: "palisade_rollout",
};
