import type { AcceptedEvent } from "../security-events/event-intake.js";
import type { SqlDb, SqlValue } from "./sql-db.js";
import type { Store } from "./store.js";

/** The filters of `GET /v1/security-events` (each list matches any of its values). */
export interface SecurityEventFilter {
  readonly category?: readonly string[];
  /** `event.action`. */
  readonly type?: readonly string[];
  readonly route?: readonly string[];
  readonly node?: readonly string[];
  readonly region?: readonly string[];
  /** Client address (`source.ip`), exact. */
  readonly client?: readonly string[];
  readonly consumer?: readonly string[];
  readonly ruleId?: readonly string[];
  /** `@timestamp` ≥ since, ms. */
  readonly sinceMs?: number;
  /** `@timestamp` < until, ms. */
  readonly untilMs?: number;
}

/** A stored event as readers get it. */
export interface StoredSecurityEvent {
  /** Arrival order: the SSE event id. */
  readonly seq: number;
  readonly atMs: number;
  readonly receivedMs: number;
  readonly nodeId: string;
  readonly category: string;
  readonly action: string;
  /** The ECS document, JSON. */
  readonly doc: string;
}

/** Where a page starts: strictly before this event in (time, seq) order. */
export interface EventCursor {
  readonly atMs: number;
  readonly seq: number;
}

/** Retention bounds. */
export interface RetentionLimits {
  /** Most events kept (the oldest arrivals go first). */
  readonly maxEvents: number;
  /** Oldest arrival kept, ms. */
  readonly maxAgeMs: number;
}

const COLUMNS: ReadonlyArray<[keyof SecurityEventFilter, string]> = [
  ["category", "category"],
  ["type", "action"],
  ["route", "route"],
  ["node", "node_id"],
  ["region", "region"],
  ["client", "client_ip"],
  ["consumer", "consumer"],
  ["ruleId", "rule_id"],
];

/** `WHERE` clause and parameters of a filter (`AND` of every criterion, `IN` within one). */
function where(
  f: SecurityEventFilter,
  extra: string[] = [],
  params: SqlValue[] = [],
): { sql: string; params: SqlValue[] } {
  const parts = [...extra];
  const out = [...params];
  for (const [key, column] of COLUMNS) {
    const values = f[key] as readonly string[] | undefined;
    if (!values || values.length === 0) continue;
    parts.push(values.length === 1 ? `${column} = ?` : `${column} IN (${values.map(() => "?").join(", ")})`);
    out.push(...values);
  }
  if (f.sinceMs !== undefined) {
    parts.push("at_ms >= ?");
    out.push(f.sinceMs);
  }
  if (f.untilMs !== undefined) {
    parts.push("at_ms < ?");
    out.push(f.untilMs);
  }
  return { sql: parts.length > 0 ? `WHERE ${parts.join(" AND ")}` : "", params: out };
}

// Quoted aliases: PostgreSQL folds unquoted ones to lower case.
const SELECT =
  'SELECT seq, at_ms AS "atMs", received_ms AS "receivedMs", node_id AS "nodeId", category, action, doc FROM security_events';

/**
 * SQL of the security events the nodes send (migration 7), on the store's database, beside
 * store.ts as rollout-store.ts is. One row per node and event id: storing a batch twice stores
 * each event once. Bounded by {@link prune}.
 */
export class SecurityEventStore {
  readonly #store: Store;
  readonly #db: SqlDb;

  constructor(store: Store) {
    this.#store = store;
    this.#db = store.db;
  }

  /**
   * Stores accepted events in one transaction.
   * @returns per event its `seq`, or 0 when the node had sent it before (a duplicate)
   */
  insert(events: readonly AcceptedEvent[], receivedMs: number): Promise<number[]> {
    return this.#store.transaction(async () => {
      const seqs: number[] = [];
      for (const e of events) {
        const r = await this.#db.get<{ seq: number }>(
          `INSERT INTO security_events
             (node_id, event_id, at_ms, received_ms, category, action, severity, region, route, client_ip, consumer, rule_id, doc)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING seq`,
          [
            e.nodeId,
            e.eventId,
            e.atMs,
            receivedMs,
            e.category,
            e.action,
            e.severity,
            e.region,
            e.route,
            e.clientIp,
            e.consumer,
            e.ruleId,
            e.doc,
          ],
        );
        seqs.push(r ? Number(r.seq) : 0);
      }
      return seqs;
    });
  }

  /**
   * One page, newest event time first (ties: the later arrival first).
   * @param limit 1–1000
   * @param before the last event of the previous page
   */
  list(f: SecurityEventFilter, limit: number, before?: EventCursor): Promise<StoredSecurityEvent[]> {
    const w = before
      ? where(f, ["(at_ms < ? OR (at_ms = ? AND seq < ?))"], [before.atMs, before.atMs, before.seq])
      : where(f);
    return this.#db.all<StoredSecurityEvent>(`${SELECT} ${w.sql} ORDER BY at_ms DESC, seq DESC LIMIT ?`, [
      ...w.params,
      limit,
    ]);
  }

  /**
   * The events with this id (the `event_id` of a refusal's body), oldest arrival first: one,
   * unless two nodes happened to draw the same id.
   */
  byEventId(eventId: string): Promise<StoredSecurityEvent[]> {
    return this.#db.all<StoredSecurityEvent>(`${SELECT} WHERE event_id = ? ORDER BY seq LIMIT 10`, [eventId]);
  }

  /** Events that arrived after `afterSeq` and match, oldest arrival first (the SSE backlog). */
  after(f: SecurityEventFilter, afterSeq: number, limit: number): Promise<StoredSecurityEvent[]> {
    const w = where(f, ["seq > ?"], [afterSeq]);
    return this.#db.all<StoredSecurityEvent>(`${SELECT} ${w.sql} ORDER BY seq LIMIT ?`, [...w.params, limit]);
  }

  /** The newest arrival's seq (0: none). */
  async lastSeq(): Promise<number> {
    const r = await this.#db.get<{ s: number | null }>("SELECT MAX(seq) AS s FROM security_events");
    return r?.s ?? 0;
  }

  /**
   * Counts of the matching events by category, by type, and the 10 most frequent routes,
   * client addresses and rule ids.
   */
  async summary(f: SecurityEventFilter): Promise<{
    total: number;
    byCategory: Record<string, number>;
    byType: Record<string, number>;
    topRoutes: Array<{ value: string; count: number }>;
    topClients: Array<{ value: string; count: number }>;
    topRules: Array<{ value: string; count: number }>;
  }> {
    const w = where(f);
    const group = (col: string) =>
      this.#db.all<{ value: string; count: number }>(
        `SELECT ${col} AS value, COUNT(*) AS count FROM security_events ${w.sql} GROUP BY ${col}`,
        w.params,
      );
    const top = (col: string) => {
      const extra = where(f, [`${col} IS NOT NULL`]);
      return this.#db.all<{ value: string; count: number }>(
        `SELECT ${col} AS value, COUNT(*) AS count FROM security_events ${extra.sql} GROUP BY ${col} ORDER BY count DESC, value LIMIT 10`,
        extra.params,
      );
    };
    const byCategory = Object.fromEntries((await group("category")).map((r) => [r.value, r.count]));
    return {
      total: Object.values(byCategory).reduce((a, b) => a + b, 0),
      byCategory,
      byType: Object.fromEntries((await group("action")).map((r) => [r.value, r.count])),
      topRoutes: await top("route"),
      topClients: await top("client_ip"),
      topRules: await top("rule_id"),
    };
  }

  /**
   * Deletes the oldest arrivals beyond the limits, at most `chunk` rows per call (a long
   * delete would hold the write lock the sync streams need).
   * @returns rows deleted
   */
  async prune(limits: RetentionLimits, nowMs: number, chunk = 10_000): Promise<number> {
    const db = this.#db;
    const last = await this.lastSeq();
    // Arrival order is seq order, so both bounds are a seq below which everything goes.
    const byCount = last - limits.maxEvents;
    const firstYoung = await db.get<{ seq: number }>(
      "SELECT seq FROM security_events WHERE received_ms >= ? ORDER BY seq LIMIT 1",
      [nowMs - limits.maxAgeMs],
    );
    const byAge = firstYoung ? firstYoung.seq - 1 : last;
    const upTo = Math.max(byCount, byAge);
    if (upTo <= 0) return 0;
    const oldest = await db.get<{ s: number | null }>("SELECT MIN(seq) AS s FROM security_events");
    if (!oldest || oldest.s === null) return 0;
    const stop = Math.min(upTo, oldest.s + chunk - 1);
    return db.run("DELETE FROM security_events WHERE seq <= ?", [stop]);
  }

  /** Rows stored, from the seq range (O(1): seqs are contiguous, retention deletes a prefix). */
  async storedRange(): Promise<number> {
    const r = await this.#db.get<{ lo: number | null; hi: number | null }>(
      "SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM security_events",
    );
    return !r || r.lo === null || r.hi === null ? 0 : r.hi - r.lo + 1;
  }
}
