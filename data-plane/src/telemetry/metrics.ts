import { NONCONFORMING_DEFAULT_METRICS } from "@palisade/events";
import { Counter, collectDefaultMetrics, Gauge, type Metric, Registry } from "prom-client";
import type { AppliedSource } from "../config/table-holder.js";
import type { ShadowSource } from "./shadow-stats.js";
import type { SyncStats } from "./sync-stats.js";
import { LATENCY_BUCKETS_MS, type TrafficSource } from "./traffic-stats.js";

/** What `/metrics` reads at scrape time. */
export interface MetricsSource {
  readonly stats: TrafficSource;
  readonly holder: AppliedSource;
  readonly controlPlaneConnected: () => boolean;
  readonly sync?: SyncStats;
  /** Shadow traffic counters of mirror policies. */
  readonly shadow?: ShadowSource;
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
  register.registerMetric(latencyHistogram(src.stats) as unknown as Metric);
  return register;
}

/** A histogram read from the node's fixed buckets (prom-client's own would be fed per request). */
function latencyHistogram(stats: TrafficSource) {
  const name = "palisade_request_duration_seconds";
  return {
    name,
    help: "Request latency from arrival to the end of the response, seconds.",
    type: "histogram",
    aggregator: "sum",
    reset() {},
    async get() {
      const c = stats.counters();
      const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
      let cumulative = 0;
      for (let i = 0; i < c.latencyBuckets.length; i++) {
        cumulative += c.latencyBuckets[i]!;
        const le = i < LATENCY_BUCKETS_MS.length ? String(LATENCY_BUCKETS_MS[i]! / 1000) : "+Inf";
        values.push({ metricName: `${name}_bucket`, labels: { le }, value: cumulative });
      }
      values.push({ metricName: `${name}_sum`, labels: {}, value: c.latencySumMs / 1000 });
      values.push({ metricName: `${name}_count`, labels: {}, value: cumulative });
      return { name, help: this.help, type: "histogram", aggregator: "sum", values };
    },
  };
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
