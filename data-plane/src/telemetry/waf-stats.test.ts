import assert from "node:assert/strict";
import { test } from "node:test";
import { deserialize, serialize } from "node:v8";
import { ClusterTelemetry } from "../cluster/cluster-telemetry.js";
import { ShadowStats } from "./shadow-stats.js";
import { TrafficStats } from "./traffic-stats.js";
import { ruleIdLabel } from "./waf-metrics.js";
import {
  REPORT_ROUTES,
  REPORT_RULES,
  ruleGroupOf,
  WAF_INSPECTION_BUCKETS_MS,
  WafStats,
  wafInterval,
} from "./waf-stats.js";

test("a report carries the interval's differences, the most hit rules first and the rest summed", () => {
  const s = new WafStats();
  const c = s.route("shop", "waf-1");
  c.inspected = 10;
  c.hit([942100, 942100, 949110], true);
  const first = s.wafRaw();
  assert.deepEqual(wafInterval(first, [])[0]?.rules, [
    [942100, 1, 1],
    [949110, 1, 1],
  ]);
  c.inspected += 5;
  c.matched += 1;
  for (let id = 1; id <= REPORT_RULES + 3; id++)
    c.hit(
      Array.from({ length: 1 }, () => 900000 + id),
      false,
    );
  c.hit([900001], false);
  const [w] = wafInterval(s.wafRaw(), first);
  assert.equal(w?.inspected, 5, "differences, not totals");
  assert.equal(w?.matched, 1);
  assert.equal(w?.rules.length, REPORT_RULES);
  assert.deepEqual(w?.rules[0], [900001, 2, 0], "most hits first");
  assert.equal(w?.otherRuleHits, 3);
  assert.ok(!w?.rules.some(([id]) => id === 942100), "a rule without hits in the interval is left out");
  assert.deepEqual(wafInterval(s.wafRaw(), s.wafRaw()), [], "an idle interval reports nothing");
});

test("past the route cap, the least busy routes are summed under route id ''", () => {
  const s = new WafStats();
  for (let i = 0; i < REPORT_ROUTES + 4; i++) {
    const c = s.route(`r${String(i).padStart(4, "0")}`, "waf");
    c.inspected = 1000 - i;
    c.blocked = 1;
    c.hit([949110], true);
  }
  const out = wafInterval(s.wafRaw(), []);
  assert.equal(out.length, REPORT_ROUTES);
  const rest = out.at(-1)!;
  assert.equal(rest.routeId, "");
  assert.equal(rest.blocked, 5);
  assert.deepEqual(rest.rules, [[949110, 5, 5]]);
});

test("a cluster primary sums its workers' WAF counters, and keeps a retired worker's", () => {
  const agg = new ClusterTelemetry();
  const worker = (inspected: number, blocked: number) => {
    const waf = new WafStats();
    const c = waf.route("shop", "waf-1");
    c.inspected = inspected;
    c.blocked = blocked;
    c.hit([942100], true);
    for (let i = 0; i < blocked; i++) c.blockedIn("attack-sqli");
    for (let i = 0; i < inspected; i++) c.timed(0.2);
    const traffic = new TrafficStats();
    return deserialize(
      serialize({
        traffic: traffic.counters(),
        activeConnections: 0,
        shadow: new ShadowStats().raw(),
        waf: waf.wafRaw(),
      }),
    );
  };
  agg.update(1, worker(3, 1));
  agg.update(2, worker(4, 2));
  const [sum] = agg.wafRaw();
  assert.equal(sum?.inspected, 7);
  assert.equal(sum?.blocked, 3);
  assert.deepEqual(sum?.rules, [[942100, 2, 2]]);
  assert.deepEqual(sum?.blockGroups, [["attack-sqli", 3]]);
  assert.equal(
    sum?.inspectionBuckets[WAF_INSPECTION_BUCKETS_MS.indexOf(0.25)],
    7,
    "0.2 ms falls in the 0.25 ms bucket",
  );
  assert.equal(sum?.inspectionSumMs.toFixed(6), (7 * 0.2).toFixed(6));
  agg.retire(1);
  agg.update(3, worker(1, 0));
  assert.equal(agg.wafRaw()[0]?.inspected, 8, "a replaced worker's counts stay");
});

test("metric labels stay bounded: rule ids of CRS and Palisade's own rules, CRS attack tags as rule groups", () => {
  assert.equal(ruleIdLabel(942100), "942100");
  assert.equal(ruleIdLabel(949110), "949110");
  assert.equal(ruleIdLabel(210100), "210100", "Palisade's bundled rules");
  assert.equal(ruleIdLabel(1234), "other", "a custom rule's id");
  assert.equal(ruleIdLabel(100000), "other");
  const sqli = { id: 942100, tags: ["application-multi", "attack-sqli", "paranoia-level/1"] };
  const xss = { id: 941100, tags: ["attack-xss"] };
  const evaluation = { id: 949110, tags: ["anomaly-evaluation"] };
  assert.equal(ruleGroupOf([sqli, xss, evaluation], 949110), "attack-sqli", "949110 names none: the first that scored");
  assert.equal(ruleGroupOf([sqli, xss], 941100), "attack-xss", "the interrupting rule's own tag first");
  assert.equal(ruleGroupOf([{ id: 1, tags: ["attack-custom-thing"] }], 1), "other", "a tag outside CRS's set");
  assert.equal(ruleGroupOf([], 0), "other", "a body over the limit");
});
