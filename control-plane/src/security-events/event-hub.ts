import type { SecurityEventFilter, StoredSecurityEvent } from "../store/security-event-store.js";

/** The columns a live subscriber filters on (a stored event's, plus its filter columns). */
export interface LiveEvent extends StoredSecurityEvent {
  readonly region: string;
  readonly route: string | null;
  readonly clientIp: string | null;
  readonly consumer: string | null;
  readonly ruleId: string | null;
}

/** Whether a live event passes a filter: the same rule as the store's `WHERE`. */
export function matches(f: SecurityEventFilter, e: LiveEvent): boolean {
  const any = (values: readonly string[] | undefined, v: string | null) =>
    !values || values.length === 0 || (v !== null && values.includes(v));
  return (
    any(f.category, e.category) &&
    any(f.type, e.action) &&
    any(f.route, e.route) &&
    any(f.node, e.nodeId) &&
    any(f.region, e.region) &&
    any(f.client, e.clientIp) &&
    any(f.consumer, e.consumer) &&
    any(f.ruleId, e.ruleId) &&
    (f.sinceMs === undefined || e.atMs >= f.sinceMs) &&
    (f.untilMs === undefined || e.atMs < f.untilMs)
  );
}

/** A live subscriber: gets every stored event that matches its filter, in arrival order. */
export interface Subscriber {
  readonly filter: SecurityEventFilter;
  deliver(e: LiveEvent): void;
}

/**
 * Fan-out of stored events to the open SSE streams (`GET /v1/security-events/stream`), in
 * memory: the intake publishes each batch once it is committed, every subscriber whose filter
 * matches receives each event. Synchronous and O(subscribers × events); a subscriber that cannot
 * keep up is the route's to end (it resumes from its Last-Event-ID).
 */
export class EventHub {
  readonly #subs = new Set<Subscriber>();
  /** The open SSE streams (to end them when the admin listener closes). */
  readonly streams = new Set<{ end(): void }>();
  /** Streams opened, and ended by the control plane: `slow` (did not keep up), `limit` (refused). */
  readonly streamCounts = { opened: 0, slow: 0, limit: 0 };

  subscribe(s: Subscriber): () => void {
    this.#subs.add(s);
    return () => this.#subs.delete(s);
  }

  /** Open subscriptions. */
  get size(): number {
    return this.#subs.size;
  }

  publish(events: readonly LiveEvent[]): void {
    if (this.#subs.size === 0) return;
    for (const e of events) for (const s of this.#subs) if (matches(s.filter, e)) s.deliver(e);
  }
}
