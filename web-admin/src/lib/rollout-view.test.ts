/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  actionsFor,
  fleetVersionText,
  gateLimit,
  metricName,
  metricValue,
  nodeVersionText,
  selectorText,
} from "./rollout-view.ts";

test("each state offers only the actions the API accepts in it", () => {
  assert.deepEqual(actionsFor({ state: "running" }), ["pause", "promote", "abort"]);
  assert.deepEqual(actionsFor({ state: "paused" }), ["resume", "promote", "abort"]);
  for (const state of ["succeeded", "rolled_back", "aborted", "failed"]) assert.deepEqual(actionsFor({ state }), []);
});

test("gates read in their unit, with the relative limit when there is one", () => {
  assert.equal(metricName("security_event_rate:auth_token_invalid"), "auth_token_invalid rate");
  assert.equal(metricValue("error_rate_5xx", 0.002), "0.20 %");
  assert.equal(metricValue("p99_ms", 12.4), "12 ms");
  assert.equal(metricValue("p99_ms", null), "—");
  assert.equal(
    gateLimit({ metric: "error_rate_5xx", threshold: 0.05, max_increase: 0.02, value: null, verdict: "pending" }),
    "≤ 5.00 % and ≤ baseline + 2.00 %",
  );
  assert.equal(gateLimit({ metric: "p99_ms", threshold: 1000, value: 3, verdict: "pass" }), "≤ 1.0 s");
});

test("selectors and versions read as operators say them", () => {
  assert.equal(selectorText({ selector: { count: 1 } }), "1 node");
  assert.equal(selectorText({ selector: { regions: ["eu-west"], percent: 10 } }), "region eu-west · 10 %");
  assert.equal(selectorText({ selector: {} }), "all nodes");
  assert.equal(nodeVersionText({ id: "a", applied_version: 2, assigned_version: 3 }, 3), "v2 → v3");
  assert.equal(nodeVersionText({ id: "a", applied_version: 3, assigned_version: 3 }, 3), "v3");
  assert.equal(nodeVersionText({ id: "a", applied_version: 3, assigned_version: 2 }, 3), "v3 → v2");
  assert.equal(nodeVersionText({ id: "a", applied_version: 2, assigned_version: null }, 3), "v2 → v3");
  assert.equal(fleetVersionText({ applied_version: 2, desired_version: 3 }), "v2 → v3");
  assert.equal(fleetVersionText({ applied_version: 3, desired_version: 3 }), "v3");
  assert.equal(fleetVersionText({ applied_version: 3 }), "v3");
});
