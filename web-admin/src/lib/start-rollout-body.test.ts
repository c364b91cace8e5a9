/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_FORM, formField, type StartForm, startBody } from "./start-rollout-body.ts";

test("the default strategy sends soak and gate thresholds as the body's stage defaults (5xx as a fraction)", () => {
  const body = startBody({ ...DEFAULT_FORM, version: "3", soak_s: 2, min_requests: 0 });
  assert.deepEqual(body, {
    version: 3,
    strategy: "default",
    on_failure: "rollback",
    soak_s: 2,
    gates: [
      { metric: "error_rate_5xx", threshold: 0.05, max_increase: 0.02, min_requests: 0 },
      { metric: "p99_ms", threshold: 1000, min_requests: 0 },
    ],
  });
});

test("all-now sends no soak and no gate; empty gate boxes make no gate", () => {
  assert.deepEqual(startBody({ ...DEFAULT_FORM, version: "4", strategy: "all-now", on_failure: "pause" }), {
    version: 4,
    strategy: "all-now",
    on_failure: "pause",
  });
  const noP99 = startBody({ ...DEFAULT_FORM, version: "4", max_p99_ms: undefined, max_5xx_pct: "" });
  assert.deepEqual(noP99.gates, []);
});

test("custom stages: selectors as typed, gates only where a gate box is filled, bad numbers sent as typed", () => {
  const f: StartForm = {
    ...DEFAULT_FORM,
    version: "5",
    strategy: "custom",
    stages: [
      { name: "canary", node_ids: ["edge-1"], soak_s: 30, max_p99_ms: 250, min_requests: 10 },
      { name: "eu", regions: ["eu-west"], labels: ["tier=edge", "oops"], percent: 50, soak_s: "soon" },
    ],
  };
  const body = startBody(f);
  assert.ok(typeof body.strategy === "object");
  assert.deepEqual(body.strategy.stages[0], {
    name: "canary",
    selector: { node_ids: ["edge-1"] },
    soak_s: 30,
    gates: [{ metric: "p99_ms", threshold: 250, min_requests: 10 }],
  });
  assert.deepEqual(body.strategy.stages[1], {
    name: "eu",
    selector: { regions: ["eu-west"], labels: { tier: "edge", oops: null }, percent: 50 },
    soak_s: "soon",
  });
});

test("API error fields map back to the form's boxes", () => {
  const body = startBody({
    ...DEFAULT_FORM,
    version: "3",
    max_5xx_pct: undefined,
    strategy: "custom",
    stages: [{ name: "a", max_5xx_pct: 1, max_p99_ms: 100 }],
  });
  // Without the 5xx box, the top-level p99 gate is gates.0.
  assert.equal(formField("gates.0.threshold", body), "gates.p99_ms");
  assert.equal(formField("gates.0.min_requests", body), "gates.min_requests");
  assert.equal(formField("strategy.stages.0.gates.1.threshold", body), "strategy.stages.0.gates.p99_ms");
  assert.equal(
    formField("strategy.stages.0.gates.0.max_increase", body),
    "strategy.stages.0.gates.error_rate_5xx.max_increase",
  );
  assert.equal(formField("strategy.stages.0.soak_s", body), "strategy.stages.0.soak_s");
  assert.equal(formField("soak_s", body), "soak_s");
  assert.equal(formField(undefined, body), undefined);
});
