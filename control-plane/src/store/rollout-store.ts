import type { RolloutEvent, RolloutRecord, RolloutState } from "../rollouts/types.js";
import type { SqlDb } from "./sql-db.js";
import type { Store } from "./store.js";

/** Advisory lock key of rollout transitions (PostgreSQL): "pal" + 3. */
const ROLLOUT_LOCK = 0x70616c03;

/**
 * SQL of rollouts (issue 7) on the store's database: the stable version, rollout records (one
 * JSON row each, rewritten on every transition, each write announced to the other control
 * planes at commit) and their events. Kept beside store.ts, as
 * identity-store.ts is.
 */
export class RolloutStore {
  readonly #store: Store;
  readonly #db: SqlDb;

  constructor(store: Store) {
    this.#store = store;
    this.#db = store.db;
  }

  /** Runs `fn` in one transaction (a transition and its events commit together). */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.#store.transaction(fn);
  }

  /** Whether other control planes write rollouts on this database too (PostgreSQL). */
  get shared(): boolean {
    return this.#store.shared;
  }

  /**
   * Runs `fn` in one transaction that first waits for the rollout lock (PostgreSQL
   * `pg_advisory_xact_lock`; SQLite's write transactions are serial anyway): one rollout
   * transition at a time across every control plane on the database.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#store.transaction(async () => {
      await this.#db.lockInTransaction(ROLLOUT_LOCK);
      return fn();
    });
  }

  /** The stable version (0: none) and when it was set (ISO 8601). */
  async stable(): Promise<{ version: number; setAt: string }> {
    const rows = await this.#db.all<{ key: string; value: string }>("SELECT key, value FROM fleet_state");
    const get = (k: string) => rows.find((r) => r.key === k)?.value;
    return { version: Number(get("stable_version") ?? 0), setAt: get("stable_set_at") ?? "" };
  }

  /** How many rollouts are in each state (for `/metrics`). */
  async countByState(): Promise<Record<string, number>> {
    const rows = await this.#db.all<{ state: string; n: number }>(
      "SELECT state, COUNT(*) AS n FROM rollouts GROUP BY state",
    );
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  /** Sets the stable version (what nodes outside any rollout get). */
  async setStable(version: number, at: string): Promise<void> {
    const put =
      "INSERT INTO fleet_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    await this.#store.transaction(async () => {
      await this.#db.run(put, ["stable_version", String(version)]);
      await this.#db.run(put, ["stable_set_at", at]);
      await this.#store.notifyChange("stable", String(version));
    });
  }

  /** The number the next rollout gets (creation order). */
  async nextSeq(): Promise<number> {
    return (await this.#db.get<{ n: number }>("SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM rollouts"))!.n;
  }

  async insert(r: RolloutRecord): Promise<void> {
    await this.#db.run(
      "INSERT INTO rollouts (id, seq, version, state, created_at, updated_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
      [r.id, r.seq, r.version, r.state, r.created_at, r.updated_at, JSON.stringify(r)],
    );
    await this.#store.notifyChange("rollout", r.id);
  }

  async update(r: RolloutRecord): Promise<void> {
    await this.#db.run("UPDATE rollouts SET state = ?, updated_at = ?, body = ? WHERE id = ?", [
      r.state,
      r.updated_at,
      JSON.stringify(r),
      r.id,
    ]);
    await this.#store.notifyChange("rollout", r.id);
  }

  async get(id: string): Promise<RolloutRecord | undefined> {
    const row = await this.#db.get<{ body: string }>("SELECT body FROM rollouts WHERE id = ?", [id]);
    return row ? (JSON.parse(row.body) as RolloutRecord) : undefined;
  }

  /** The most recent rollout (active or not). */
  async last(): Promise<RolloutRecord | undefined> {
    const row = await this.#db.get<{ body: string }>("SELECT body FROM rollouts ORDER BY seq DESC LIMIT 1");
    return row ? (JSON.parse(row.body) as RolloutRecord) : undefined;
  }

  /** Rollouts newest first, optionally in one state and before a creation number (paging). */
  async list(q: { limit: number; state?: RolloutState; beforeSeq?: number }): Promise<RolloutRecord[]> {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.state) {
      where.push("state = ?");
      args.push(q.state);
    }
    if (q.beforeSeq !== undefined) {
      where.push("seq < ?");
      args.push(q.beforeSeq);
    }
    const sql = `SELECT body FROM rollouts ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ?`;
    return (await this.#db.all<{ body: string }>(sql, [...args, q.limit])).map(
      (r) => JSON.parse(r.body) as RolloutRecord,
    );
  }

  async addEvent(rolloutId: string, e: RolloutEvent): Promise<void> {
    await this.#db.run(
      "INSERT INTO rollout_events (rollout_id, at, type, who, message, stage) VALUES (?, ?, ?, ?, ?, ?)",
      [rolloutId, e.at, e.type, e.who, e.message, e.stage],
    );
  }

  /** A rollout's events, oldest first. */
  events(rolloutId: string): Promise<RolloutEvent[]> {
    return this.#db.all<RolloutEvent>(
      "SELECT at, type, who, message, stage FROM rollout_events WHERE rollout_id = ? ORDER BY id",
      [rolloutId],
    );
  }
}
