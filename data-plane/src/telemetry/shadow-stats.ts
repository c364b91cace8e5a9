/**
 * Shadow traffic counters (mirror policy), per route: what the node reports in
 * `NodeReport.shadow` and serves on `/metrics`. Counts are since the node started (monotonic);
 * recording allocates nothing (plain numbers and a fixed-bucket histogram of latency
 * differences).
 */
import { histogramQuantile } from "./traffic-stats.js";

/** Why a sampled request got no comparison. */
export type ShadowDropReason =
  /** `max_in_flight` shadow requests were already running. */
  | "queue_full"
  /** The body is longer than `max_body_bytes` (declared, or counted on the stream). */
  | "body_too_large"
  /** The shadow could not be reached or reset the exchange (no status). */
  | "shadow_error"
  /** The shadow did not answer within `timeout_ms`. */
  | "shadow_timeout"
  /** The request body did not arrive whole, or the client left before the primary answered. */
  | "incomplete";

/** Every drop reason, in report order. */
export const SHADOW_DROP_REASONS: readonly ShadowDropReason[] = Object.freeze([
  "queue_full",
  "body_too_large",
  "shadow_error",
  "shadow_timeout",
  "incomplete",
]);

/**
 * Upper bounds (ms) of the latency-difference buckets (shadow − primary), symmetric around 0:
 * 0, then ±0.25 ms growing by 20 % per bucket up to about ±60 s (a quantile read from them is
 * within 20 % of the true value); one more bucket holds everything above the last.
 */
export const DIFF_BUCKETS_MS: readonly number[] = Object.freeze(
  (() => {
    const pos: number[] = [];
    for (let v = 0.25; v < 60_000; v *= 1.2) pos.push(Math.round(v * 1000) / 1000);
    return [...pos.map((v) => -v).reverse(), 0, ...pos];
  })(),
);

/** Index of the bucket of `ms`: the first upper bound not below it (binary search). */
function bucketOf(ms: number): number {
  let lo = 0;
  let hi = DIFF_BUCKETS_MS.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (DIFF_BUCKETS_MS[mid]! < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counters of one route's shadow traffic. */
export class RouteShadowCounters {
  /** Shadow requests sent. */
  mirrored = 0;
  /** Shadow answers compared with the primary's. */
  compared = 0;
  /** Compared answers whose status class differed. */
  disagreed = 0;
  /** Drops by reason, in {@link SHADOW_DROP_REASONS} order. */
  readonly dropped = new Float64Array(SHADOW_DROP_REASONS.length);
  /** Compared requests per latency-difference bucket (DIFF_BUCKETS_MS, plus the one above). */
  readonly diffBuckets = new Float64Array(DIFF_BUCKETS_MS.length + 1);
  /** Sum of the latency differences, ms. */
  diffSumMs = 0;

  /** Counts a sampled request that got no comparison. */
  drop(reason: ShadowDropReason): void {
    this.dropped[SHADOW_DROP_REASONS.indexOf(reason)]!++;
  }

  /**
   * Counts one comparison.
   * @param primaryStatus status the client got (an error answer's status when the primary failed)
   * @param shadowStatus status the shadow answered
   * @param diffMs shadow latency minus primary latency, ms (each from dispatch to response headers)
   */
  compare(primaryStatus: number, shadowStatus: number, diffMs: number): void {
    this.compared++;
    if (Math.floor(primaryStatus / 100) !== Math.floor(shadowStatus / 100)) this.disagreed++;
    this.diffBuckets[bucketOf(diffMs)]!++;
    this.diffSumMs += diffMs;
  }
}

/** One route's shadow figures as read (report, metrics). */
export interface RouteShadowFigures {
  readonly routeId: string;
  readonly mirrored: number;
  readonly compared: number;
  readonly disagreed: number;
  readonly dropped: Readonly<Record<ShadowDropReason, number>>;
  /** Mean, median and 99th percentile of shadow − primary latency, ms (0 when nothing was compared). */
  readonly diffMeanMs: number;
  readonly diffP50Ms: number;
  readonly diffP99Ms: number;
}

/**
 * One route's shadow counters as plain numbers (a copy): what a cluster worker sends its primary.
 * Every field adds up across processes (the histogram bucket by bucket), so merged figures are
 * exact; quantiles are computed only from the merged histogram, never averaged.
 */
export interface RouteShadowRaw {
  readonly routeId: string;
  readonly mirrored: number;
  readonly compared: number;
  readonly disagreed: number;
  /** Drops by reason, in {@link SHADOW_DROP_REASONS} order. */
  readonly dropped: readonly number[];
  /** Compared requests per latency-difference bucket (DIFF_BUCKETS_MS, plus the one above). */
  readonly diffBuckets: readonly number[];
  /** Sum of the latency differences, ms. */
  readonly diffSumMs: number;
}

/** Where reports and `/metrics` read shadow figures: ShadowStats, or a cluster primary's sum. */
export interface ShadowSource {
  /** Every route's figures, ordered by route id. */
  figures(): RouteShadowFigures[];
}

/** `a + b` for one route (same route id), field by field. */
export function addShadowRaw(a: RouteShadowRaw, b: RouteShadowRaw): RouteShadowRaw {
  const sum = (x: readonly number[], y: readonly number[]) =>
    Array.from({ length: Math.max(x.length, y.length) }, (_, i) => (x[i] ?? 0) + (y[i] ?? 0));
  return {
    routeId: a.routeId,
    mirrored: a.mirrored + b.mirrored,
    compared: a.compared + b.compared,
    disagreed: a.disagreed + b.disagreed,
    dropped: sum(a.dropped, b.dropped),
    diffBuckets: sum(a.diffBuckets, b.diffBuckets),
    diffSumMs: a.diffSumMs + b.diffSumMs,
  };
}

/** The figures (counts, mean, p50, p99) of one route's raw counters. */
export function shadowFigures(c: RouteShadowRaw): RouteShadowFigures {
  return {
    routeId: c.routeId,
    mirrored: c.mirrored,
    compared: c.compared,
    disagreed: c.disagreed,
    dropped: Object.fromEntries(SHADOW_DROP_REASONS.map((r, i) => [r, c.dropped[i] ?? 0])) as Record<
      ShadowDropReason,
      number
    >,
    diffMeanMs: c.compared === 0 ? 0 : c.diffSumMs / c.compared,
    diffP50Ms: diffQuantileMs(c.diffBuckets, 0.5),
    diffP99Ms: diffQuantileMs(c.diffBuckets, 0.99),
  };
}

/** The shadow counters of every route with a mirror policy that saw traffic, one per node process. */
export class ShadowStats implements ShadowSource {
  readonly #routes = new Map<string, RouteShadowCounters>();

  /** The counters of a route, created on first use. */
  route(routeId: string): RouteShadowCounters {
    let c = this.#routes.get(routeId);
    if (c === undefined) {
      c = new RouteShadowCounters();
      this.#routes.set(routeId, c);
    }
    return c;
  }

  /** A copy of every route's raw counters, ordered by route id. */
  raw(): RouteShadowRaw[] {
    return [...this.#routes.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([routeId, c]) => ({
        routeId,
        mirrored: c.mirrored,
        compared: c.compared,
        disagreed: c.disagreed,
        dropped: Array.from(c.dropped),
        diffBuckets: Array.from(c.diffBuckets),
        diffSumMs: c.diffSumMs,
      }));
  }

  figures(): RouteShadowFigures[] {
    return this.raw().map(shadowFigures);
  }
}

/**
 * The `q` quantile (0..1) of latency differences counted per bucket, interpolated linearly inside
 * the bucket (Prometheus' histogram_quantile); the open buckets at both ends answer their inner
 * bound.
 * @returns ms, 0 when nothing was counted
 */
export function diffQuantileMs(buckets: ArrayLike<number>, q: number): number {
  return histogramQuantile(buckets, DIFF_BUCKETS_MS, q, undefined);
}
