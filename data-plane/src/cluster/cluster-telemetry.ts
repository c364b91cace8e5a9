import {
  addShadowRaw,
  type RouteShadowFigures,
  type RouteShadowRaw,
  type ShadowSource,
  shadowFigures,
} from "../telemetry/shadow-stats.js";
import { addCounters, type TrafficCounters, type TrafficSource, zeroCounters } from "../telemetry/traffic-stats.js";
import { mergeUpstreamStats, type UpstreamSource, type UpstreamStatsRow } from "../telemetry/upstream-stats.js";
import { mergeWafRaw, type RouteWafRaw, type WafSource } from "../telemetry/waf-stats.js";

/**
 * What a worker last said about its traffic (the IPC `telemetry` message, messages.ts): its
 * CUMULATIVE counters since it started, so a lost or late message costs nothing but freshness.
 */
export interface WorkerTelemetry {
  readonly traffic: TrafficCounters;
  /** Open client connections of this worker now. */
  readonly activeConnections: number;
  /** Raw shadow counters per route with a mirror policy (mergeable by addition). */
  readonly shadow: readonly RouteShadowRaw[];
  /** Cumulative WAF counters per route (mergeable by addition; absent from an older worker). */
  readonly waf?: readonly RouteWafRaw[];
  /** Upstream health, breaker and retry figures (absent from an older worker). */
  readonly upstreams?: readonly UpstreamStatsRow[];
}

/**
 * The node's traffic in cluster mode, held by the primary: the sum of every live worker's last
 * counters plus the retired totals of the workers that exited, behind the same read interfaces
 * as a single process's TrafficStats / ShadowStats, so NodeReporter and `/metrics` read it
 * unchanged. A replaced worker's counts stay in the retired totals, so monotonic counters
 * (Prometheus counters, the reporter's differences) never go backwards; what a worker counted
 * after its last message before dying (≤ one send period, 250 ms) is lost. Shadow figures are
 * merged from the raw histograms, never by averaging quantiles.
 */
export class ClusterTelemetry implements TrafficSource, ShadowSource, WafSource, UpstreamSource {
  readonly #live = new Map<number, WorkerTelemetry>();
  readonly #retiredIds = new Set<number>();
  #retired: TrafficCounters = zeroCounters();
  readonly #retiredShadow = new Map<string, RouteShadowRaw>();
  #retiredWaf: RouteWafRaw[] = [];
  #retiredUpstreams: UpstreamStatsRow[] = [];

  /** Worker `id` sent its cumulative counters (ignored once it is retired: a late message). */
  update(id: number, telemetry: WorkerTelemetry): void {
    if (this.#retiredIds.has(id)) return;
    this.#live.set(id, telemetry);
  }

  /** Worker `id` exited: its last counters move into the retired totals (its connections are gone). */
  retire(id: number): void {
    if (this.#retiredIds.has(id)) return;
    this.#retiredIds.add(id);
    const last = this.#live.get(id);
    this.#live.delete(id);
    if (last === undefined) return;
    this.#retired = addCounters(this.#retired, last.traffic);
    this.#retiredWaf = mergeWafRaw([this.#retiredWaf, last.waf ?? []]);
    this.#retiredUpstreams = mergeUpstreamStats([], [...this.#retiredUpstreams, ...(last.upstreams ?? [])]);
    for (const r of last.shadow) {
      const held = this.#retiredShadow.get(r.routeId);
      this.#retiredShadow.set(r.routeId, held === undefined ? r : addShadowRaw(held, r));
    }
  }

  /** The node's counters: retired workers' plus every live worker's. */
  counters(): TrafficCounters {
    let sum = this.#retired;
    for (const w of this.#live.values()) sum = addCounters(sum, w.traffic);
    return sum;
  }

  /** Open client connections over the live workers. */
  get activeConnections(): number {
    let n = 0;
    for (const w of this.#live.values()) n += w.activeConnections;
    return n;
  }

  /** Every route's WAF counters over all workers, retired ones included. */
  wafRaw(): RouteWafRaw[] {
    return mergeWafRaw([this.#retiredWaf, ...[...this.#live.values()].map((w) => w.waf ?? [])]);
  }

  /**
   * Every upstream's figures over the live workers (targets in the worst state any worker sees),
   * counters of retired workers included.
   */
  upstreamStats(): UpstreamStatsRow[] {
    return mergeUpstreamStats(
      [...this.#live.values()].map((w) => w.upstreams ?? []),
      this.#retiredUpstreams,
    );
  }

  /** Every route's shadow figures over all workers (histograms merged), ordered by route id. */
  figures(): RouteShadowFigures[] {
    const merged = new Map(this.#retiredShadow);
    for (const w of this.#live.values())
      for (const r of w.shadow) {
        const held = merged.get(r.routeId);
        merged.set(r.routeId, held === undefined ? r : addShadowRaw(held, r));
      }
    return [...merged.values()]
      .sort((a, b) => (a.routeId < b.routeId ? -1 : a.routeId > b.routeId ? 1 : 0))
      .map(shadowFigures);
  }
}
