import type { NodeReport, ShadowRouteReport } from "@palisade/proto";
import { type WafPoint, wafPoints } from "./waf-report.js";

/**
 * How one route's shadow upstream (mirror policy) compared with its primary, as the node counts
 * it since it started. `disagreement_rate` = disagreed / compared (0 when nothing was compared):
 * 0.003 reads "the shadow disagreed on 0.3 % of the requests compared".
 */
export interface ShadowPoint {
  /** Shadow requests sent. */
  readonly mirrored: number;
  /** Shadow answers compared with the primary's (both ended with a status). */
  readonly compared: number;
  /** Compared answers in another status class than the primary's. */
  readonly disagreed: number;
  readonly disagreement_rate: number;
  /** Sampled requests not mirrored or mirrored without an answer, all reasons. */
  readonly dropped: number;
  /** `dropped` by reason: queue_full, body_too_large, shadow_error, shadow_timeout, primary_incomplete. */
  readonly dropped_by_reason: Readonly<Record<string, number>>;
  /** Shadow latency minus primary latency (dispatch → response headers), ms. */
  readonly latency_diff_ms: { readonly mean: number; readonly p50: number; readonly p99: number };
}

/** The report's per-route shadow entries, keyed by route id. */
export function shadowPoints(list: readonly ShadowRouteReport[]): Record<string, ShadowPoint> {
  const out: Record<string, ShadowPoint> = {};
  for (const s of list) {
    const byReason = Object.fromEntries(Object.entries(s.dropped).map(([k, v]) => [k, Number(v)]));
    const compared = Number(s.compared);
    const disagreed = Number(s.disagreed);
    out[s.routeId] = {
      mirrored: Number(s.mirrored),
      compared,
      disagreed,
      disagreement_rate: compared === 0 ? 0 : disagreed / compared,
      dropped: Object.values(byReason).reduce((a, b) => a + b, 0),
      dropped_by_reason: byReason,
      latency_diff_ms: { mean: s.latencyDiffMeanMs, p50: s.latencyDiffP50Ms, p99: s.latencyDiffP99Ms },
    };
  }
  return out;
}

/** One node report as kept in memory (rates per second, latencies in ms, sizes in bytes). */
export interface ReportPoint {
  /** When the control plane received it, Unix ms. */
  readonly at: number;
  readonly interval_ms: number;
  readonly requests_per_s: number;
  readonly status_4xx_per_s: number;
  readonly status_5xx_per_s: number;
  readonly latency_p50_ms: number;
  readonly latency_p99_ms: number;
  readonly active_connections: number;
  readonly security_events: Readonly<Record<string, number>>;
  readonly config_version: number;
  readonly software_version: string;
  readonly memory_rss_bytes: number;
  readonly heap_used_bytes: number;
  /** Shadow traffic by route id (routes with a mirror policy); counts since the node started. */
  readonly shadow: Readonly<Record<string, ShadowPoint>>;
  /** WAF activity per route during the interval (routes with a waf policy); see waf-report.ts. */
  readonly waf: readonly WafPoint[];
}

/** A region's figures over one bucket of time: sums over its nodes, p50 weighted by requests, p99 the worst node's. */
export interface RegionPoint {
  /** Start of the bucket, Unix ms. */
  readonly at: number;
  readonly nodes: number;
  /** Mean report interval of those nodes, ms: `security_events` count events over about this long. */
  readonly interval_ms: number;
  readonly requests_per_s: number;
  readonly status_4xx_per_s: number;
  readonly status_5xx_per_s: number;
  /** 5xx per request, 0..1 (0 without traffic). */
  readonly error_rate: number;
  readonly latency_p50_ms: number;
  /** The highest node p99: percentiles of different nodes cannot be merged exactly. */
  readonly latency_p99_ms: number;
  readonly active_connections: number;
  readonly security_events: Readonly<Record<string, number>>;
}

/** Liveness of a node in the inventory. */
export type NodeLiveness = "connected" | "stale" | "disconnected";

/** Options of {@link FleetRegistry}. */
export interface FleetRegistryOptions {
  /** How much history is kept per node and per region, ms. Default 30 min. */
  readonly historyMs?: number;
  /** Resolution of region history, ms. Default 10 s. */
  readonly bucketMs?: number;
  /** Report interval assumed for a node that states none, ms. Default 5 s. */
  readonly defaultIntervalMs?: number;
  /** A connected node silent for this many intervals is stale. Default 3. */
  readonly staleAfterIntervals?: number;
  readonly now?: () => number;
}

interface LiveNode {
  region: string;
  intervalMs: number;
  connected: boolean;
  lastSeen: number;
  history: ReportPoint[];
}

interface Bucket {
  readonly at: number;
  readonly perNode: Map<string, ReportPoint>;
}

/**
 * The live side of the inventory, in memory: which nodes have a stream open, when each was last
 * heard from (any message is a heartbeat), their reports (last 30 min per node) and per-region
 * history at bucket resolution (ring buffers, dropped past `historyMs`). Nothing here survives
 * a control-plane restart: after one, nodes reconnect and report again within seconds; the
 * durable facts (applied version, ACK/NACK) are in the store.
 */
export class FleetRegistry {
  readonly #nodes = new Map<string, LiveNode>();
  readonly #reportListeners: Array<(nodeId: string, point: ReportPoint) => void> = [];
  readonly #regions = new Map<string, Bucket[]>();
  readonly #historyMs: number;
  readonly #bucketMs: number;
  readonly #defaultIntervalMs: number;
  readonly #staleAfter: number;
  readonly #now: () => number;

  constructor(opts: FleetRegistryOptions = {}) {
    this.#historyMs = opts.historyMs ?? 30 * 60_000;
    this.#bucketMs = opts.bucketMs ?? 10_000;
    this.#defaultIntervalMs = opts.defaultIntervalMs ?? 5_000;
    this.#staleAfter = opts.staleAfterIntervals ?? 3;
    this.#now = opts.now ?? Date.now;
  }

  /** A node's stream is open (after its hello). */
  connected(nodeId: string, region: string, reportIntervalMs: number): void {
    const n = this.#nodes.get(nodeId);
    const intervalMs = reportIntervalMs > 0 ? reportIntervalMs : this.#defaultIntervalMs;
    if (n) Object.assign(n, { region, intervalMs, connected: true, lastSeen: this.#now() });
    else this.#nodes.set(nodeId, { region, intervalMs, connected: true, lastSeen: this.#now(), history: [] });
  }

  /** A node's stream closed. */
  disconnected(nodeId: string): void {
    const n = this.#nodes.get(nodeId);
    if (n) n.connected = false;
  }

  /** Forgets a node (deleted from the inventory). */
  forget(nodeId: string): void {
    this.#nodes.delete(nodeId);
  }

  /** Any message from the node: it is alive. */
  seen(nodeId: string): void {
    const n = this.#nodes.get(nodeId);
    if (n) n.lastSeen = this.#now();
  }

  /** Records a report (also a heartbeat). */
  report(nodeId: string, region: string, r: NodeReport): void {
    const now = this.#now();
    const n = this.#nodes.get(nodeId);
    if (!n) return;
    n.lastSeen = now;
    const point: ReportPoint = {
      at: now,
      interval_ms: r.intervalMs,
      requests_per_s: r.requestsPerS,
      status_4xx_per_s: r.status4xxPerS,
      status_5xx_per_s: r.status5xxPerS,
      latency_p50_ms: r.latencyP50Ms,
      latency_p99_ms: r.latencyP99Ms,
      active_connections: r.activeConnections,
      security_events: Object.fromEntries(Object.entries(r.securityEvents).map(([k, v]) => [k, Number(v)])),
      config_version: Number(r.configVersion),
      software_version: r.softwareVersion,
      memory_rss_bytes: Number(r.memoryRssBytes),
      heap_used_bytes: Number(r.heapUsedBytes),
      shadow: shadowPoints(r.shadow),
      waf: wafPoints(r.waf),
    };
    n.history.push(point);
    for (const fn of this.#reportListeners) fn(nodeId, point);
    while (n.history.length > 0 && n.history[0]!.at < now - this.#historyMs) n.history.shift();
    let buckets = this.#regions.get(region);
    if (!buckets) {
      buckets = [];
      this.#regions.set(region, buckets);
    }
    const at = Math.floor(now / this.#bucketMs) * this.#bucketMs;
    if (buckets.at(-1)?.at !== at) buckets.push({ at, perNode: new Map() });
    const perNode = buckets.at(-1)!.perNode;
    // A second report of the node in the bucket is merged with the first: rates averaged over
    // both intervals, events added, p99 the worse one; a quiet report after a busy one does not
    // hide the busy one's traffic.
    const earlier = perNode.get(nodeId);
    perNode.set(nodeId, earlier ? mergedReports(earlier, point) : point);
    while (buckets.length > 0 && buckets[0]!.at < now - this.#historyMs) buckets.shift();
  }

  /** connected (stream open, heard from lately), stale (stream open, silent for 3 intervals) or disconnected. */
  liveness(nodeId: string): NodeLiveness {
    const n = this.#nodes.get(nodeId);
    if (!n?.connected) return "disconnected";
    return this.#now() - n.lastSeen > this.#staleAfter * n.intervalMs ? "stale" : "connected";
  }

  /** When the node was last heard from (Unix ms), if it connected since the control plane started. */
  lastSeen(nodeId: string): number | undefined {
    return this.#nodes.get(nodeId)?.lastSeen;
  }

  /** The node's latest report. */
  latestReport(nodeId: string): ReportPoint | undefined {
    return this.#nodes.get(nodeId)?.history.at(-1);
  }

  /** The node's reports over the history window, oldest first. */
  nodeHistory(nodeId: string): readonly ReportPoint[] {
    return this.#nodes.get(nodeId)?.history ?? [];
  }

  /** Every node's reports received at or after `since` (Unix ms), by node id. */
  reportsByNode(since: number): Map<string, readonly ReportPoint[]> {
    return new Map([...this.#nodes].map(([id, n]) => [id, n.history.filter((p) => p.at >= since)]));
  }

  /** Calls `fn` with each report as recorded (a shared database stores it for the rollout leader). */
  onReport(fn: (nodeId: string, point: ReportPoint) => void): void {
    this.#reportListeners.push(fn);
  }

  /** Every node's reports received at or after `since` (Unix ms), node by node. */
  *reportsSince(since: number): IterableIterator<readonly ReportPoint[]> {
    for (const n of this.#nodes.values()) yield n.history.filter((p) => p.at >= since);
  }

  /** Regions with reports, each with its history (oldest first). */
  regionHistory(region: string): RegionPoint[] {
    const now = this.#now();
    return (this.#regions.get(region) ?? [])
      .filter((b) => b.at >= now - this.#historyMs)
      .map((b) => aggregate(b.at, [...b.perNode.values()]));
  }

  /** Region names that have sent reports. */
  regions(): string[] {
    return [...this.#regions.keys()];
  }
}

/**
 * Two reports of one node in one bucket as one: rates (requests, 4xx, 5xx per second) averaged
 * weighted by interval, p50 weighted by requests, p99 the higher, security events added,
 * intervals added; gauges (connections, memory, version) from the later report.
 */
function mergedReports(earlier: ReportPoint, later: ReportPoint): ReportPoint {
  const a = earlier.interval_ms;
  const b = later.interval_ms;
  const rate = (x: number, y: number) => (a + b > 0 ? (x * a + y * b) / (a + b) : y);
  const events: Record<string, number> = { ...earlier.security_events };
  for (const [k, v] of Object.entries(later.security_events)) events[k] = (events[k] ?? 0) + v;
  const reqA = earlier.requests_per_s * a;
  const reqB = later.requests_per_s * b;
  return {
    ...later,
    interval_ms: a + b,
    requests_per_s: rate(earlier.requests_per_s, later.requests_per_s),
    status_4xx_per_s: rate(earlier.status_4xx_per_s, later.status_4xx_per_s),
    status_5xx_per_s: rate(earlier.status_5xx_per_s, later.status_5xx_per_s),
    latency_p50_ms:
      reqA + reqB > 0
        ? (earlier.latency_p50_ms * reqA + later.latency_p50_ms * reqB) / (reqA + reqB)
        : later.latency_p50_ms,
    latency_p99_ms: Math.max(earlier.latency_p99_ms, later.latency_p99_ms),
    security_events: events,
  };
}

function aggregate(at: number, points: readonly ReportPoint[]): RegionPoint {
  let rps = 0;
  let r4 = 0;
  let r5 = 0;
  let p50w = 0;
  let p99 = 0;
  let conns = 0;
  let intervals = 0;
  const events: Record<string, number> = {};
  for (const p of points) {
    intervals += p.interval_ms;
    rps += p.requests_per_s;
    r4 += p.status_4xx_per_s;
    r5 += p.status_5xx_per_s;
    p50w += p.latency_p50_ms * p.requests_per_s;
    p99 = Math.max(p99, p.latency_p99_ms);
    conns += p.active_connections;
    for (const [k, v] of Object.entries(p.security_events)) events[k] = (events[k] ?? 0) + v;
  }
  return {
    at,
    nodes: points.length,
    interval_ms: points.length > 0 ? intervals / points.length : 0,
    requests_per_s: rps,
    status_4xx_per_s: r4,
    status_5xx_per_s: r5,
    error_rate: rps > 0 ? r5 / rps : 0,
    latency_p50_ms: rps > 0 ? p50w / rps : 0,
    latency_p99_ms: p99,
    active_connections: conns,
    security_events: events,
  };
}
