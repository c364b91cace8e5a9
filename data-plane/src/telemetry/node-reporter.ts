import { create } from "@bufbuild/protobuf";
import { type NodeReport, NodeReportSchema } from "@palisade/proto";
import type { AppliedSource } from "../config/table-holder.js";
import type { ShadowSource } from "./shadow-stats.js";
import { quantileMs, type TrafficCounters, type TrafficSource } from "./traffic-stats.js";
import { type RouteWafRaw, type WafSource, wafInterval } from "./waf-stats.js";

/**
 * Builds the periodic `NodeReport` from the traffic counters: each call covers the time since
 * the previous one (rates per second, p50/p99 from the histogram's difference), plus the shadow
 * traffic of each route with a mirror policy (counts since the node started), and what each
 * route's WAF did in the interval (`waf`: the differences of the cumulative counters).
 */
export class NodeReporter {
  readonly #stats: TrafficSource;
  readonly #holder: AppliedSource;
  readonly #softwareVersion: string;
  readonly #shadow: ShadowSource | undefined;
  readonly #waf: WafSource | undefined;
  #last: TrafficCounters;
  #lastWaf: RouteWafRaw[];
  #lastAt: number;

  constructor(
    stats: TrafficSource,
    holder: AppliedSource,
    softwareVersion: string,
    shadow?: ShadowSource,
    waf?: WafSource,
  ) {
    this.#stats = stats;
    this.#shadow = shadow;
    this.#waf = waf;
    this.#lastWaf = waf?.wafRaw() ?? [];
    this.#holder = holder;
    this.#softwareVersion = softwareVersion;
    this.#last = stats.counters();
    this.#lastAt = performance.now();
  }

  /** The report for the interval since the previous call. */
  next(): NodeReport {
    const now = performance.now();
    const c = this.#stats.counters();
    const prev = this.#last;
    const seconds = Math.max((now - this.#lastAt) / 1000, 0.001);
    this.#last = c;
    this.#lastAt = now;
    const buckets = c.latencyBuckets.map((v, i) => v - (prev.latencyBuckets[i] ?? 0));
    const events: Record<string, bigint> = {};
    for (const [k, v] of Object.entries(c.securityEvents)) {
      const d = v - (prev.securityEvents[k] ?? 0);
      if (d > 0) events[k] = BigInt(d);
    }
    const wafNow = this.#waf?.wafRaw() ?? [];
    const waf = wafInterval(wafNow, this.#lastWaf);
    this.#lastWaf = wafNow;
    const mem = process.memoryUsage();
    return create(NodeReportSchema, {
      intervalMs: Math.round(seconds * 1000),
      requestsPerS: (c.requests - prev.requests) / seconds,
      status4xxPerS: (c.status4xx - prev.status4xx) / seconds,
      status5xxPerS: (c.status5xx - prev.status5xx) / seconds,
      latencyP50Ms: quantileMs(buckets, 0.5),
      latencyP99Ms: quantileMs(buckets, 0.99),
      activeConnections: this.#stats.activeConnections,
      securityEvents: events,
      configVersion: this.#holder.applied?.version ?? 0n,
      softwareVersion: this.#softwareVersion,
      memoryRssBytes: BigInt(mem.rss),
      heapUsedBytes: BigInt(mem.heapUsed),
      shadow: (this.#shadow?.figures() ?? []).map((f) => ({
        routeId: f.routeId,
        mirrored: BigInt(f.mirrored),
        compared: BigInt(f.compared),
        disagreed: BigInt(f.disagreed),
        dropped: Object.fromEntries(
          Object.entries(f.dropped)
            .filter(([, n]) => n > 0)
            .map(([k, n]) => [k, BigInt(n)]),
        ),
        latencyDiffMeanMs: f.diffMeanMs,
        latencyDiffP50Ms: f.diffP50Ms,
        latencyDiffP99Ms: f.diffP99Ms,
      })),
      waf: waf.map((w) => ({
        routeId: w.routeId,
        policyId: w.policyId,
        inspected: BigInt(w.inspected),
        matched: BigInt(w.matched),
        blocked: BigInt(w.blocked),
        detected: BigInt(w.detected),
        bodyOverLimit: BigInt(w.bodyOverLimit),
        engineErrors: BigInt(w.engineErrors),
        sampledOut: BigInt(w.sampledOut),
        rules: w.rules.map(([ruleId, hits, blocking]) => ({ ruleId, hits: BigInt(hits), blocking: BigInt(blocking) })),
        otherRuleHits: BigInt(w.otherRuleHits),
      })),
    });
  }
}
