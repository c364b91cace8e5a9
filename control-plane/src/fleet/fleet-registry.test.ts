import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { NodeReportSchema } from "@palisade/proto";
import { FleetRegistry } from "./fleet-registry.js";

test("a connected node silent for three report intervals is stale; any message makes it connected again", () => {
  let now = 1_000_000;
  const f = new FleetRegistry({ now: () => now });
  f.connected("n1", "eu", 1000);
  assert.equal(f.liveness("n1"), "connected");
  now += 3500;
  assert.equal(f.liveness("n1"), "stale");
  f.seen("n1");
  assert.equal(f.liveness("n1"), "connected");
  f.disconnected("n1");
  assert.equal(f.liveness("n1"), "disconnected");
});

test("reports are kept per node and aggregated per region per bucket", () => {
  let now = 10_000_000;
  const f = new FleetRegistry({ now: () => now, bucketMs: 10_000, historyMs: 60_000 });
  f.connected("a", "eu", 5000);
  f.connected("b", "eu", 5000);
  const r = (rps: number, p99: number, err: number) =>
    create(NodeReportSchema, {
      requestsPerS: rps,
      status5xxPerS: err,
      latencyP50Ms: 2,
      latencyP99Ms: p99,
      securityEvents: { auth_token_invalid: 3n },
    });
  f.report("a", "eu", r(100, 10, 1));
  f.report("b", "eu", r(300, 40, 0));
  const [point] = f.regionHistory("eu");
  assert.deepEqual(
    [
      point!.nodes,
      point!.requests_per_s,
      point!.latency_p99_ms,
      point!.error_rate,
      point!.security_events.auth_token_invalid,
    ],
    [2, 400, 40, 1 / 400, 6],
  );
  now += 120_000;
  f.report("a", "eu", r(1, 1, 0));
  assert.equal(f.regionHistory("eu").length, 1, "old buckets dropped");
  assert.equal(f.nodeHistory("a").length, 1);
});

test("security events of two reports of a node in one region bucket both count", () => {
  const now = 10_000_000;
  const f = new FleetRegistry({ now: () => now, bucketMs: 10_000 });
  f.connected("a", "eu", 1000);
  const r = (events: number) =>
    create(NodeReportSchema, {
      intervalMs: 1000,
      requestsPerS: 5,
      securityEvents: { auth_key_invalid: BigInt(events) },
    });
  f.report("a", "eu", r(4));
  f.report("a", "eu", r(0));
  const [point] = f.regionHistory("eu");
  assert.deepEqual([point!.nodes, point!.security_events.auth_key_invalid, point!.interval_ms], [1, 4, 2000]);
  assert.equal(f.latestReport("a")!.security_events.auth_key_invalid, 0, "the node's own report is unchanged");
});

test("a quiet report after a busy one in the same region bucket does not hide the busy one's traffic", () => {
  const now = 10_000_000;
  const f = new FleetRegistry({ now: () => now, bucketMs: 10_000 });
  f.connected("a", "eu", 1000);
  const r = (rps: number, r5: number, p99: number) =>
    create(NodeReportSchema, { intervalMs: 1000, requestsPerS: rps, status5xxPerS: r5, latencyP99Ms: p99 });
  f.report("a", "eu", r(10, 2, 40));
  f.report("a", "eu", r(0, 0, 0));
  const [point] = f.regionHistory("eu");
  assert.equal(point!.requests_per_s, 5, "10 requests/s for 1 s, then 0 for 1 s: 5 requests/s over the bucket");
  assert.equal(point!.status_5xx_per_s, 1);
  assert.equal(point!.error_rate, 0.2);
  assert.equal(point!.latency_p99_ms, 40, "the worse p99 of the two");
  assert.equal(f.latestReport("a")!.requests_per_s, 0, "the node's latest report is its own");
});

test("a report's shadow comparisons are kept per route with the disagreement rate", () => {
  const f = new FleetRegistry();
  f.connected("n1", "eu", 1000);
  f.report(
    "n1",
    "eu",
    create(NodeReportSchema, {
      shadow: [
        {
          routeId: "r1",
          mirrored: 1000n,
          compared: 990n,
          disagreed: 3n,
          dropped: { queue_full: 6n, shadow_timeout: 4n },
          latencyDiffMeanMs: 12.5,
          latencyDiffP50Ms: 10,
          latencyDiffP99Ms: 80,
        },
      ],
    }),
  );
  const s = f.latestReport("n1")?.shadow.r1;
  assert.deepEqual(s, {
    mirrored: 1000,
    compared: 990,
    disagreed: 3,
    disagreement_rate: 3 / 990,
    dropped: 10,
    dropped_by_reason: { queue_full: 6, shadow_timeout: 4 },
    latency_diff_ms: { mean: 12.5, p50: 10, p99: 80 },
  });
  assert.ok(JSON.stringify(f.latestReport("n1")), "the report serializes (no bigint left)");
});
