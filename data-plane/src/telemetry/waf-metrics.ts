import { Counter, type Registry } from "prom-client";
import { bucketHistogram } from "./route-metrics.js";
import { WAF_INSPECTION_BUCKETS_MS, type WafSource } from "./waf-stats.js";

/**
 * The `rule_id` label of a rule: its id when it is an OWASP CRS rule (900000–999999, the range CRS
 * reserves for itself) or one of Palisade's own bundled rules (210000–210999, waf/README.md),
 * else `other` — a custom rule set's ids are the operator's and unbounded.
 */
export function ruleIdLabel(id: number): string {
  return (id >= 900_000 && id <= 999_999) || (id >= 210_000 && id <= 210_999) ? String(id) : "other";
}

/**
 * The WAF's metrics (issue 14, metric catalogue of `@palisade/events`), read from the routes'
 * cumulative WAF counters (`WafStats`, a cluster primary's sum over its workers) when scraped:
 * - `palisade_waf_transactions_total{route,outcome}` counter: inspected requests by outcome —
 *   `blocked` (block mode stopped it), `detected` (detect mode: it would have been stopped),
 *   `error` (the engine failed on it), `pass`; sampled-out requests are not inspected;
 * - `palisade_waf_blocks_total{route,rule_group}` counter: stopped requests by the deciding
 *   rule's CRS attack tag (`attack-sqli`, `attack-xss` …, `other`: a closed set);
 * - `palisade_waf_rule_hits_total{rule_id}` counter: transactions each rule matched in, over all
 *   routes (the id of a CRS or bundled Palisade rule, else `other`: {@link ruleIdLabel});
 * - `palisade_waf_inspection_duration_seconds` histogram: the WAF's time per inspected request
 *   over all routes, measured around its synchronous phases on the event loop. The engine does
 *   no I/O, so this is the CPU time it costs the request's thread (plus any time the OS took the
 *   core away meanwhile).
 * `route` is a config id (bounded by the config, as the per-route request metrics). The per-rule
 * and time series are summed over routes, so they stay few whatever the number of routes.
 */
export function registerWafMetrics(register: Registry, waf: WafSource): void {
  new Counter({
    name: "palisade_waf_transactions_total",
    help: "Requests the WAF inspected, by route and outcome (blocked, detected: would have been blocked in detect mode, error, pass).",
    labelNames: ["route", "outcome"],
    registers: [register],
    collect() {
      this.reset();
      // A route whose WAF changed policy has a row per policy: inc adds them up.
      for (const w of waf.wafRaw()) {
        const route = w.routeId;
        this.inc({ route, outcome: "blocked" }, w.blocked);
        this.inc({ route, outcome: "detected" }, w.detected);
        this.inc({ route, outcome: "error" }, w.engineErrors);
        this.inc({ route, outcome: "pass" }, w.passed);
      }
    },
  });
  new Counter({
    name: "palisade_waf_blocks_total",
    help: "Requests the WAF blocked, by route and rule group (the deciding rule's attack tag: attack-sqli, attack-xss ...).",
    labelNames: ["route", "rule_group"],
    registers: [register],
    collect() {
      this.reset();
      for (const w of waf.wafRaw())
        for (const [rule_group, n] of w.blockGroups) this.inc({ route: w.routeId, rule_group }, n);
    },
  });
  new Counter({
    name: "palisade_waf_rule_hits_total",
    help: "Transactions each WAF rule matched in, by rule id (CRS and Palisade's bundled rules; other rules as other).",
    labelNames: ["rule_id"],
    registers: [register],
    collect() {
      this.reset();
      for (const w of waf.wafRaw()) for (const [id, hits] of w.rules) this.inc({ rule_id: ruleIdLabel(id) }, hits);
    },
  });
  register.registerMetric(
    bucketHistogram(
      "palisade_waf_inspection_duration_seconds",
      "Time the WAF spent on each inspected request (its synchronous phases: CPU time on the request's thread), seconds.",
      () => {
        const all = waf.wafRaw();
        if (all.length === 0) return [];
        const buckets = new Array<number>(WAF_INSPECTION_BUCKETS_MS.length + 1).fill(0);
        let sumMs = 0;
        for (const w of all) {
          for (let i = 0; i < buckets.length; i++) buckets[i]! += w.inspectionBuckets[i] ?? 0;
          sumMs += w.inspectionSumMs;
        }
        return [{ labels: {}, buckets, sumMs }];
      },
      WAF_INSPECTION_BUCKETS_MS,
    ),
  );
}
