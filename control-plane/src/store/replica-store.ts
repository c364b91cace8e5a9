import type { GateSample } from "../rollouts/gates.js";
import type { SqlDb } from "./sql-db.js";
import type { Store } from "./store.js";

/** One node report's gate figures as stored for the rollout leader (rates per second, ms). */
export interface StoredReport extends Omit<GateSample, "node"> {
  readonly node_id: string;
  /** When a control plane received it, Unix ms. */
  readonly at: number;
  readonly config_version: number;
}

/** Lease name of the replica that runs singleton work (rollout ticks, sweeps). */
export const LEADER_LEASE = "leader";
/** Prefix of each control plane's own liveness lease (`replica:<instance>`). */
export const REPLICA_LEASE_PREFIX = "replica:";

/**
 * SQL of several control planes on one database (issue 19, migration 9), beside store.ts as
 * rollout-store.ts is: leases with an expiry by the database's clock (so replicas' clocks never
 * matter), the sweep of nodes whose control plane died, and node reports shared with the leader.
 * Every statement is valid on both engines; SQLite runs one control plane, which leads alone
 * and never calls the lease methods outside tests.
 */
export class ReplicaStore {
  readonly #db: SqlDb;
  /** The database's clock as Unix ms, in the engine's SQL. */
  readonly #now: string;

  constructor(store: Store) {
    this.#db = store.db;
    this.#now =
      this.#db.dialect === "postgres"
        ? "(extract(epoch from clock_timestamp()) * 1000)::bigint"
        : "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
  }

  /**
   * Takes lease `name` for `holder` until `ttlMs` from now, or renews it when `holder` has it;
   * refused while another holder's lease has not expired. One statement: two replicas racing
   * for a free lease get it once (the row's unique name).
   * @returns whether `holder` holds it now
   */
  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const row = await this.#db.get<{ holder: string }>(
      `INSERT INTO leases (name, holder, expires_at_ms) VALUES (?, ?, ${this.#now} + ?)
       ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at_ms = excluded.expires_at_ms
         WHERE leases.holder = excluded.holder OR leases.expires_at_ms < ${this.#now}
       RETURNING holder`,
      [name, holder, Math.trunc(ttlMs)],
    );
    return row?.holder === holder;
  }

  /** Gives lease `name` up when `holder` has it (a clean stop: another replica takes it at once). */
  async release(name: string, holder: string): Promise<void> {
    await this.#db.run("DELETE FROM leases WHERE name = ? AND holder = ?", [name, holder]);
  }

  /** Who holds lease `name` now, if anyone. */
  async holder(name: string): Promise<string | undefined> {
    return (
      await this.#db.get<{ holder: string }>(
        `SELECT holder FROM leases WHERE name = ? AND expires_at_ms >= ${this.#now}`,
        [name],
      )
    )?.holder;
  }

  /**
   * Marks disconnected the nodes whose stream is held by no live control plane (its
   * `replica:<instance>` lease expired or is gone: it died), and drops expired replica leases.
   * @returns how many nodes were marked
   */
  async sweepNodes(): Promise<number> {
    const n = await this.#db.run(
      `UPDATE nodes SET connected = 0 WHERE connected = 1 AND (control_plane IS NULL OR control_plane NOT IN (
         SELECT substr(name, ${REPLICA_LEASE_PREFIX.length + 1}) FROM leases
         WHERE name LIKE '${REPLICA_LEASE_PREFIX}%' AND expires_at_ms >= ${this.#now}))`,
    );
    await this.#db.run(
      `DELETE FROM leases WHERE name LIKE '${REPLICA_LEASE_PREFIX}%' AND expires_at_ms < ${this.#now} - 60000`,
    );
    return n;
  }

  /** Stores one report's gate figures. */
  async addReport(r: StoredReport): Promise<void> {
    const { node_id, at, config_version, ...sample } = r;
    await this.#db.run("INSERT INTO node_reports (node_id, at_ms, config_version, sample) VALUES (?, ?, ?, ?)", [
      node_id,
      at,
      config_version,
      JSON.stringify(sample),
    ]);
  }

  /** Every report received at or after `sinceMs`, oldest first. */
  async reportsSince(sinceMs: number): Promise<StoredReport[]> {
    const rows = await this.#db.all<{ node_id: string; at_ms: number; config_version: number; sample: string }>(
      "SELECT node_id, at_ms, config_version, sample FROM node_reports WHERE at_ms >= ? ORDER BY id",
      [sinceMs],
    );
    return rows.map((r) => ({
      node_id: r.node_id,
      at: r.at_ms,
      config_version: r.config_version,
      ...(JSON.parse(r.sample) as Omit<StoredReport, "node_id" | "at" | "config_version">),
    }));
  }

  /** Drops reports received before `beforeMs`. @returns how many */
  pruneReports(beforeMs: number): Promise<number> {
    return this.#db.run("DELETE FROM node_reports WHERE at_ms < ?", [beforeMs]);
  }
}
