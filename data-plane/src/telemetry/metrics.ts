import { NONCONFORMING_DEFAULT_METRICS } from "@palisade/events";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { AppliedSource } from "../config/table-holder.js";
import type { EventOutboxStats } from "../sync/event-outbox.js";
import {
  bucketHistogram,
  registerRouteMetrics,
  registerSiemMetrics,
  registerSyncEventMetrics,
  type SiemStatsReader,
} from "./route-metrics.js";
import type { ShadowSource } from "./shadow-stats.js";
import type { SyncStats } from "./sync-stats.js";
import { LATENCY_BUCKETS_MS, type TrafficSource } from "./traffic-stats.js";
import { registerUpstreamMetrics } from "./upstream-metrics.js";
import type { UpstreamSource } from "./upstream-stats.js";
import { registerWafMetrics } from "./waf-metrics.js";
import type { WafSource } from "./waf-stats.js";

/** What `/metrics` reads at scrape time. */
export interface MetricsSource {
  readonly stats: TrafficSource;
  readonly holder: AppliedSource;
  readonly controlPlaneConnected: () => boolean;
  readonly sync?: SyncStats;
  /** Shadow traffic counters of mirror policies. */
  readonly shadow?: ShadowSource;
  /** WAF counters per route of waf policies (`palisade_waf_*`). */
  readonly waf?: WafSource;
  /** The SIEM shipper's counters (`palisade_siem_*`). */
  readonly siem?: SiemStatsReader;
  /** The control plane's security-event outbox (`palisade_sync_security_events_total`). */
  readonly syncEvents?: () => EventOutboxStats | undefined;
  /** The upstreams' health, breaker and retry figures (`palisade_upstream_*`). */
  readonly upstreams?: UpstreamSource;
}

/**
 * The Prometheus registry of a node (prom-client), served at `GET /metrics` on the status
 * listener. Every figure is read from the node's counters when scraped (prom-client `collect`),
 * so the request path never touches prom-client:
 * - `palisade_requests_total{class="2xx"|"3xx"|"4xx"|"5xx"}` counter;
 * - `palisade_request_duration_seconds` histogram (buckets of LATENCY_BUCKETS_MS);
 * - `palisade_active_connections` gauge;
 * - `palisade_security_events_total{type}` counter;
 * - `palisade_config_version`, `palisade_config_applied_timestamp_seconds`,
 *   `palisade_control_plane_connected` gauges;
 * - `palisade_config_updates_total{kind="full"|"delta"|"nacked"}` and
 *   `palisade_config_update_bytes_total` counters (the config stream);
 * - `palisade_shadow_requests_total{route}`, `palisade_shadow_compared_total{route,result="agreed"|"disagreed"}`,
 *   `palisade_shadow_dropped_total{route,reason}` counters and `palisade_shadow_latency_diff_ms{route,stat="mean"|"p50"|"p99"}`
 *   gauge (shadow − primary, since the node started), for routes with a mirror policy;
 * - the WAF's `palisade_waf_*` metrics (waf-metrics.ts), when the node has WAF counters;
 * - `palisade_config_last_known_good` gauge: 1 while the config served came from the last-known-good file;
 * - the request loop's per-route metrics and policy decisions (route-metrics.ts);
 * - `palisade_sync_security_events_total{result}` and the SIEM delivery metrics `palisade_siem_*`
 *   (route-metrics.ts), when the node has them;
 * - the upstreams' `palisade_upstream_*` health, breaker and retry metrics (upstream-metrics.ts);
 * - `palisade_anomaly_records_dropped_total`, `palisade_anomaly_worker_restarts_total` and
 *   `palisade_anomaly_detections_total{detector}` counters (the anomaly detector of each proxy process);
 * - `palisade_trace_spans_exported_total` and `palisade_trace_spans_dropped_total{reason}` counters
 *   (the OTLP span export, node-tracing.ts);
 * - prom-client's default `process_*` and `nodejs_*` metrics (memory, CPU, event loop lag).
 */
export function createMetricsRegistry(src: MetricsSource): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register });
  // Gauges named _total, which promtool refuses (the metric catalogue, @palisade/events).
  for (const name of NONCONFORMING_DEFAULT_METRICS) register.removeSingleMetric(name);
  new Counter({
    name: "palisade_requests_total",
    help: "Requests answered, by status class.",
    labelNames: ["class"],
    registers: [register],
    collect() {
      const c = src.stats.counters();
      this.reset();
      this.inc({ class: "2xx" }, c.status2xx);
      this.inc({ class: "3xx" }, c.status3xx);
      this.inc({ class: "4xx" }, c.status4xx);
      this.inc({ class: "5xx" }, c.status5xx);
    },
  });
  new Counter({
    name: "palisade_security_events_total",
    help: "Requests refused by a security check, by event type.",
    labelNames: ["type"],
    registers: [register],
    collect() {
      this.reset();
      for (const [type, n] of Object.entries(src.stats.counters().securityEvents)) this.inc({ type }, n);
    },
  });
  new Counter({
    name: "palisade_anomaly_records_dropped_total",
    help: "Request records dropped because the detector's ring was full.",
    registers: [register],
    collect() {
      this.reset();
      this.inc(src.stats.counters().anomaly.dropped ?? 0);
    },
  });
  new Counter({
    name: "palisade_anomaly_worker_restarts_total",
    help: "Times the anomaly detector worker failed and was restarted (traffic is not affected).",
    registers: [register],
    collect() {
      this.reset();
      this.inc(src.stats.counters().anomaly.restarts ?? 0);
    },
  });
  new Counter({
    name: "palisade_anomaly_detections_total",
    help: "Anomaly detections on this node, by detector.",
    labelNames: ["detector"],
    registers: [register],
    collect() {
      this.reset();
      for (const [k, n] of Object.entries(src.stats.counters().anomaly))
        if (k.startsWith("detection:")) this.inc({ detector: k.slice(10) }, n);
    },
  });
  new Counter({
    name: "palisade_trace_spans_exported_total",
    help: "Server spans the OTLP collector accepted.",
    registers: [register],
    collect() {
      this.reset();
      this.inc(src.stats.counters().traces?.exported ?? 0);
    },
  });
  new Counter({
    name: "palisade_trace_spans_dropped_total",
    help: "Sampled server spans not exported, by reason (queue_full: the collector was slow or down; export_failed: the export request failed).",
    labelNames: ["reason"],
    registers: [register],
    collect() {
      this.reset();
      const t = src.stats.counters().traces ?? {};
      this.inc({ reason: "queue_full" }, t.queue_full ?? 0);
      this.inc({ reason: "export_failed" }, t.export_failed ?? 0);
    },
  });
  new Gauge({
    name: "palisade_active_connections",
    help: "Open client connections on the proxy listener.",
    registers: [register],
    collect() {
      this.set(src.stats.activeConnections);
    },
  });
  new Gauge({
    name: "palisade_config_version",
    help: "Config version the node serves (0 = none).",
    registers: [register],
    collect() {
      this.set(Number(src.holder.applied?.version ?? 0n));
    },
  });
  new Gauge({
    name: "palisade_config_applied_timestamp_seconds",
    help: "When the served config was applied, Unix seconds (0 = none).",
    registers: [register],
    collect() {
      this.set((src.holder.applied?.appliedAt.getTime() ?? 0) / 1000);
    },
  });
  new Gauge({
    name: "palisade_control_plane_connected",
    help: "1 while the config stream to the control plane is up.",
    registers: [register],
    collect() {
      this.set(src.controlPlaneConnected() ? 1 : 0);
    },
  });
  new Gauge({
    name: "palisade_config_last_known_good",
    help: "1 while the node serves its last-known-good config from disk (the control plane was not reachable at start).",
    registers: [register],
    collect() {
      this.set(src.holder.applied?.source === "cache" ? 1 : 0);
    },
  });
  registerRouteMetrics(register, src.stats);
  if (src.siem) registerSiemMetrics(register, src.siem);
  if (src.syncEvents) registerSyncEventMetrics(register, src.syncEvents);
  const sync = src.sync;
  if (sync) {
    new Counter({
      name: "palisade_config_updates_total",
      help: "Config updates received from the control plane, by kind (nacked: refused).",
      labelNames: ["kind"],
      registers: [register],
      collect() {
        this.reset();
        this.inc({ kind: "full" }, sync.full);
        this.inc({ kind: "delta" }, sync.delta);
        this.inc({ kind: "nacked" }, sync.nacked);
      },
    });
    new Counter({
      name: "palisade_config_update_bytes_total",
      help: "Encoded bytes of the config updates received.",
      registers: [register],
      collect() {
        this.reset();
        this.inc(sync.bytes);
      },
    });
  }
  const shadow = src.shadow;
  if (shadow) registerShadowMetrics(register, shadow);
  if (src.waf) registerWafMetrics(register, src.waf);
  if (src.upstreams) registerUpstreamMetrics(register, src.upstreams);
  // Read from the node's fixed buckets (prom-client's own histogram would be fed per request).
  register.registerMetric(
    bucketHistogram(
      "palisade_request_duration_seconds",
      "Request latency from arrival to the end of the response, seconds.",
      () => {
        const c = src.stats.counters();
        return [{ labels: {}, buckets: c.latencyBuckets, sumMs: c.latencySumMs }];
      },
      LATENCY_BUCKETS_MS,
    ),
  );
  return register;
}

/** The mirror policies' counters, read at scrape time. */
function registerShadowMetrics(register: Registry, shadow: ShadowSource): void {
  new Counter({
    name: "palisade_shadow_requests_total",
    help: "Shadow requests sent by mirror policies, by route.",
    labelNames: ["route"],
    registers: [register],
    collect() {
      this.reset();
      for (const f of shadow.figures()) this.inc({ route: f.routeId }, f.mirrored);
    },
  });
  new Counter({
    name: "palisade_shadow_compared_total",
    help: "Shadow answers compared with the primary's, by route and whether the status class agreed.",
    labelNames: ["route", "result"],
    registers: [register],
    collect() {
      this.reset();
      for (const f of shadow.figures()) {
        this.inc({ route: f.routeId, result: "agreed" }, f.compared - f.disagreed);
        this.inc({ route: f.routeId, result: "disagreed" }, f.disagreed);
      }
    },
  });
  new Counter({
    name: "palisade_shadow_dropped_total",
    help: "Sampled requests not mirrored or mirrored without an answer, by route and reason.",
    labelNames: ["route", "reason"],
    registers: [register],
    collect() {
      this.reset();
      for (const f of shadow.figures())
        for (const [reason, n] of Object.entries(f.dropped)) this.inc({ route: f.routeId, reason }, n);
    },
  });
  new Gauge({
    name: "palisade_shadow_latency_diff_ms",
    help: "Shadow latency minus primary latency (dispatch to response headers), ms, since the node started.",
    labelNames: ["route", "stat"],
    registers: [register],
    collect() {
      this.reset();
      for (const f of shadow.figures()) {
        this.set({ route: f.routeId, stat: "mean" }, f.diffMeanMs);
        this.set({ route: f.routeId, stat: "p50" }, f.diffP50Ms);
        this.set({ route: f.routeId, stat: "p99" }, f.diffP99Ms);
      }
    },
  });
}
