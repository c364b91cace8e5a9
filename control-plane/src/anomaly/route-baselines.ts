import type { NodeSummary } from "@palisade/anomaly";

/** Buckets kept per route (5 s each: the last 10 minutes). */
const BUCKETS = 120;
const BUCKET_MS = 5000;
/** Routes charted at most (the busiest are kept: a newcomer replaces the quietest). */
const MAX_ROUTES = 512;
/** The series: requests, authentication failures, 4xx (other than 401/403), 5xx. */
const SERIES = 4;

class RouteSeries {
  readonly counts = new Float64Array(BUCKETS * SERIES);
  bucket = 0;
  total = 0;
}

/** One route's chart data. */
export interface RouteBaselineView {
  readonly route: string;
  /** Start of the first bucket, Unix ms; buckets are 5 s, oldest first. */
  readonly startMs: number;
  readonly bucketMs: number;
  readonly requests: number[];
  readonly authFailures: number[];
  readonly status4xx: number[];
  readonly status5xx: number[];
}

/**
 * The fleet's per-route counts over the last 10 minutes in 5 s buckets, summed over every
 * node's summaries: what the web admin draws as small charts beside the detections. Bounded
 * (512 routes × 120 buckets × 4 series of float64 = 2 MiB at most).
 */
export class RouteBaselines {
  readonly #routes = new Map<string, RouteSeries>();

  /** Adds one node summary received at `nowMs`. */
  add(s: NodeSummary, nowMs: number): void {
    const b = Math.floor(nowMs / BUCKET_MS);
    for (const r of s.routes) {
      let rs = this.#routes.get(r.route);
      if (rs === undefined) {
        if (this.#routes.size >= MAX_ROUTES) {
          let quiet: string | undefined;
          let least = Number.POSITIVE_INFINITY;
          for (const [k, v] of this.#routes)
            if (v.total < least) {
              least = v.total;
              quiet = k;
            }
          if (quiet === undefined || least > r.requests) continue;
          this.#routes.delete(quiet);
        }
        rs = new RouteSeries();
        rs.bucket = b;
        this.#routes.set(r.route, rs);
      }
      this.#roll(rs, b);
      const at = (b % BUCKETS) * SERIES;
      const c = rs.counts;
      c[at] = c[at]! + r.requests;
      c[at + 1] = c[at + 1]! + r.authFailures;
      c[at + 2] = c[at + 2]! + r.status4xx;
      c[at + 3] = c[at + 3]! + r.status5xx;
      rs.total += r.requests;
    }
  }

  #roll(rs: RouteSeries, b: number): void {
    if (b <= rs.bucket) return;
    const steps = Math.min(BUCKETS, b - rs.bucket);
    for (let i = 1; i <= steps; i++)
      rs.counts.fill(0, ((rs.bucket + i) % BUCKETS) * SERIES, ((rs.bucket + i) % BUCKETS) * SERIES + SERIES);
    rs.bucket = b;
  }

  /** Every route's series, busiest first. */
  view(nowMs: number): RouteBaselineView[] {
    const b = Math.floor(nowMs / BUCKET_MS);
    const out: RouteBaselineView[] = [];
    for (const [route, rs] of this.#routes) {
      this.#roll(rs, b);
      const series: number[][] = [[], [], [], []];
      for (let i = BUCKETS - 1; i >= 0; i--) {
        const at = (((b - i) % BUCKETS) + BUCKETS) % BUCKETS;
        for (let k = 0; k < SERIES; k++) series[k]!.push(rs.counts[at * SERIES + k]!);
      }
      out.push({
        route,
        startMs: (b - BUCKETS + 1) * BUCKET_MS,
        bucketMs: BUCKET_MS,
        requests: series[0]!,
        authFailures: series[1]!,
        status4xx: series[2]!,
        status5xx: series[3]!,
      });
    }
    return out.sort((x, y) => y.requests.reduce((a, v) => a + v, 0) - x.requests.reduce((a, v) => a + v, 0));
  }
}
