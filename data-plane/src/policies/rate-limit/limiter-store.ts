/**
 * Rate-limit counters: fixed windows per key, anchored at the key's first hit (a window starts
 * when a key is first counted and lasts `windowMs`; the next hit after it ends starts a new one).
 *
 * Why fixed windows (and not a token bucket or a sliding window): the count per window is exact
 * (N admitted per window, never N+1, whatever the arrival pattern or the number of processes),
 * a key costs one integer and one expiry (the same atomic INCR + PEXPIRE in Redis as in memory),
 * and the IETF `RateLimit-*` headers map onto it without approximation (remaining = N - count,
 * reset = time to the window's end). The known cost is the boundary burst: a client can spend
 * N at the end of one window and N at the start of the next (2N over a short span); add a
 * per-second limit beside a per-minute one to bound bursts. A token bucket (GCRA) is smoother
 * but refills continuously, so "10 per minute" would admit an 11th request 6 s after a burst,
 * which is not what operators read "10 per minute" to mean; a sliding log is exact but costs
 * memory per request.
 *
 * A hit is checked against every limit first and counted only when all admit (a refused request
 * spends no quota).
 */

/** One quota: `limit` requests per `windowMs`. */
export interface LimitSpec {
  readonly limit: number;
  readonly windowMs: number;
}

/** The decision for one hit, reported for one limit (the refusing one, or the closest to exhaustion). */
export interface LimitDecision {
  readonly allowed: boolean;
  /** Index in the limits of the reported limit. */
  readonly index: number;
  /** Requests left in the reported limit's window after this hit. */
  readonly remaining: number;
  /** Time until the reported limit's window ends, ms. */
  readonly resetMs: number;
}

/** Where counts live: this process, the node's primary process, or Redis. */
export interface LimiterStore {
  /**
   * Counts one hit of `key` against `limits` (same order every time for a key).
   * @returns the decision; a promise when the counts live elsewhere. Rejects (never hangs past
   *   the store's timeout) when the store cannot answer.
   */
  hit(key: string, limits: readonly LimitSpec[]): LimitDecision | Promise<LimitDecision>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

interface Window {
  count: number;
  /** Epoch ms. */
  resetAt: number;
}

/** Options of {@link MemoryLimiterStore}. */
export interface MemoryLimiterOptions {
  /** Keys kept at most (windows of all limits count); the oldest are dropped past it. Default 1,000,000. */
  readonly maxKeys?: number;
  /** Clock, epoch ms (tests). */
  readonly now?: () => number;
}

/**
 * Counts in this process's memory: exact and synchronous. Expired windows are swept every 10 s
 * (amortized on hits, no timer); past `maxKeys` the oldest windows are dropped (which resets
 * those keys: memory stays bounded under a flood of distinct keys).
 */
export class MemoryLimiterStore implements LimiterStore {
  #windows = new Map<string, Window>();
  #maxKeys: number;
  #now: () => number;
  #nextSweep = 0;

  constructor(opts: MemoryLimiterOptions = {}) {
    this.#maxKeys = opts.maxKeys ?? 1_000_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Number of live windows (tests, status). */
  get size(): number {
    return this.#windows.size;
  }

  hit(key: string, limits: readonly LimitSpec[]): LimitDecision {
    const now = this.#now();
    if (now >= this.#nextSweep || this.#windows.size >= this.#maxKeys) this.#sweep(now);
    const n = limits.length;
    const windows: (Window | undefined)[] = new Array(n);
    let deny = -1;
    for (let i = 0; i < n; i++) {
      const k = n === 1 ? key : `${key}\u0000${i}`;
      let w = this.#windows.get(k);
      if (w !== undefined && w.resetAt <= now) {
        this.#windows.delete(k);
        w = undefined;
      }
      windows[i] = w;
      if (w !== undefined && w.count >= limits[i]!.limit) {
        if (deny < 0 || w.resetAt > windows[deny]!.resetAt) deny = i;
      }
    }
    if (deny >= 0) return { allowed: false, index: deny, remaining: 0, resetMs: windows[deny]!.resetAt - now };
    let report = 0;
    let reportRemaining = Number.POSITIVE_INFINITY;
    let reportReset = 0;
    for (let i = 0; i < n; i++) {
      const spec = limits[i]!;
      let w = windows[i];
      if (w === undefined) {
        w = { count: 0, resetAt: now + spec.windowMs };
        this.#windows.set(n === 1 ? key : `${key}\u0000${i}`, w);
      }
      w.count++;
      const remaining = spec.limit - w.count;
      if (remaining < reportRemaining || (remaining === reportRemaining && w.resetAt - now > reportReset)) {
        report = i;
        reportRemaining = remaining;
        reportReset = w.resetAt - now;
      }
    }
    return { allowed: true, index: report, remaining: reportRemaining, resetMs: reportReset };
  }

  #sweep(now: number): void {
    this.#nextSweep = now + 10_000;
    for (const [k, w] of this.#windows) if (w.resetAt <= now) this.#windows.delete(k);
    // Still full: drop the oldest windows (Map order is creation order).
    if (this.#windows.size >= this.#maxKeys) {
      let excess = this.#windows.size - Math.floor(this.#maxKeys * 0.9);
      for (const k of this.#windows.keys()) {
        if (excess-- <= 0) break;
        this.#windows.delete(k);
      }
    }
  }

  async close(): Promise<void> {
    this.#windows.clear();
  }
}
