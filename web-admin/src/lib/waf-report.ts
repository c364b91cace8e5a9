/**
 * How the security page reads `GET /v1/security/waf` (issue 14): per route, what its WAF
 * inspected, stopped (block mode) or would have stopped (detect mode), and the rules that hit
 * most, for tuning. Pure: the figures are sums over the nodes and the window the API chose.
 */
import type { WafReport, WafRouteFigures } from "../api/types.ts";

/** A route's row of the "WAF by route" table. */
export interface WafRouteRow {
  key: string;
  route: string;
  policy: string;
  inspected: number;
  /** Blocked in block mode plus would-be-blocked in detect mode. */
  stopped: number;
  /** `stopped / inspected` (0 without traffic). */
  stopRate: number;
  detectOnly: boolean;
  matched: number;
  errors: number;
  overLimit: number;
  sampledOut: number;
  nodes: number;
}

/** Route rows, the routes the WAF stopped most first (as the API orders them). */
export function wafRouteRows(report: WafReport | undefined): WafRouteRow[] {
  return (report?.routes ?? []).map((r) => {
    const stopped = r.blocked + r.detected;
    return {
      key: `${r.route_id}/${r.policy_id}`,
      route: r.route_name ?? (r.route_id === "" ? "(other routes)" : r.route_id),
      policy: r.policy_name ?? r.policy_id,
      inspected: r.inspected,
      stopped,
      stopRate: r.inspected > 0 ? stopped / r.inspected : 0,
      detectOnly: r.blocked === 0 && r.detected > 0,
      matched: r.matched,
      errors: r.engine_errors,
      overLimit: r.body_over_limit,
      sampledOut: r.sampled_out,
      nodes: r.nodes,
    };
  });
}

/** One rule of a route's "top rules" table, with its share of the route's rule hits. */
export interface TopRuleRow {
  id: number;
  msg: string;
  hits: number;
  blocking: number;
  /** hits / all rule hits of the route (listed and other), 0..1. */
  share: number;
}

/** A route's most hit rules (at most `limit`), each with its share of the route's rule hits. */
export function topRuleRows(r: WafRouteFigures, limit = 10): TopRuleRow[] {
  const total = r.top_rules.reduce((n, x) => n + x.hits, 0) + r.other_rule_hits;
  return r.top_rules.slice(0, limit).map((x) => ({
    id: x.id,
    msg: x.msg,
    hits: x.hits,
    blocking: x.blocking,
    share: total > 0 ? x.hits / total : 0,
  }));
}

/** Totals over the routes: inspected and stopped requests. */
export function wafTotals(report: WafReport | undefined): { inspected: number; stopped: number } {
  let inspected = 0;
  let stopped = 0;
  for (const r of report?.routes ?? []) {
    inspected += r.inspected;
    stopped += r.blocked + r.detected;
  }
  return { inspected, stopped };
}
