import type { WafRouteReport } from "@palisade/proto";

/**
 * What one route's WAF did during one report interval of one node (`NodeReport.waf`, issue 14):
 * interval counts, so they merge by addition across intervals and nodes.
 */
export interface WafPoint {
  readonly route_id: string;
  readonly policy_id: string;
  readonly inspected: number;
  readonly matched: number;
  readonly blocked: number;
  readonly detected: number;
  readonly body_over_limit: number;
  readonly engine_errors: number;
  readonly sampled_out: number;
  /** Matches by rule id: `[id, hits, blocking]`, most frequent first (the node sends at most 32). */
  readonly rules: readonly (readonly [id: number, hits: number, blocking: number])[];
  /** Matches of rules the node did not list. */
  readonly other_rule_hits: number;
}

/** The report's per-route WAF entries. */
export function wafPoints(list: readonly WafRouteReport[]): WafPoint[] {
  return list.map((w) => ({
    route_id: w.routeId,
    policy_id: w.policyId,
    inspected: Number(w.inspected),
    matched: Number(w.matched),
    blocked: Number(w.blocked),
    detected: Number(w.detected),
    body_over_limit: Number(w.bodyOverLimit),
    engine_errors: Number(w.engineErrors),
    sampled_out: Number(w.sampledOut),
    rules: w.rules.map((r) => [r.ruleId, Number(r.hits), Number(r.blocking)] as const),
    other_rule_hits: Number(w.otherRuleHits),
  }));
}

/** One route's WAF figures summed over nodes and a window (`GET /v1/security/waf`). */
export interface WafRouteSummary {
  route_id: string;
  policy_id: string;
  inspected: number;
  matched: number;
  blocked: number;
  detected: number;
  body_over_limit: number;
  engine_errors: number;
  sampled_out: number;
  /** Nodes that reported this route in the window. */
  nodes: number;
  /** Rules by hits, most first, at most `topRules`: `{id, hits, blocking}`. */
  top_rules: Array<{ id: number; hits: number; blocking: number }>;
  /** Hits of the rules not in `top_rules` (including what nodes summed as other). */
  other_rule_hits: number;
}

const COUNTS = [
  "inspected",
  "matched",
  "blocked",
  "detected",
  "body_over_limit",
  "engine_errors",
  "sampled_out",
] as const;

/**
 * Sums WAF points per route (and policy) over every node's reports: counts add, rule hits add by
 * rule id, then the `topRules` most hit rules are kept and the rest summed into
 * `other_rule_hits`. Routes are ordered by blocked + detected, then inspected (busiest first).
 * @param perNode each node's WAF points of the window
 */
export function summarizeWaf(perNode: Iterable<readonly WafPoint[]>, topRules = 10): WafRouteSummary[] {
  const byRoute = new Map<string, { s: WafRouteSummary; rules: Map<number, [number, number]>; nodes: Set<number> }>();
  let n = 0;
  for (const points of perNode) {
    n++;
    for (const p of points) {
      const key = `${p.route_id}\n${p.policy_id}`;
      let e = byRoute.get(key);
      if (!e) {
        e = {
          s: {
            route_id: p.route_id,
            policy_id: p.policy_id,
            inspected: 0,
            matched: 0,
            blocked: 0,
            detected: 0,
            body_over_limit: 0,
            engine_errors: 0,
            sampled_out: 0,
            nodes: 0,
            top_rules: [],
            other_rule_hits: 0,
          },
          rules: new Map(),
          nodes: new Set(),
        };
        byRoute.set(key, e);
      }
      e.nodes.add(n);
      for (const k of COUNTS) e.s[k] += p[k];
      e.s.other_rule_hits += p.other_rule_hits;
      for (const [id, hits, blocking] of p.rules) {
        const r = e.rules.get(id);
        if (r) {
          r[0] += hits;
          r[1] += blocking;
        } else e.rules.set(id, [hits, blocking]);
      }
    }
  }
  const out: WafRouteSummary[] = [];
  for (const { s, rules, nodes } of byRoute.values()) {
    const ranked = [...rules].sort((a, b) => b[1][0] - a[1][0] || a[0] - b[0]);
    s.top_rules = ranked.slice(0, topRules).map(([id, [hits, blocking]]) => ({ id, hits, blocking }));
    for (const [, [hits]] of ranked.slice(topRules)) s.other_rule_hits += hits;
    s.nodes = nodes.size;
    out.push(s);
  }
  return out.sort(
    (a, b) =>
      b.blocked + b.detected - (a.blocked + a.detected) ||
      b.inspected - a.inspected ||
      (a.route_id < b.route_id ? -1 : 1),
  );
}
