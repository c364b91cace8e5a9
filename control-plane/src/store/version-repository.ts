import { gunzipSync } from "node:zlib";
import type { SqlDb } from "./sql-db.js";

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

/** Above every version number: versions are INTEGER (PostgreSQL: 32 bits) on both engines. */
const MAX_VERSION = 2_147_483_647;

/** Advisory lock key of publishing (PostgreSQL): "pal" + 2. */
const PUBLISH_LOCK = 0x70616c02;

/**
 * SQL of published config versions: immutable rows numbered 1, 2, …, each with its snapshot
 * bytes (stored plain, then gzip-compressed off the publish path), features and touched keys.
 */
export class VersionRepository {
  readonly #db: SqlDb;
  readonly #closed: () => boolean;

  /** @param closed whether the store is closed (a late compression is then dropped) */
  constructor(db: SqlDb, closed: () => boolean) {
    this.#db = db;
    this.#closed = closed;
  }

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
    return rows.map(toVersionMeta);
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
    if (this.#closed()) return;
    await this.#db.run(
      "UPDATE config_versions SET snapshot = ?, codec = 'proto+gzip' WHERE version = ? AND codec = 'proto'",
      [Buffer.from(gzipped.buffer, gzipped.byteOffset, gzipped.byteLength), version],
    );
  }
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

function toVersionMeta(r: Omit<RawVersion, "snapshot" | "codec">): Omit<StoredVersion, "snapshot"> {
  return {
    version: r.version,
    hash: r.hash,
    message: r.message,
    created_at: r.created_at,
    features: JSON.parse(r.features),
    touched: r.touched === null ? null : JSON.parse(r.touched),
  };
}

function toStoredVersion(r: RawVersion): StoredVersion {
  return { ...toVersionMeta(r), snapshot: r.codec === "proto+gzip" ? gunzipSync(r.snapshot) : r.snapshot };
}
