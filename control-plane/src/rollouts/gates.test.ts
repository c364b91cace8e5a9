import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluateGate, GATE_METRIC_PATTERN, type GateSample, measure, stageVerdict } from "./gates.js";

/** A report over 1 s. */
const report = (
  node: string,
  rps: number,
  r5xx: number,
  p99 = 10,
  events: Record<string, number> = {},
): GateSample => ({
  node,
  interval_ms: 1000,
  requests_per_s: rps,
  status_5xx_per_s: r5xx,
  latency_p99_ms: p99,
  security_events: events,
});

test("measures: 5xx per request, worst node's request-weighted p99, events per request", () => {
  const samples = [
    report("a", 100, 2, 10),
    report("a", 100, 0, 30),
    report("b", 50, 3, 15, { auth_token_invalid: 10 }),
  ];
  assert.deepEqual(measure("error_rate_5xx", samples), { requests: 250, value: 5 / 250 });
  assert.deepEqual(measure("p99_ms", samples), { requests: 250, value: 20 });
  assert.deepEqual(measure("security_event_rate:auth_token_invalid", samples), { requests: 250, value: 10 / 250 });
  assert.deepEqual(measure("error_rate_5xx", []), { requests: 0, value: null });
  // The pattern the start-rollout request validates gate metrics against.
  assert.match("security_event_rate:auth_token_invalid", new RegExp(GATE_METRIC_PATTERN));
  assert.doesNotMatch("error_rate", new RegExp(GATE_METRIC_PATTERN));
});

test("a gate fails as soon as min_requests is reached; it passes only when the soak is over", () => {
  const gate = { metric: "error_rate_5xx", threshold: 0.05, min_requests: 100 };
  assert.equal(evaluateGate(gate, [report("a", 50, 50)], [], false).verdict, "pending", "too few requests yet");
  const bad = evaluateGate(gate, [report("a", 100, 50)], [], false);
  assert.equal(bad.verdict, "fail");
  assert.equal(bad.value, 0.5);
  assert.equal(bad.requests, 100);
  assert.equal(evaluateGate(gate, [report("a", 100, 1)], [], false).verdict, "pending");
  assert.equal(evaluateGate(gate, [report("a", 100, 1)], [], true).verdict, "pass");
  assert.equal(evaluateGate(gate, [report("a", 10, 0)], [], true).verdict, "inconclusive");
});

test("relative to the baseline: fail when the stage is worse than the previous version by more than max_increase", () => {
  const gate = { metric: "error_rate_5xx", threshold: 0.5, min_requests: 100, max_increase: 0.02 };
  const stage = [report("a", 100, 10)];
  const r = evaluateGate(gate, stage, [report("b", 200, 2)], true);
  assert.equal(r.baseline, 0.01);
  assert.equal(r.verdict, "fail", "10 % against a 1 % baseline");
  assert.equal(evaluateGate(gate, stage, [report("b", 200, 18)], true).verdict, "pass", "the old version is as bad");
  const thin = evaluateGate(gate, stage, [report("b", 5, 0)], true);
  assert.equal(thin.baseline, null, "a baseline under min_requests is not meaningful");
  assert.equal(thin.verdict, "pass");
});

test("stage verdict: fail wins, then pending, then inconclusive; no gate passes", () => {
  const g = (verdict: string) => ({ verdict }) as never;
  assert.equal(stageVerdict([g("pass"), g("fail"), g("pending")]), "fail");
  assert.equal(stageVerdict([g("pass"), g("pending"), g("inconclusive")]), "pending");
  assert.equal(stageVerdict([g("pass"), g("inconclusive")]), "inconclusive");
  assert.equal(stageVerdict([]), "pass");
});
