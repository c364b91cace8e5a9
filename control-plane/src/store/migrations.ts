import type { SqlDb } from "./sql-db.js";

/**
 * SQLite schema migrations, applied in order at start-up. `PRAGMA user_version` records
 * how many have run. Append only: never edit a migration that has shipped. Each one has its
 * PostgreSQL twin at the same index in {@link PG_MIGRATIONS}.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: draft resources, published versions, fleet registry, admin tokens.
  `
  CREATE TABLE resources (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, id),
    UNIQUE (kind, name)
  );
  CREATE TABLE config_versions (
    version INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    snapshot BLOB NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
  );
  CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    labels TEXT NOT NULL DEFAULT '{}',
    software_version TEXT NOT NULL DEFAULT '',
    policy_types TEXT NOT NULL DEFAULT '[]',
    connected INTEGER NOT NULL DEFAULT 0,
    applied_version INTEGER NOT NULL DEFAULT 0,
    applied_hash TEXT NOT NULL DEFAULT '',
    last_ack_at TEXT,
    last_nack_version INTEGER,
    last_nack_code TEXT,
    last_nack_message TEXT,
    last_nack_resource TEXT,
    last_nack_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
  );
  CREATE TABLE admin_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  );
  `,
  // 2: audit log (issue 8): one row per change made through the admin API.
  `
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    actor_fingerprint TEXT NOT NULL,
    source TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    kind TEXT NOT NULL,
    resource_id TEXT,
    resource_name TEXT,
    status INTEGER NOT NULL,
    before TEXT,
    after TEXT
  );
  CREATE INDEX audit_log_at ON audit_log (at);
  CREATE INDEX audit_log_kind ON audit_log (kind, id);
  CREATE INDEX audit_log_resource ON audit_log (resource_id);
  `,
  // 3: consumer credentials (issue 4). API keys are stored as their SHA-256 only; `identity` is the
  // canonical identity string that must be unique across all consumers.
  `
  CREATE TABLE credentials (
    id TEXT PRIMARY KEY,
    consumer_id TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    identity TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  );
  CREATE INDEX credentials_consumer ON credentials (consumer_id);
  `,
  // 4: fleet sync (issue 6): resource revisions (publish re-encodes only what changed), per-version
  // features and touched resource keys (compatibility and deltas), compressed snapshots, node
  // identity (join tokens, issued certificates, revocation) and inventory facts.
  `
  ALTER TABLE resources ADD COLUMN rev INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE config_versions ADD COLUMN features TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE config_versions ADD COLUMN touched TEXT;
  ALTER TABLE config_versions ADD COLUMN codec TEXT NOT NULL DEFAULT 'proto';
  ALTER TABLE nodes ADD COLUMN features TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE nodes ADD COLUMN report_interval_ms INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE nodes ADD COLUMN revoked_at TEXT;
  ALTER TABLE nodes ADD COLUMN blocked_version INTEGER;
  ALTER TABLE nodes ADD COLUMN blocked_missing TEXT;
  ALTER TABLE nodes ADD COLUMN cert_serial TEXT;
  ALTER TABLE nodes ADD COLUMN cert_not_after TEXT;
  CREATE TABLE join_tokens (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL,
    node_id TEXT,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT,
    used_by TEXT
  );
  CREATE TABLE node_certificates (
    serial TEXT PRIMARY KEY,
    node_id TEXT NOT NULL,
    region TEXT NOT NULL,
    not_after TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE INDEX node_certificates_node ON node_certificates (node_id);
  `,
  // 5: staged rollouts (issue 7). `fleet_state` holds the stable version (what nodes outside any
  // rollout get; existing databases start at their latest version) and when it was set; a rollout
  // is one row (its stages, per-node assignments and timestamps as JSON, rewritten on each
  // transition, so a restart resumes exactly) plus its events.
  `
  CREATE TABLE fleet_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  INSERT INTO fleet_state (key, value) SELECT 'stable_version', CAST(COALESCE(MAX(version), 0) AS TEXT) FROM config_versions;
  INSERT INTO fleet_state (key, value) VALUES ('stable_set_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
  CREATE TABLE rollouts (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX rollouts_state ON rollouts (state);
  CREATE TABLE rollout_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rollout_id TEXT NOT NULL,
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    who TEXT NOT NULL,
    message TEXT NOT NULL,
    stage TEXT
  );
  CREATE INDEX rollout_events_rollout ON rollout_events (rollout_id, id);
  `,
  // 6: who was to blame for a node's last NACK (issue 13): "config" (the version is refused) or
  // "node_fault" (the node could not apply it). Earlier NACKs are classified by their code, as
  // the control plane reads NACKs of nodes that do not send the kind.
  `
  ALTER TABLE nodes ADD COLUMN last_nack_kind TEXT;
  UPDATE nodes SET last_nack_kind = CASE WHEN last_nack_code = 'INTERNAL' THEN 'node_fault' ELSE 'config' END
    WHERE last_nack_version IS NOT NULL;
  `,
  // 7: security events from the nodes (issue 17): one row per node and event id (a resent batch
  // is stored once), the ECS document as the node sent it (redacted, re-checked) and the columns
  // the API filters on. `seq` is the arrival order (the SSE stream's event id); lists read in
  // event time. Bounded by count and age (security-event-store.ts prunes).
  `
  CREATE TABLE security_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    node_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    received_ms INTEGER NOT NULL,
    category TEXT NOT NULL,
    action TEXT NOT NULL,
    severity INTEGER NOT NULL,
    region TEXT NOT NULL,
    route TEXT,
    client_ip TEXT,
    consumer TEXT,
    rule_id TEXT,
    doc TEXT NOT NULL,
    UNIQUE (node_id, event_id)
  );
  CREATE INDEX security_events_at ON security_events (at_ms, seq);
  CREATE INDEX security_events_category ON security_events (category, at_ms);
  CREATE INDEX security_events_action ON security_events (action, at_ms);
  CREATE INDEX security_events_route ON security_events (route, at_ms);
  CREATE INDEX security_events_node ON security_events (node_id, at_ms);
  CREATE INDEX security_events_region ON security_events (region, at_ms);
  CREATE INDEX security_events_client ON security_events (client_ip, at_ms);
  CREATE INDEX security_events_consumer ON security_events (consumer, at_ms);
  CREATE INDEX security_events_rule ON security_events (rule_id, at_ms);
  `,
  // 8: RBAC (issue 18): API tokens bound to a role and optionally to regions and route prefixes,
  // with expiry, rotation and revocation (the secret stored as its sha256 only); custom roles; the
  // role of the token that made each audited change. Tokens of migration 1 become admin tokens.
  `
  CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    regions TEXT NOT NULL DEFAULT '[]',
    route_prefixes TEXT NOT NULL DEFAULT '[]',
    hash TEXT NOT NULL UNIQUE,
    previous_hash TEXT,
    source TEXT NOT NULL DEFAULT 'api',
    subject TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT,
    expires_at TEXT,
    rotated_at TEXT,
    revoked_at TEXT,
    last_used_at TEXT
  );
  CREATE INDEX api_tokens_previous_hash ON api_tokens (previous_hash);
  INSERT INTO api_tokens (id, name, role, hash, source, created_at)
    SELECT id, 'bootstrap', 'admin', hash, 'bootstrap', created_at FROM admin_tokens;
  CREATE TABLE roles (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    permissions TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  ALTER TABLE audit_log ADD COLUMN actor_role TEXT;
  `,
  // 9: replicas on one database (issue 19). `leases`: who holds a singleton job (the rollout
  // leader) or is alive (one row per control plane), until `expires_at_ms` by the database's
  // clock; `nodes.control_plane`: which control plane holds the node's stream, so a replica marks
  // disconnected only the nodes of control planes whose lease ran out; `node_reports`: the gate
  // figures of each node report, read by the leader whichever replica the node reports to;
  // `draft_changes`: which control plane made each draft write (PostgreSQL only), so a publisher
  // that made every write since its last version takes the incremental path.
  `
  CREATE TABLE draft_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    writer TEXT NOT NULL
  );
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL
  );
  ALTER TABLE nodes ADD COLUMN control_plane TEXT;
  CREATE TABLE node_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    node_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    config_version INTEGER NOT NULL,
    sample TEXT NOT NULL
  );
  CREATE INDEX node_reports_at ON node_reports (at_ms);
  `,
  // 10: a security event looked up by its id (the `event_id` a refusal's body carries).
  `
  CREATE INDEX security_events_event ON security_events (event_id);
  `,
];

/**
 * PostgreSQL schema migrations: the same schema as {@link MIGRATIONS}, index for index, so a
 * database of either engine at version N has the same tables, columns and meanings. Types are
 * chosen to behave as SQLite's do for the store's SQL: times stay ISO 8601 TEXT (compared and
 * ordered as text), flags INTEGER 0/1, snapshots BYTEA, ids of logs BIGINT identities (read as
 * numbers). Text that is ordered or compared carries `COLLATE "C"` (byte order, SQLite's BINARY),
 * whatever the database's default collation. The table `palisade_schema` records the version.
 */
export const PG_MIGRATIONS: readonly string[] = [
  // 1
  `
  CREATE TABLE resources (
    kind TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (kind, id),
    UNIQUE (kind, name)
  );
  CREATE TABLE config_versions (
    version INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    snapshot BYTEA NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    created_at TEXT COLLATE "C" NOT NULL
  );
  CREATE TABLE nodes (
    id TEXT COLLATE "C" PRIMARY KEY,
    region TEXT COLLATE "C" NOT NULL,
    labels TEXT NOT NULL DEFAULT '{}',
    software_version TEXT NOT NULL DEFAULT '',
    policy_types TEXT NOT NULL DEFAULT '[]',
    connected INTEGER NOT NULL DEFAULT 0,
    applied_version INTEGER NOT NULL DEFAULT 0,
    applied_hash TEXT NOT NULL DEFAULT '',
    last_ack_at TEXT COLLATE "C",
    last_nack_version INTEGER,
    last_nack_code TEXT,
    last_nack_message TEXT,
    last_nack_resource TEXT,
    last_nack_at TEXT COLLATE "C",
    first_seen_at TEXT COLLATE "C" NOT NULL,
    last_seen_at TEXT COLLATE "C" NOT NULL
  );
  CREATE TABLE admin_tokens (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT COLLATE "C" NOT NULL
  );
  `,
  // 2
  `
  CREATE TABLE audit_log (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at TEXT COLLATE "C" NOT NULL,
    actor_id TEXT COLLATE "C" NOT NULL,
    actor_label TEXT NOT NULL,
    actor_fingerprint TEXT NOT NULL,
    source TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    resource_id TEXT COLLATE "C",
    resource_name TEXT COLLATE "C",
    status INTEGER NOT NULL,
    before TEXT,
    after TEXT
  );
  CREATE INDEX audit_log_at ON audit_log (at);
  CREATE INDEX audit_log_kind ON audit_log (kind, id);
  CREATE INDEX audit_log_resource ON audit_log (resource_id);
  `,
  // 3
  `
  CREATE TABLE credentials (
    id TEXT COLLATE "C" PRIMARY KEY,
    consumer_id TEXT COLLATE "C" NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    identity TEXT NOT NULL UNIQUE,
    created_at TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX credentials_consumer ON credentials (consumer_id);
  `,
  // 4
  `
  ALTER TABLE resources ADD COLUMN rev INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE config_versions ADD COLUMN features TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE config_versions ADD COLUMN touched TEXT;
  ALTER TABLE config_versions ADD COLUMN codec TEXT NOT NULL DEFAULT 'proto';
  ALTER TABLE nodes ADD COLUMN features TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE nodes ADD COLUMN report_interval_ms INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE nodes ADD COLUMN revoked_at TEXT COLLATE "C";
  ALTER TABLE nodes ADD COLUMN blocked_version INTEGER;
  ALTER TABLE nodes ADD COLUMN blocked_missing TEXT;
  ALTER TABLE nodes ADD COLUMN cert_serial TEXT;
  ALTER TABLE nodes ADD COLUMN cert_not_after TEXT COLLATE "C";
  CREATE TABLE join_tokens (
    id TEXT COLLATE "C" PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL,
    node_id TEXT,
    expires_at TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    used_at TEXT COLLATE "C",
    used_by TEXT
  );
  CREATE TABLE node_certificates (
    serial TEXT PRIMARY KEY,
    node_id TEXT COLLATE "C" NOT NULL,
    region TEXT NOT NULL,
    not_after TEXT COLLATE "C" NOT NULL,
    issued_at TEXT COLLATE "C" NOT NULL,
    revoked_at TEXT COLLATE "C"
  );
  CREATE INDEX node_certificates_node ON node_certificates (node_id);
  `,
  // 5
  `
  CREATE TABLE fleet_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  INSERT INTO fleet_state (key, value) SELECT 'stable_version', CAST(COALESCE(MAX(version), 0) AS TEXT) FROM config_versions;
  INSERT INTO fleet_state (key, value)
    VALUES ('stable_set_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
  CREATE TABLE rollouts (
    id TEXT COLLATE "C" PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX rollouts_state ON rollouts (state);
  CREATE TABLE rollout_events (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    rollout_id TEXT COLLATE "C" NOT NULL,
    at TEXT COLLATE "C" NOT NULL,
    type TEXT NOT NULL,
    who TEXT NOT NULL,
    message TEXT NOT NULL,
    stage TEXT
  );
  CREATE INDEX rollout_events_rollout ON rollout_events (rollout_id, id);
  `,
  // 6
  `
  ALTER TABLE nodes ADD COLUMN last_nack_kind TEXT;
  UPDATE nodes SET last_nack_kind = CASE WHEN last_nack_code = 'INTERNAL' THEN 'node_fault' ELSE 'config' END
    WHERE last_nack_version IS NOT NULL;
  `,
  // 7: security events (times in ms need BIGINT)
  `
  CREATE TABLE security_events (
    seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    node_id TEXT COLLATE "C" NOT NULL,
    event_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    received_ms BIGINT NOT NULL,
    category TEXT COLLATE "C" NOT NULL,
    action TEXT COLLATE "C" NOT NULL,
    severity INTEGER NOT NULL,
    region TEXT COLLATE "C" NOT NULL,
    route TEXT COLLATE "C",
    client_ip TEXT COLLATE "C",
    consumer TEXT COLLATE "C",
    rule_id TEXT COLLATE "C",
    doc TEXT NOT NULL,
    UNIQUE (node_id, event_id)
  );
  CREATE INDEX security_events_at ON security_events (at_ms, seq);
  CREATE INDEX security_events_category ON security_events (category, at_ms);
  CREATE INDEX security_events_action ON security_events (action, at_ms);
  CREATE INDEX security_events_route ON security_events (route, at_ms);
  CREATE INDEX security_events_node ON security_events (node_id, at_ms);
  CREATE INDEX security_events_region ON security_events (region, at_ms);
  CREATE INDEX security_events_client ON security_events (client_ip, at_ms);
  CREATE INDEX security_events_consumer ON security_events (consumer, at_ms);
  CREATE INDEX security_events_rule ON security_events (rule_id, at_ms);
  `,
  // 8: RBAC. The copied admin tokens keep their ids: the identity then goes on after them.
  `
  CREATE TABLE api_tokens (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    role TEXT COLLATE "C" NOT NULL,
    regions TEXT NOT NULL DEFAULT '[]',
    route_prefixes TEXT NOT NULL DEFAULT '[]',
    hash TEXT NOT NULL UNIQUE,
    previous_hash TEXT,
    source TEXT NOT NULL DEFAULT 'api',
    subject TEXT,
    created_at TEXT COLLATE "C" NOT NULL,
    created_by TEXT,
    expires_at TEXT COLLATE "C",
    rotated_at TEXT COLLATE "C",
    revoked_at TEXT COLLATE "C",
    last_used_at TEXT COLLATE "C"
  );
  CREATE INDEX api_tokens_previous_hash ON api_tokens (previous_hash);
  INSERT INTO api_tokens (id, name, role, hash, source, created_at)
    SELECT id, 'bootstrap', 'admin', hash, 'bootstrap', created_at FROM admin_tokens;
  SELECT setval(pg_get_serial_sequence('api_tokens', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM api_tokens;
  CREATE TABLE roles (
    name TEXT COLLATE "C" PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    permissions TEXT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
  );
  ALTER TABLE audit_log ADD COLUMN actor_role TEXT;
  `,
  // 9: replicas (times in ms need BIGINT). Snapshots are stored uncompressed first and gzipped
  // by the publisher afterwards: no TOAST compression of them (pglz took ~80 ms of a publish).
  `
  CREATE TABLE draft_changes (
    seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    writer TEXT COLLATE "C" NOT NULL
  );
  ALTER TABLE config_versions ALTER COLUMN snapshot SET STORAGE EXTERNAL;
  CREATE TABLE leases (
    name TEXT COLLATE "C" PRIMARY KEY,
    holder TEXT COLLATE "C" NOT NULL,
    expires_at_ms BIGINT NOT NULL
  );
  ALTER TABLE nodes ADD COLUMN control_plane TEXT COLLATE "C";
  CREATE TABLE node_reports (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    node_id TEXT COLLATE "C" NOT NULL,
    at_ms BIGINT NOT NULL,
    config_version INTEGER NOT NULL,
    sample TEXT NOT NULL
  );
  CREATE INDEX node_reports_at ON node_reports (at_ms);
  `,
  // 10: security events by id
  `
  CREATE INDEX security_events_event ON security_events (event_id);
  `,
];

/** The schema version this build writes (both engines). */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Advisory lock key of schema migrations (replicas starting together migrate once). */
const MIGRATION_LOCK = 0x70616c01;

/** The schema version a database is at (0: empty). */
export async function schemaVersion(db: SqlDb): Promise<number> {
  if (db.dialect === "sqlite") return (await db.get<{ user_version: number }>("PRAGMA user_version"))!.user_version;
  const t = await db.get<{ t: string | null }>("SELECT to_regclass('palisade_schema')::text AS t");
  if (!t?.t) return 0;
  return (await db.get<{ version: number }>("SELECT version FROM palisade_schema"))?.version ?? 0;
}

/**
 * Brings the schema to `target` (default: {@link SCHEMA_VERSION}), one transaction per
 * migration (PostgreSQL: all of them in one, under an advisory lock, so two replicas starting
 * at once migrate once).
 * @returns the version before
 * @throws when the database is newer than this build (it would misread it), or a migration fails
 */
export async function migrate(db: SqlDb, target = SCHEMA_VERSION): Promise<number> {
  if (MIGRATIONS.length !== PG_MIGRATIONS.length) throw new Error("every SQLite migration needs its PostgreSQL twin");
  const check = (current: number) => {
    if (current > SCHEMA_VERSION)
      throw new Error(
        `the database schema is version ${current}, newer than this control plane's ${SCHEMA_VERSION}: run a newer build`,
      );
  };
  if (db.dialect === "sqlite") {
    const before = await schemaVersion(db);
    check(before);
    for (let i = before; i < target; i++)
      await db.transaction(async () => {
        await db.exec(MIGRATIONS[i]!);
        await db.exec(`PRAGMA user_version = ${i + 1}`);
      });
    return before;
  }
  return db.transaction(async () => {
    await db.lockInTransaction(MIGRATION_LOCK);
    await db.exec("CREATE TABLE IF NOT EXISTS palisade_schema (version INTEGER NOT NULL)");
    const before = (await db.get<{ version: number }>("SELECT version FROM palisade_schema"))?.version ?? 0;
    check(before);
    for (let i = before; i < target; i++) await db.exec(PG_MIGRATIONS[i]!);
    await db.run("DELETE FROM palisade_schema");
    await db.run("INSERT INTO palisade_schema (version) VALUES (?)", [Math.max(before, target)]);
    return before;
  });
}
