import assert from "node:assert/strict";
import { test } from "node:test";
import { LATENCY_BUCKETS_MS, quantileMs, TrafficStats } from "./traffic-stats.js";

test("requests are counted by status class, latency bucket and security event", () => {
  const s = new TrafficStats();
  for (let i = 0; i < 98; i++) s.record(200, 3, undefined);
  s.record(401, 1, "AUTH_TOKEN_MISSING");
  s.record(502, 800, "UPSTREAM_UNAVAILABLE");
  const c = s.counters();
  assert.deepEqual([c.requests, c.status2xx, c.status4xx, c.status5xx], [100, 98, 1, 1]);
  assert.equal(c.securityEvents.auth_token_missing, 1);
  assert.equal(
    c.latencyBuckets.reduce((a, b) => a + b, 0),
    100,
  );
  const p50 = quantileMs(c.latencyBuckets, 0.5);
  assert.ok(p50 > 2.5 && p50 <= 5, `p50 ${p50}`);
  const p99 = quantileMs(c.latencyBuckets, 0.99);
  assert.ok(p99 <= 5, `p99 ${p99}`);
  assert.equal(quantileMs(new Array(LATENCY_BUCKETS_MS.length + 1).fill(0), 0.5), 0);
});
