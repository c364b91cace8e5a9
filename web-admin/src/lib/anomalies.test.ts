/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { baselineTimes, blockBody, remaining, total } from "./anomalies.ts";

const form = { targetType: "address", targetId: "203.0.113.7", action: "deny", ttlS: "900", rate: "1", reason: "" };

test("a manual block's body, or the field at fault", () => {
  assert.deepEqual(blockBody(form), {
    body: {
      target_type: "address",
      target_id: "203.0.113.7",
      action: "deny",
      ttl_s: 900,
      reason: "blocked by an operator",
    },
  });
  assert.deepEqual(blockBody({ ...form, targetId: "300.1.1.1" }), {
    field: "targetId",
    message: "an IPv4 or IPv6 address",
  });
  assert.deepEqual(blockBody({ ...form, ttlS: "0" }), { field: "ttlS", message: "1 to 604800 seconds" });
  assert.deepEqual(blockBody({ ...form, action: "throttle", rate: "0" }), {
    field: "rate",
    message: "0.01 to 100000 requests/s",
  });
  const t = blockBody({ ...form, targetType: "consumer", targetId: "partner-3", action: "throttle", rate: "2.5" });
  assert.ok("body" in t && t.body.rate_per_s === 2.5 && t.body.target_type === "consumer");
});

test("remaining time and chart series", () => {
  const now = Date.parse("2026-12-07T12:00:00Z");
  assert.equal(remaining("2026-12-07T12:00:40Z", now), "40 s");
  assert.equal(remaining("2026-12-07T12:14:00Z", now), "14 min");
  assert.equal(remaining("2026-12-07T11:59:00Z", now), "expired");
  const b = {
    route: "r",
    startMs: 10_000,
    bucketMs: 5000,
    requests: [1, 2],
    authFailures: [0, 1],
    status4xx: [0, 0],
    status5xx: [0, 0],
  };
  assert.deepEqual(baselineTimes(b), [10, 15]);
  assert.equal(total(b.requests), 3);
});
