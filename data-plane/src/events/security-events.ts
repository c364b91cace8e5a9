/**
 * The node's in-process channel for security events: every request the node refuses for a
 * security reason (a malformed or ambiguous request, an address outside the IP rules, a rate
 * limit, a size limit, a CORS preflight from an origin that is not allowed, a failed
 * authentication). The hot path only calls {@link SecurityEvents.emit}: it bumps a counter and
 * appends to a bounded queue; subscribers (the log today, a SIEM shipper later) receive batches
 * in a `setImmediate`, off the request path. Events never hold secrets: no credential, header
 * value, body or query string, only stable reason codes and identifiers.
 *
 * The shape follows the auth branch's bus (same class and method names) so the two merge into one.
 */

/** What kind of security event happened. */
export const SECURITY_EVENT_TYPES = [
  /** A malformed or ambiguous request: framing, header bytes, host, path, target (400). */
  "request_rejected",
  /** The client address is outside the IP rules (403). */
  "ip_denied",
  /** A rate limit refused the request (429), or its counter store could not answer (503). */
  "rate_limited",
  /** A size limit refused the request: body (413), headers (431), URL or query (414). */
  "request_too_large",
  /** A CORS preflight from an origin, method or header the policy does not allow (403). */
  "cors_rejected",
  /** No valid credential (401), or more than one (400). */
  "authentication_failed",
] as const;

/** One of {@link SECURITY_EVENT_TYPES}. */
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

/** One security event. `time` is ms since the epoch. */
export interface SecurityEvent {
  readonly type: SecurityEventType;
  /** Stable machine-readable cause, e.g. `path_dot_segment`, `te_not_chunked`, `ip_not_allowed`. */
  readonly reason: string;
  readonly time: number;
  /** The error code the client received (see errors.ts), e.g. `RATE_LIMITED`. */
  readonly code: string;
  /** HTTP status the client received. */
  readonly status: number;
  /** Request id, `null` when node:http refused the bytes before a request existed. */
  readonly requestId: string | null;
  /** Matched route id, `null` when the request was refused before routing. */
  readonly route: string | null;
  /** Policy that refused the request, `null` for checks the proxy makes itself. */
  readonly policy: string | null;
  readonly policyType: string | null;
  /** Consumer id when the request had authenticated as one. */
  readonly consumer: string | null;
  /** Client address from the canonical view (the peer until it is known). */
  readonly clientAddress: string | null;
  readonly method: string | null;
  /** Canonical path without the query (`null` when the path itself was refused). */
  readonly path: string | null;
}

/** Receives events in batches, in emission order. Must not throw (a throw is swallowed). */
export type SecurityEventListener = (events: readonly SecurityEvent[]) => void;

/** Options of {@link SecurityEvents}. */
export interface SecurityEventsOptions {
  /** Events queued for delivery before the oldest are dropped (counted); default 10,000. */
  readonly maxQueue?: number;
  /** Recent events kept for the status endpoint; default 100. */
  readonly keepRecent?: number;
}

/**
 * The typed, in-process event bus. `emit` is O(1); delivery happens in a `setImmediate` batch.
 * Counters by type only ever grow (for `/security-events` and reports to the control plane).
 */
export class SecurityEvents {
  #listeners = new Set<SecurityEventListener>();
  #queue: SecurityEvent[] = [];
  #scheduled = false;
  #maxQueue: number;
  #recent: SecurityEvent[] = [];
  #keepRecent: number;
  #counts: Record<SecurityEventType, number>;
  #dropped = 0;

  constructor(opts: SecurityEventsOptions = {}) {
    this.#maxQueue = opts.maxQueue ?? 10_000;
    this.#keepRecent = opts.keepRecent ?? 100;
    this.#counts = Object.fromEntries(SECURITY_EVENT_TYPES.map((t) => [t, 0])) as Record<SecurityEventType, number>;
  }

  /** Records one event: counts it, keeps it among the recent ones, queues it for subscribers. */
  emit(event: SecurityEvent): void {
    this.#counts[event.type]++;
    this.#recent.push(event);
    if (this.#recent.length > this.#keepRecent) this.#recent.shift();
    if (this.#listeners.size === 0) return;
    if (this.#queue.length >= this.#maxQueue) {
      this.#queue.shift();
      this.#dropped++;
    }
    this.#queue.push(event);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#deliver());
    }
  }

  /**
   * Adds a subscriber.
   * @returns a function that removes it
   */
  subscribe(listener: SecurityEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Events counted per type since the node started. */
  counts(): Readonly<Record<SecurityEventType, number>> {
    return { ...this.#counts };
  }

  /** Events dropped because subscribers fell behind by more than `maxQueue`. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The most recent events, oldest first. */
  recent(): readonly SecurityEvent[] {
    return [...this.#recent];
  }

  #deliver(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    for (const l of this.#listeners) {
      try {
        l(batch);
      } catch {
        // A subscriber's bug must not break the others or the proxy.
      }
    }
  }
}
