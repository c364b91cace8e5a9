/**
 * Per-route (or per-upstream) counts in fixed time buckets — 1 s on a node, 5 s in the control
 * plane's fleet view — with a learned baseline per counter: an exponentially weighted mean and
 * variance of the bucket counts (West 1979's incremental form), half-life `halfLifeBuckets`.
 * Learning is winsorized (a bucket counts at most mean + 5σ + 2 toward the baseline) and paused
 * while a detection on that counter is open, so an attack cannot teach the baseline that it is
 * normal (Cloudflare's API Shield learns its per-endpoint p50/p90/p99 the same way, from the
 * traffic before the session it judges).
 */

/** Counters of a series. */
export const SERIES = {
  /** Requests. */
  requests: 0,
  /** Authentication failures: auth outcome "failed" or status 401. */
  authFailures: 1,
  /** Authorization denials: auth outcome "denied" or status 403. */
  authDenied: 2,
  /** 4xx other than 401/403. */
  status4xx: 3,
  /** 5xx. */
  status5xx: 4,
  /** Request bodies beyond the route's learned p99 × factor. */
  oversized: 5,
  /** Requests with a content type the route has not learned. */
  newContentType: 6,
} as const;
/** Number of counters. */
export const SERIES_COUNTERS = 7;

/** A test of one counter against its baseline (the numbers an explanation quotes). */
export interface SurgeTest {
  /** Count over the window. */
  observed: number;
  /** Baseline count over the window. */
  expected: number;
  /** The smallest count that fires under the thresholds. */
  threshold: number;
  /** Window length, ms. */
  windowMs: number;
}

export class CounterSeries {
  readonly bucketMs: number;
  readonly buckets: number;
  readonly #alpha: number;
  readonly #warmup: number;
  readonly #counts: Float64Array;
  readonly #mean = new Float64Array(SERIES_COUNTERS);
  readonly #var = new Float64Array(SERIES_COUNTERS);
  #learned = 0;
  #bucket = -1;
  /** Bit per counter: learning paused (a detection is open on it). */
  paused = 0;

  /**
   * @param bucketMs bucket length, ms
   * @param buckets buckets kept (the longest window)
   * @param halfLifeBuckets half-life of the baseline, in buckets
   * @param warmupBuckets buckets learned before the series can fire
   */
  constructor(bucketMs: number, buckets: number, halfLifeBuckets: number, warmupBuckets: number) {
    this.bucketMs = bucketMs;
    this.buckets = buckets;
    this.#alpha = 1 - 2 ** (-1 / halfLifeBuckets);
    this.#warmup = warmupBuckets;
    this.#counts = new Float64Array(buckets * SERIES_COUNTERS);
  }

  /** Moves to the bucket of time `t` (ms), closing (and learning from) the buckets passed. @returns buckets closed */
  advance(t: number): number {
    const b = Math.floor(t / this.bucketMs);
    if (this.#bucket === -1) {
      this.#bucket = b;
      return 0;
    }
    if (b <= this.#bucket) return 0;
    let closed = 0;
    const gap = b - this.#bucket;
    // Learn from the closed buckets (a long idle gap teaches "zero" at most `buckets` times).
    const learnN = Math.min(gap, this.buckets);
    for (let i = 0; i < learnN; i++) {
      this.#learn(this.#bucket + i);
      closed++;
      const next = (this.#bucket + i + 1) % this.buckets;
      this.#counts.fill(0, next * SERIES_COUNTERS, next * SERIES_COUNTERS + SERIES_COUNTERS);
    }
    if (gap > this.buckets) this.#counts.fill(0);
    this.#bucket = b;
    return closed;
  }

  #learn(bucket: number): void {
    const at = (bucket % this.buckets) * SERIES_COUNTERS;
    const warm = this.#learned >= this.#warmup;
    const a = warm ? this.#alpha : Math.max(this.#alpha, 1 / (this.#learned + 1));
    for (let c = 0; c < SERIES_COUNTERS; c++) {
      if ((this.paused & (1 << c)) !== 0) continue;
      const m = this.#mean[c]!;
      const v = this.#var[c]!;
      let x = this.#counts[at + c]!;
      if (warm) {
        const cap = m + 5 * Math.sqrt(Math.max(v, m)) + 2;
        if (x > cap) x = cap;
      }
      const d = x - m;
      this.#mean[c] = m + a * d;
      this.#var[c] = (1 - a) * (v + a * d * d);
    }
    this.#learned++;
  }

  /** Adds `n` to `counter` in the current bucket. */
  add(counter: number, n = 1): void {
    if (this.#bucket < 0) return;
    this.#counts[(this.#bucket % this.buckets) * SERIES_COUNTERS + counter]! += n;
  }

  /** Sum of `counter` over the last `w` closed buckets. */
  sum(counter: number, w: number): number {
    let s = 0;
    const n = Math.min(w, this.buckets - 1);
    for (let i = 1; i <= n; i++) {
      const b = this.#bucket - i;
      if (b < 0) break;
      s += this.#counts[(b % this.buckets) * SERIES_COUNTERS + counter]!;
    }
    return s;
  }

  /** Baseline mean of `counter` per bucket. */
  mean(counter: number): number {
    return this.#mean[counter]!;
  }

  /** True once the baseline has learned its warm-up buckets. */
  get warm(): boolean {
    return this.#learned >= this.#warmup;
  }

  /**
   * Tests `counter` over the last `w` closed buckets: fires when the count is at least `min`,
   * `ratio` × the baseline, and `sigma` standard deviations above it (variance: the learned
   * bucket variance, at least Poisson, plus (0.25 × expected)² for drift). `floor` is the
   * smallest baseline per bucket assumed (a quiet route is not "zero").
   * @returns the figures, with `observed >= threshold` when it fires
   */
  test(
    counter: number,
    w: number,
    min: number,
    ratio: number,
    sigma: number,
    floor: number,
    out: SurgeTest,
  ): SurgeTest {
    const observed = this.sum(counter, w);
    const m = Math.max(this.#mean[counter]!, floor);
    const expected = m * w;
    const variance = w * Math.max(this.#var[counter]!, m) + (0.25 * expected) ** 2;
    out.observed = observed;
    out.expected = this.#mean[counter]! * w;
    out.threshold = Math.max(min, ratio * expected, expected + sigma * Math.sqrt(variance));
    out.windowMs = w * this.bucketMs;
    return out;
  }
}
