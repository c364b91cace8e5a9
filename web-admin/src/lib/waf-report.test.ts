import assert from "node:assert/strict";
import { test } from "node:test";
import type { WafReport, WafRouteFigures } from "../api/types.ts";
import { topRuleRows, wafRouteRows, wafTotals } from "./waf-report.ts";

const route = (over: Partial<WafRouteFigures>): WafRouteFigures => ({
  route_id: "r1",
  route_name: "login",
  policy_id: "p1",
  policy_name: "waf-pl1",
  inspected: 0,
  matched: 0,
  blocked: 0,
  detected: 0,
  body_over_limit: 0,
  engine_errors: 0,
  sampled_out: 0,
  nodes: 1,
  top_rules: [],
  other_rule_hits: 0,
  ...over,
});

test("route rows: stopped counts blocked and would-be-blocked, rates of inspected, names where known", () => {
  const report: WafReport = {
    window_s: 900,
    nodes: 2,
    routes: [
      route({ inspected: 200, matched: 12, blocked: 10, nodes: 2 }),
      route({ route_id: "r2", route_name: null, policy_name: null, inspected: 50, detected: 5 }),
      route({ route_id: "", route_name: null, inspected: 0 }),
    ],
  };
  const rows = wafRouteRows(report);
  assert.deepEqual(
    rows.map((r) => [r.route, r.policy, r.stopped, r.stopRate, r.detectOnly]),
    [
      ["login", "waf-pl1", 10, 0.05, false],
      ["r2", "p1", 5, 0.1, true],
      ["(other routes)", "waf-pl1", 0, 0, false],
    ],
  );
  assert.deepEqual(wafTotals(report), { inspected: 250, stopped: 15 });
  assert.deepEqual(wafRouteRows(undefined), []);
});

test("top rules: each rule's share of the route's rule hits, the unlisted ones included", () => {
  const r = route({
    top_rules: [
      { id: 942100, hits: 6, blocking: 6, msg: "SQL Injection Attack Detected via libinjection" },
      { id: 949110, hits: 3, blocking: 3, msg: "Inbound Anomaly Score Exceeded" },
    ],
    other_rule_hits: 1,
  });
  assert.deepEqual(
    topRuleRows(r).map((x) => [x.id, x.share]),
    [
      [942100, 0.6],
      [949110, 0.3],
    ],
  );
  assert.equal(topRuleRows(r, 1).length, 1);
  assert.deepEqual(topRuleRows(route({})), []);
});
