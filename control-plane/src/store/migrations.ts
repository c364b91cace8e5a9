/**
 * Schema migrations, applied in order at start-up. `PRAGMA user_version` records
 * how many have run. Append only: never edit a migration that has shipped.
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
  // audit log (issue 8): one row per change made through the admin API.
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
  // consumer credentials (issue 4). API keys are stored as their SHA-256 only; `identity` is the
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
];
