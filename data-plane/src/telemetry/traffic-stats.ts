import type { ErrorCode } from "../errors.js";
import { addCounts, addRouteSeries, type RouteSeries, RouteStats } from "./route-stats.js";

/** Upper bounds (ms) of the latency histogram buckets; one more bucket holds everything above. */
export const LATENCY_BUCKETS_MS: readonly number[] = Object.freeze([
  0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
]);

/**
 * Security event type of an error answer, for the reports' `security_events` and the
 * `palisade_security_events_total` metric: the requests a policy or the request checks refused.
 */
export const SECURITY_EVENT_OF: Readonly<Partial<Record<ErrorCode, string>>> = Object.freeze({
  AUTH_TOKEN_MISSING: "auth_token_missing",
  AUTH_TOKEN_INVALID: "auth_token_invalid",
  AUTH_KEY_MISSING: "auth_key_missing",
  AUTH_KEY_INVALID: "auth_key_invalid",
  AUTH_CREDENTIALS_MISSING: "auth_credentials_missing",
  AUTH_FORBIDDEN: "auth_forbidden",
  AUTH_CERT_REQUIRED: "auth_cert_required",
  AUTH_UNAVAILABLE: "auth_unavailable",
  AUTH_AMBIGUOUS: "auth_ambiguous",
  MISDIRECTED_REQUEST: "misdirected_request",
  BAD_REQUEST: "request_malformed",
  HEADERS_TOO_LARGE: "headers_too_large",
});

/** Counters since the node started (monotonic): what reports and `/metrics` are computed from. */
export interface TrafficCounters {
  readonly requests: number;
  readonly status2xx: number;
  readonly status3xx: number;
  readonly status4xx: number;
  readonly status5xx: number;
  /** Request count per latency bucket (same order as LATENCY_BUCKETS_MS, plus +Inf). */
  readonly latencyBuckets: readonly number[];
  /** Sum of latencies, ms. */
  readonly latencySumMs: number;
  readonly securityEvents: Readonly<Record<string, number>>;
  /** Per (route, upstream, status class) series (`palisade_http_server_*`, `palisade_upstream_request_duration_seconds`). */
  readonly routes: readonly RouteSeries[];
  /** Policy decisions by `policy type \0 decision \0 reason` (`palisade_policy_decisions_total`). */
  readonly decisions: Readonly<Record<string, number>>;
  /**
   * The anomaly detector's counters (anomaly/anomaly-node.ts): `dropped` (records a full ring
   * dropped), `restarts` (detector worker failures), `detection:<kind>` (its own detections).
   */
  readonly anomaly: Readonly<Record<string, number>>;
  /**
   * The OTLP span exporter's counters (telemetry/node-tracing.ts): `exported`, `queue_full`,
   * `export_failed` (spans), all 0 while export is off.
   */
  readonly traces: Readonly<Record<string, number>>;
}

/**
 * Where reports and `/metrics` read traffic figures: a process's own {@link TrafficStats}, or in
 * cluster mode the primary's sum over its workers (cluster/cluster-telemetry.ts).
 */
export interface TrafficSource {
  /** The counters since the node started (monotonic; a copy). */
  counters(): TrafficCounters;
  /** Open client connections on the proxy listeners now. */
  readonly activeConnections: number;
}

/** All-zero counters (the start of a sum). */
export function zeroCounters(): TrafficCounters {
  return {
    requests: 0,
    status2xx: 0,
    status3xx: 0,
    status4xx: 0,
    status5xx: 0,
    latencyBuckets: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0),
    latencySumMs: 0,
    securityEvents: Object.fromEntries(Object.values(SECURITY_EVENT_OF).map((t) => [t as string, 0])),
    routes: [],
    decisions: {},
    anomaly: { dropped: 0, restarts: 0 },
    traces: {},
  };
}

/**
 * `a + b`, field by field (histogram buckets bucket by bucket, security events by type): counters
 * of several processes merged exactly, never by averaging figures derived from them.
 */
export function addCounters(a: TrafficCounters, b: TrafficCounters): TrafficCounters {
  const events: Record<string, number> = { ...a.securityEvents };
  for (const [k, v] of Object.entries(b.securityEvents)) events[k] = (events[k] ?? 0) + v;
  const anomaly: Record<string, number> = { ...a.anomaly };
  for (const [k, v] of Object.entries(b.anomaly ?? {})) anomaly[k] = (anomaly[k] ?? 0) + v;
  const n = Math.max(a.latencyBuckets.length, b.latencyBuckets.length);
  const buckets = new Array<number>(n);
  for (let i = 0; i < n; i++) buckets[i] = (a.latencyBuckets[i] ?? 0) + (b.latencyBuckets[i] ?? 0);
  return {
    requests: a.requests + b.requests,
    status2xx: a.status2xx + b.status2xx,
    status3xx: a.status3xx + b.status3xx,
    status4xx: a.status4xx + b.status4xx,
    status5xx: a.status5xx + b.status5xx,
    latencyBuckets: buckets,
    latencySumMs: a.latencySumMs + b.latencySumMs,
    securityEvents: events,
    routes: addRouteSeries(a.routes ?? [], b.routes ?? []),
    decisions: addCounts(a.decisions ?? {}, b.decisions ?? {}),
    anomaly,
    traces: addCounts(a.traces ?? {}, b.traces ?? {}),
  };
}

/**
 * Traffic counters fed by the `logging` phase: plain numbers and a fixed-bucket histogram, so
 * recording a request allocates nothing (Prometheus-style cumulative buckets are computed only
 * when read). One instance per node.
 */
export class TrafficStats implements TrafficSource {
  #requests = 0;
  #s2 = 0;
  #s3 = 0;
  #s4 = 0;
  #s5 = 0;
  readonly #buckets = new Float64Array(LATENCY_BUCKETS_MS.length + 1);
  #sumMs = 0;
  readonly #events = new Map<string, number>(Object.values(SECURITY_EVENT_OF).map((t) => [t as string, 0]));
  /** Open client connections on the proxy listener (kept by the proxy server). */
  activeConnections = 0;
  /** Per (route, upstream, status class) counters, fed by the `logging` phase with {@link RouteStats.record}. */
  readonly routes = new RouteStats();
  readonly #decisions = new Map<string, { allow: number; deny: Map<string, number> }>();

  /**
   * Counts a policy decision: `allow` (a policy let the request go on) or `deny` with the
   * refusal's reason code. `policyType` is the policy's type, or `proxy` for the node's own checks.
   */
  decision(policyType: string, deny: string | null): void {
    let d = this.#decisions.get(policyType);
    if (d === undefined) {
      d = { allow: 0, deny: new Map() };
      this.#decisions.set(policyType, d);
    }
    if (deny === null) d.allow++;
    else d.deny.set(deny, (d.deny.get(deny) ?? 0) + 1);
  }
  /** The anomaly detector's counters, read with the others (set by the proxy node that runs one). */
  anomaly: (() => Readonly<Record<string, number>>) | undefined;
  /** The span exporter's counters, read with the others (set by the proxy node). */
  traces: (() => Readonly<Record<string, number>>) | undefined;

  /**
   * Records one finished request.
   * @param status the status sent (0 when the connection was cut before a response)
   * @param durationMs from the request's arrival to the end of the response
   * @param errorCode the error answered, if any
   */
  record(status: number, durationMs: number, errorCode: ErrorCode | undefined): void {
    this.#requests++;
    if (status >= 500 || status === 0) this.#s5++;
    else if (status >= 400) this.#s4++;
    else if (status >= 300) this.#s3++;
    else this.#s2++;
    let i = 0;
    const n = LATENCY_BUCKETS_MS.length;
    while (i < n && durationMs > LATENCY_BUCKETS_MS[i]!) i++;
    this.#buckets[i]!++;
    this.#sumMs += durationMs;
    if (errorCode !== undefined) {
      const ev = SECURITY_EVENT_OF[errorCode];
      if (ev !== undefined) this.#events.set(ev, (this.#events.get(ev) ?? 0) + 1);
    }
  }

  /**
   * Counts one security event of `type` that no error code stands for (a WAF block, detection or
   * engine error: the WAF policy emits those itself), so reports' `security_events` and the
   * rollout gate's `security_event_rate:<type>` see them.
   */
  countEvent(type: string): void {
    this.#events.set(type, (this.#events.get(type) ?? 0) + 1);
  }

  /** A copy of the counters. */
  counters(): TrafficCounters {
    return {
      requests: this.#requests,
      status2xx: this.#s2,
      status3xx: this.#s3,
      status4xx: this.#s4,
      status5xx: this.#s5,
      latencyBuckets: Array.from(this.#buckets),
      latencySumMs: this.#sumMs,
      securityEvents: Object.fromEntries(this.#events),
      routes: this.routes.series(),
      decisions: this.#decisionCounts(),
      anomaly: this.anomaly?.() ?? { dropped: 0, restarts: 0 },
      traces: this.traces?.() ?? {},
    };
  }

  #decisionCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [type, d] of this.#decisions) {
      if (d.allow > 0) out[`${type}\0allow\0none`] = d.allow;
      for (const [reason, n] of d.deny) out[`${type}\0deny\0${reason}`] = n;
    }
    return out;
  }
}

/**
 * The `q` quantile (0..1) of a fixed-bucket histogram, interpolated linearly inside the bucket
 * (Prometheus' histogram_quantile). `bounds` are the buckets' upper bounds (one more bucket holds
 * everything above: it answers its lower bound). The first bucket spans `lowest` to `bounds[0]`;
 * with `lowest` undefined it is open below and answers its upper bound.
 * @returns 0 when nothing was counted
 */
export function histogramQuantile(
  buckets: ArrayLike<number>,
  bounds: readonly number[],
  q: number,
  lowest: number | undefined,
): number {
  let total = 0;
  for (let i = 0; i < buckets.length; i++) total += buckets[i]!;
  if (total === 0) return 0;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const c = buckets[i]!;
    if (seen + c >= rank && c > 0) {
      const hi = bounds[i];
      const lo = i === 0 ? lowest : bounds[i - 1]!;
      if (lo === undefined) return hi!;
      if (hi === undefined) return lo;
      return lo + (hi - lo) * ((rank - seen) / c);
    }
    seen += c;
  }
  return bounds.at(-1)!;
}

/**
 * The `q` quantile (0..1) of latencies counted per bucket, interpolated linearly inside the
 * bucket (as Prometheus' histogram_quantile does); the +Inf bucket answers its lower bound.
 * @returns ms, 0 when there is no request
 */
export function quantileMs(buckets: readonly number[], q: number): number {
  return histogramQuantile(buckets, LATENCY_BUCKETS_MS, q, 0);
}
