import { Counter, Gauge, type Metric, type Registry } from "prom-client";
import type { SiemStats } from "../siem/siem-shipper.js";
import type { EventOutboxStats } from "../sync/event-outbox.js";
import { ROUTE_BUCKETS_MS, type RouteSeries } from "./route-stats.js";
import type { TrafficSource } from "./traffic-stats.js";

type Sample = { metricName: string; labels: Record<string, string | number>; value: number };

/**
 * A histogram exposed from cumulative bucket counters read at scrape time (prom-client's own
 * would be fed per request): one series per label set of `series()`, its buckets counted per
 * bucket of `boundsMs` (ms upper bounds, plus one for +Inf) and exposed in seconds.
 */
export function bucketHistogram(
  name: string,
  help: string,
  series: () => ReadonlyArray<{
    labels: Record<string, string>;
    buckets: ArrayLike<number>;
    sumMs: number;
  }>,
  boundsMs: readonly number[] = ROUTE_BUCKETS_MS,
): Metric {
  const metric = {
    name,
    help,
    type: "histogram",
    aggregator: "sum",
    reset() {},
    async get() {
      const values: Sample[] = [];
      for (const s of series()) {
        let cumulative = 0;
        for (let i = 0; i < s.buckets.length; i++) {
          cumulative += s.buckets[i]!;
          const le = i < boundsMs.length ? String(boundsMs[i]! / 1000) : "+Inf";
          values.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
        }
        values.push({ metricName: `${name}_sum`, labels: s.labels, value: s.sumMs / 1000 });
        values.push({ metricName: `${name}_count`, labels: s.labels, value: cumulative });
      }
      return { name, help, type: "histogram", aggregator: "sum", values };
    },
  };
  return metric as unknown as Metric;
}

function seriesLabels(s: RouteSeries): Record<string, string> {
  return { route: s.route, upstream: s.upstream, status_class: s.statusClass };
}

/**
 * The request loop's metrics (metric catalogue, issue 17), read from the node's counters when
 * scraped:
 * - `palisade_http_server_requests_total{route,upstream,status_class}` counter;
 * - `palisade_http_server_request_duration_seconds{route,upstream,status_class}` histogram
 *   (OpenTelemetry's buckets);
 * - `palisade_upstream_request_duration_seconds{route,upstream,status_class}` histogram: dispatch
 *   to the end of the upstream response, for requests that went upstream;
 * - `palisade_http_server_request_body_bytes_total{route,upstream}`,
 *   `palisade_http_server_response_body_bytes_total{route,upstream}` counters;
 * - `palisade_policy_decisions_total{policy_type,decision,reason}` counter (allow: reason `none`;
 *   `proxy`: the node's own checks).
 * `route` and `upstream` are config ids (`""` for a request no route matched).
 */
export function registerRouteMetrics(register: Registry, stats: TrafficSource): void {
  new Counter({
    name: "palisade_http_server_requests_total",
    help: "Requests answered, by route, upstream and status class.",
    labelNames: ["route", "upstream", "status_class"],
    registers: [register],
    collect() {
      this.reset();
      for (const s of stats.counters().routes) this.inc(seriesLabels(s), s.requests);
    },
  });
  register.registerMetric(
    bucketHistogram(
      "palisade_http_server_request_duration_seconds",
      "Request latency from the first byte in to the end of the response, seconds, by route, upstream and status class.",
      () => stats.counters().routes.map((s) => ({ labels: seriesLabels(s), buckets: s.buckets, sumMs: s.sumMs })),
    ),
  );
  register.registerMetric(
    bucketHistogram(
      "palisade_upstream_request_duration_seconds",
      "Upstream latency from dispatch to the end of the upstream response, seconds, by route, upstream and status class.",
      () =>
        stats
          .counters()
          .routes.filter((s) => s.upstreamCount > 0)
          .map((s) => ({ labels: seriesLabels(s), buckets: s.upstreamBuckets, sumMs: s.upstreamSumMs })),
    ),
  );
  const bytes = (name: string, help: string, pick: (s: RouteSeries) => number) =>
    new Counter({
      name,
      help,
      labelNames: ["route", "upstream"],
      registers: [register],
      collect() {
        this.reset();
        for (const s of stats.counters().routes) this.inc({ route: s.route, upstream: s.upstream }, pick(s));
      },
    });
  bytes(
    "palisade_http_server_request_body_bytes_total",
    "Request body bytes received from clients, by route and upstream.",
    (s) => s.requestBytes,
  );
  bytes(
    "palisade_http_server_response_body_bytes_total",
    "Response body bytes sent to clients, by route and upstream.",
    (s) => s.responseBytes,
  );
  new Counter({
    name: "palisade_policy_decisions_total",
    help: "Policy decisions, by policy type, decision and reason code (allow has reason none).",
    labelNames: ["policy_type", "decision", "reason"],
    registers: [register],
    collect() {
      this.reset();
      const d = stats.counters().decisions;
      for (const key in d) {
        const [policy_type, decision, reason] = key.split("\0") as [string, string, string];
        this.inc({ policy_type, decision, reason }, d[key]!);
      }
    },
  });
}

/** Totals of SIEM counters that outlive a shipper restart (a config change): per sink, and the queue's. */
export interface SiemStatsReader {
  /** The shipper's counters now plus those of the shippers before it, `null` when no sink was ever configured. */
  siemStats(): SiemStats | null;
}

/**
 * The SIEM delivery metrics (src/siem/README.md, "Counters"): delivered, spooled, dropped by
 * sink and reason (`sink="queue"` for the shipper's queue), spool depth and bytes, sink up,
 * failures.
 */
export function registerSiemMetrics(register: Registry, siem: SiemStatsReader): void {
  const perSink = (name: string, help: string, pick: (s: SiemStats["sinks"][number]) => number, gauge = false) => {
    const opts = {
      name,
      help,
      labelNames: ["sink"],
      registers: [register],
    };
    if (gauge)
      new Gauge({
        ...opts,
        collect() {
          this.reset();
          for (const s of siem.siemStats()?.sinks ?? []) this.set({ sink: s.name }, pick(s));
        },
      });
    else
      new Counter({
        ...opts,
        collect() {
          this.reset();
          for (const s of siem.siemStats()?.sinks ?? []) this.inc({ sink: s.name }, pick(s));
        },
      });
  };
  perSink(
    "palisade_siem_events_delivered_total",
    "Security events a SIEM sink confirmed delivered.",
    (s) => s.delivered,
  );
  perSink("palisade_siem_events_spooled_total", "Security events written to a sink's spool.", (s) => s.spooled);
  perSink("palisade_siem_sink_failures_total", "Connection or send failures of a SIEM sink.", (s) => s.failures);
  perSink("palisade_siem_spool_pending_events", "Events in a sink's spool not delivered yet.", (s) => s.pending, true);
  perSink("palisade_siem_spool_bytes", "Bytes of a sink's spool on disk.", (s) => s.spoolBytes, true);
  perSink(
    "palisade_siem_sink_up",
    "1 while a SIEM sink is connected and delivering.",
    (s) => (s.state === "up" ? 1 : 0),
    true,
  );
  new Counter({
    name: "palisade_siem_events_dropped_total",
    help: "Security events dropped, by sink (queue: the shipper's queue) and reason.",
    labelNames: ["sink", "reason"],
    registers: [register],
    collect() {
      this.reset();
      const st = siem.siemStats();
      if (st === null) return;
      this.inc({ sink: "queue", reason: "queue_full" }, st.queue.dropped);
      for (const s of st.sinks)
        for (const [reason, n] of Object.entries(s.dropped)) this.inc({ sink: s.name, reason }, n);
    },
  });
}

/** `palisade_sync_security_events_total{result}`: the control plane's share of the security events. */
export function registerSyncEventMetrics(register: Registry, outbox: () => EventOutboxStats | undefined): void {
  new Counter({
    name: "palisade_sync_security_events_total",
    help: "Security events sent to the control plane, by result (acknowledged, dropped: the buffer was full).",
    labelNames: ["result"],
    registers: [register],
    collect() {
      this.reset();
      const o = outbox();
      this.inc({ result: "acknowledged" }, o?.acknowledged ?? 0);
      this.inc({ result: "dropped" }, o?.dropped ?? 0);
      this.inc({ result: "rejected" }, o?.rejected ?? 0);
    },
  });
}
