import type { RolloutEvent, RolloutRecord, RolloutState } from "../rollouts/types.js";
import type { Store } from "./store.js";

/**
 * SQL of rollouts (issue 7) on the store's database: the stable version, rollout records (one
 * JSON row each, rewritten on every transition) and their events. Kept beside store.ts, as
 * identity-store.ts is.
 */
export class RolloutStore {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Runs `fn` in one transaction (a transition and its events commit together). */
  transaction<T>(fn: () => T): T {
    return this.#store.transaction(fn);
  }

  /** The stable version (0: none) and when it was set (ISO 8601). */
  stable(): { version: number; setAt: string } {
    const rows = this.#store.prepare("SELECT key, value FROM fleet_state").all() as Array<{
      key: string;
      value: string;
    }>;
    const get = (k: string) => rows.find((r) => r.key === k)?.value;
    return { version: Number(get("stable_version") ?? 0), setAt: get("stable_set_at") ?? "" };
  }

  /** How many rollouts are in each state (for `/metrics`). */
  countByState(): Record<string, number> {
    const rows = this.#store.prepare("SELECT state, COUNT(*) AS n FROM rollouts GROUP BY state").all() as Array<{
      state: string;
      n: number;
    }>;
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  /** Sets the stable version (what nodes outside any rollout get). */
  setStable(version: number, at: string): void {
    const put = this.#store.prepare(
      "INSERT INTO fleet_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    this.#store.transaction(() => {
      put.run("stable_version", String(version));
      put.run("stable_set_at", at);
    });
  }

  /** The number the next rollout gets (creation order). */
  nextSeq(): number {
    return (this.#store.prepare("SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM rollouts").get() as { n: number }).n;
  }

  insert(r: RolloutRecord): void {
    this.#store
      .prepare(
        "INSERT INTO rollouts (id, seq, version, state, created_at, updated_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(r.id, r.seq, r.version, r.state, r.created_at, r.updated_at, JSON.stringify(r));
  }

  update(r: RolloutRecord): void {
    this.#store
      .prepare("UPDATE rollouts SET state = ?, updated_at = ?, body = ? WHERE id = ?")
      .run(r.state, r.updated_at, JSON.stringify(r), r.id);
  }

  get(id: string): RolloutRecord | undefined {
    const row = this.#store.prepare("SELECT body FROM rollouts WHERE id = ?").get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as RolloutRecord) : undefined;
  }

  /** The most recent rollout (active or not). */
  last(): RolloutRecord | undefined {
    const row = this.#store.prepare("SELECT body FROM rollouts ORDER BY seq DESC LIMIT 1").get() as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as RolloutRecord) : undefined;
  }

  /** Rollouts newest first, optionally in one state and before a creation number (paging). */
  list(q: { limit: number; state?: RolloutState; beforeSeq?: number }): RolloutRecord[] {
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
    return (this.#store.prepare(sql).all(...args, q.limit) as Array<{ body: string }>).map(
      (r) => JSON.parse(r.body) as RolloutRecord,
    );
  }

  addEvent(rolloutId: string, e: RolloutEvent): void {
    this.#store
      .prepare("INSERT INTO rollout_events (rollout_id, at, type, who, message, stage) VALUES (?, ?, ?, ?, ?, ?)")
      .run(rolloutId, e.at, e.type, e.who, e.message, e.stage);
  }

  /** A rollout's events, oldest first. */
  events(rolloutId: string): RolloutEvent[] {
    return this.#store
      .prepare("SELECT at, type, who, message, stage FROM rollout_events WHERE rollout_id = ? ORDER BY id")
      .all(rolloutId) as RolloutEvent[];
  }
}
