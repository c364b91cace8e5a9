import { HTTP_DURATION_BUCKETS_S } from "@palisade/events";

/**
 * Upper bounds (ms) of the per-route histograms: OpenTelemetry's advice for
 * `http.server.request.duration` (HTTP_DURATION_BUCKETS_S of the metric catalogue) in ms; one
 * more bucket holds everything above.
 */
export const ROUTE_BUCKETS_MS: readonly number[] = Object.freeze(HTTP_DURATION_BUCKETS_S.map((s) => s * 1000));

/** Status classes of the per-route series, in index order (`0`: cut before a status, counted as 5xx). */
export const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;

/**
 * The cumulative counters of one (route, upstream, status class) series: the requests, their
 * latency histogram, the upstream latency histogram of those that reached an upstream, and body
 * bytes. Plain numbers and arrays: sent over IPC and added across workers.
 */
export interface RouteSeries {
  /** Route id, `""` for a request refused before routing. */
  readonly route: string;
  /** Upstream id, `""` when the request never had one. */
  readonly upstream: string;
  /** One of {@link STATUS_CLASSES}. */
  readonly statusClass: string;
  readonly requests: number;
  /** Requests per bucket of ROUTE_BUCKETS_MS, plus +Inf. */
  readonly buckets: readonly number[];
  /** Sum of request durations, ms. */
  readonly sumMs: number;
  /** Requests that went upstream per bucket (dispatch to the end of the upstream response). */
  readonly upstreamBuckets: readonly number[];
  readonly upstreamSumMs: number;
  readonly upstreamCount: number;
  /** Request body bytes received. */
  readonly requestBytes: number;
  /** Response body bytes sent. */
  readonly responseBytes: number;
}

/** One series' live counters (mutable, allocation-free to update). */
class Series {
  requests = 0;
  readonly buckets = new Float64Array(ROUTE_BUCKETS_MS.length + 1);
  sumMs = 0;
  readonly upstreamBuckets = new Float64Array(ROUTE_BUCKETS_MS.length + 1);
  upstreamSumMs = 0;
  upstreamCount = 0;
  requestBytes = 0;
  responseBytes = 0;
}

function bucketOf(ms: number): number {
  const b = ROUTE_BUCKETS_MS;
  let i = 0;
  while (i < b.length && ms > b[i]!) i++;
  return i;
}

/** The status class index of a status: 1xx … 5xx; 0 (cut before any status) counts as 5xx. */
export function statusClassIndex(status: number): number {
  if (status >= 100 && status < 600) return ((status / 100) | 0) - 1;
  return 4;
}

/**
 * Per (route, upstream, status class) counters, fed by the `logging` phase. Label values come
 * from config ids only (routes, upstreams) and a closed set (status classes): the cardinality is
 * bounded by the config, and series of routes a later config removed stay (counters never go
 * backwards) up to `maxSeries`, beyond which new series are counted under route `"_other"`.
 * Recording looks up two maps with the config's own strings and increments numbers: no
 * allocation once a series exists.
 */
export class RouteStats {
  readonly #routes = new Map<string, Map<string, Array<Series | undefined>>>();
  readonly #maxSeries: number;
  #series = 0;

  /** @param maxSeries series kept before new ones fold into route `_other` (default 20,000) */
  constructor(maxSeries = 20_000) {
    this.#maxSeries = maxSeries;
  }

  /**
   * Counts one finished request.
   * @param upstreamMs dispatch to the end of the upstream response, ms; negative when it never went upstream
   */
  record(
    route: string,
    upstream: string,
    status: number,
    ms: number,
    upstreamMs: number,
    requestBytes: number,
    responseBytes: number,
  ): void {
    const s = this.#series_(route, upstream, statusClassIndex(status));
    s.requests++;
    s.buckets[bucketOf(ms)]!++;
    s.sumMs += ms;
    if (upstreamMs >= 0) {
      s.upstreamBuckets[bucketOf(upstreamMs)]!++;
      s.upstreamSumMs += upstreamMs;
      s.upstreamCount++;
    }
    s.requestBytes += requestBytes;
    s.responseBytes += responseBytes;
  }

  #series_(route: string, upstream: string, cls: number): Series {
    let byUpstream = this.#routes.get(route);
    let classes = byUpstream?.get(upstream);
    let s = classes?.[cls];
    if (s !== undefined) return s;
    if (this.#series >= this.#maxSeries && route !== "_other") return this.#series_("_other", "_other", cls);
    if (byUpstream === undefined) {
      byUpstream = new Map();
      this.#routes.set(route, byUpstream);
    }
    if (classes === undefined) {
      classes = new Array<Series | undefined>(STATUS_CLASSES.length).fill(undefined);
      byUpstream.set(upstream, classes);
    }
    s = new Series();
    classes[cls] = s;
    this.#series++;
    return s;
  }

  /** A copy of every series (cumulative). */
  series(): RouteSeries[] {
    const out: RouteSeries[] = [];
    for (const [route, byUpstream] of this.#routes)
      for (const [upstream, classes] of byUpstream)
        for (let i = 0; i < classes.length; i++) {
          const s = classes[i];
          if (s === undefined) continue;
          out.push({
            route,
            upstream,
            statusClass: STATUS_CLASSES[i]!,
            requests: s.requests,
            buckets: Array.from(s.buckets),
            sumMs: s.sumMs,
            upstreamBuckets: Array.from(s.upstreamBuckets),
            upstreamSumMs: s.upstreamSumMs,
            upstreamCount: s.upstreamCount,
            requestBytes: s.requestBytes,
            responseBytes: s.responseBytes,
          });
        }
    return out;
  }
}

function addArrays(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = (a[i] ?? 0) + (b[i] ?? 0);
  return out;
}

/** `a + b` series by series (same route, upstream and class added; the others kept): workers' counters merged exactly. */
export function addRouteSeries(a: readonly RouteSeries[], b: readonly RouteSeries[]): RouteSeries[] {
  const byKey = new Map<string, RouteSeries>();
  for (const s of [...a, ...b]) {
    const key = `${s.route}\0${s.upstream}\0${s.statusClass}`;
    const p = byKey.get(key);
    byKey.set(
      key,
      p === undefined
        ? s
        : {
            route: s.route,
            upstream: s.upstream,
            statusClass: s.statusClass,
            requests: p.requests + s.requests,
            buckets: addArrays(p.buckets, s.buckets),
            sumMs: p.sumMs + s.sumMs,
            upstreamBuckets: addArrays(p.upstreamBuckets, s.upstreamBuckets),
            upstreamSumMs: p.upstreamSumMs + s.upstreamSumMs,
            upstreamCount: p.upstreamCount + s.upstreamCount,
            requestBytes: p.requestBytes + s.requestBytes,
            responseBytes: p.responseBytes + s.responseBytes,
          },
    );
  }
  return [...byKey.values()];
}

/** Adds two `key → count` records (policy decisions). */
export function addCounts(
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const k in b) out[k] = (out[k] ?? 0) + b[k]!;
  return out;
}
