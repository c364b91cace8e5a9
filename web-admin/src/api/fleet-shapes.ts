/**
 * The control plane's fleet answers (`GET /v1/nodes`, `GET /v1/nodes/{id}`, `GET /v1/regions`,
 * control-plane/README.md "Fleet endpoints") turned into the shapes the pages read (types.ts).
 * The API speaks in per-second figures and Unix ms (`requests_per_s`, `status_5xx_per_s`,
 * `at: 1764459612311`); the pages in fractions of requests and ISO times. Pure functions, so
 * the conversion is tested without a browser.
 */
import type { FleetNode, Nack, Region, Report } from "./types.ts";

/** One node report as the API sends it (rates per second, latencies in ms, `at` in Unix ms). */
export interface ReportWire {
  at: number;
  interval_ms?: number;
  requests_per_s?: number;
  status_4xx_per_s?: number;
  status_5xx_per_s?: number;
  latency_p50_ms?: number;
  latency_p99_ms?: number;
  active_connections?: number;
  security_events?: Record<string, number>;
  memory_rss_bytes?: number;
}

/** A node as the API sends it. */
export interface NodeWire {
  id: string;
  region: string;
  labels: Record<string, string>;
  /** `connected`, `stale`, `disconnected` or `revoked`. */
  status?: string;
  connected: boolean;
  software_version: string;
  policy_types?: string[];
  applied_version: number;
  applied_hash: string;
  latest_version: number;
  /** The version the node should hold (stable, or its rollout assignment). */
  desired_version?: number;
  lag: number;
  in_sync: boolean;
  last_ack_at: string | null;
  last_nack: Nack | null;
  /** The latest version is not sent to this node: it lacks these features. */
  blocked?: { version: number; missing: string[] } | null;
  first_seen_at: string;
  last_seen_at: string;
  report?: ReportWire | null;
  history?: ReportWire[];
}

/** One region as the API sends it. */
export interface RegionWire {
  region: string;
  nodes: { total: number; connected: number; stale: number; disconnected?: number; revoked?: number };
  current?: ReportWire | null;
  history?: ReportWire[];
}

/** A report in the pages' shape: fractions of requests, seconds, an ISO time. */
export function toReport(w: ReportWire): Report {
  const rps = w.requests_per_s ?? 0;
  const rate = (perS: number | undefined) => (rps > 0 ? (perS ?? 0) / rps : 0);
  return {
    at: new Date(w.at).toISOString(),
    ...(w.interval_ms ? { interval_s: w.interval_ms / 1000 } : {}),
    rps,
    error_rate_4xx: rate(w.status_4xx_per_s),
    error_rate_5xx: rate(w.status_5xx_per_s),
    ...(w.latency_p50_ms !== undefined ? { p50_ms: w.latency_p50_ms } : {}),
    ...(w.latency_p99_ms !== undefined ? { p99_ms: w.latency_p99_ms } : {}),
    ...(w.active_connections !== undefined ? { active_connections: w.active_connections } : {}),
    security_events: w.security_events ?? {},
    ...(w.memory_rss_bytes ? { rss_bytes: w.memory_rss_bytes } : {}),
  };
}

/** A node in the pages' shape: `stale`/`revoked` from its status, `held_back` from `blocked`. */
export function toFleetNode(w: NodeWire): FleetNode {
  const { status, blocked, report, history, ...rest } = w;
  return {
    ...rest,
    stale: status === "stale",
    revoked: status === "revoked",
    report: report ? toReport(report) : null,
    ...(history ? { history: history.map(toReport) } : {}),
    held_back: blocked
      ? {
          version: blocked.version,
          reason: `needs ${blocked.missing.join(", ")}, which this node does not support`,
        }
      : null,
  };
}

/** A region in the pages' shape. */
export function toRegion(w: RegionWire): Region {
  return {
    region: w.region,
    nodes: w.nodes.total,
    connected: w.nodes.connected,
    stale: w.nodes.stale,
    report: w.current ? toReport(w.current) : null,
    history: (w.history ?? []).map(toReport),
  };
}
