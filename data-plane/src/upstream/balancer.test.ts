import assert from "node:assert/strict";
import { test } from "node:test";
import { LeastRequests, RingHash, SmoothWeightedRoundRobin } from "./balancer.js";
import { hash32 } from "./hash.js";
import { TargetHealth } from "./target-health.js";
import { classifyUpstreamError } from "./upstream-errors.js";

const healthy = (n: number) => Array.from({ length: n }, (_, i) => new TargetHealth(`http://t${i}`));

function down(h: TargetHealth): void {
  h.recordProbe(false, 1, 1, "test");
}

test("smooth weighted round-robin spreads picks like nginx", () => {
  const b = new SmoothWeightedRoundRobin([5, 1, 1], healthy(3));
  const seq = Array.from({ length: 7 }, () => b.pick(-1, -1));
  assert.deepEqual(seq, [0, 0, 1, 0, 2, 0, 0]);
});

test("weights are honoured over a long run", () => {
  const b = new SmoothWeightedRoundRobin([100, 300], healthy(2));
  const counts = [0, 0];
  for (let i = 0; i < 400; i++) counts[b.pick(-1, -1)]!++;
  assert.deepEqual(counts, [100, 300]);
});

test("round-robin skips unavailable and excluded targets; with none left it panics to all", () => {
  const h = healthy(3);
  const b = new SmoothWeightedRoundRobin([1, 1, 1], h);
  down(h[1]!);
  const seen = new Set(Array.from({ length: 30 }, () => b.pick(-1, -1)));
  assert.deepEqual([...seen].sort(), [0, 2]);
  assert.ok(
    Array.from({ length: 10 }, () => b.pick(-1, 0)).every((i) => i === 2),
    "excluded 0, 1 is down",
  );
  down(h[0]!);
  down(h[2]!);
  const panic = new Set(Array.from({ length: 30 }, () => b.pick(-1, -1)));
  assert.deepEqual([...panic].sort(), [0, 1, 2], "no target available: every target gets traffic");
});

test("one target always; none gives -1", () => {
  assert.equal(new SmoothWeightedRoundRobin([7], healthy(1)).pick(-1, 0), 0);
  assert.equal(new SmoothWeightedRoundRobin([], []).pick(-1, -1), -1);
  assert.equal(new LeastRequests([], []).pick(-1, -1), -1);
  assert.equal(new RingHash([], [], []).pick(5, -1), -1);
});

test("least requests (two random choices) avoids the busy target and honours exclusion", () => {
  const b = new LeastRequests([1, 1], healthy(2));
  const first = b.pick(-1, -1);
  for (let i = 0; i < 20; i++) {
    const next = b.pick(-1, -1);
    assert.notEqual(next, first, "the idle target wins over the busy one");
    b.release(next);
  }
  b.release(first);
  assert.equal(b.pick(-1, 0), 1);
  const h = healthy(4);
  down(h[2]!);
  const lr = new LeastRequests([1, 1, 1, 1], h);
  for (let i = 0; i < 50; i++) {
    const p = lr.pick(-1, -1);
    assert.notEqual(p, 2);
    lr.release(p);
  }
});

test("ring hash: a key always lands on the same target; removing a target moves only its keys", () => {
  const ids = ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"];
  const ring = new RingHash(ids, [100, 100, 100], healthy(3));
  assert.equal(ring.size, 480, "160 virtual nodes per target of weight 100");
  const keys = Array.from({ length: 3000 }, (_, i) => hash32(`user-${i}`));
  const first = keys.map((k) => ring.pick(k, -1));
  assert.deepEqual(
    keys.map((k) => ring.pick(k, -1)),
    first,
    "stable",
  );
  const counts = [0, 0, 0];
  for (const t of first) counts[t]!++;
  for (const c of counts) assert.ok(c > 600 && c < 1400, `roughly even spread: ${counts}`);
  const smaller = new RingHash(ids.slice(0, 2), [100, 100], healthy(2));
  keys.forEach((k, i) => {
    if (first[i] !== 2) assert.equal(smaller.pick(k, -1), first[i], "keys of the remaining targets stay put");
  });
  const h = healthy(3);
  const withDown = new RingHash(ids, [100, 100, 100], h);
  down(h[0]!);
  keys.forEach((k, i) => {
    const p = withDown.pick(k, -1);
    assert.notEqual(p, 0);
    if (first[i] !== 0) assert.equal(p, first[i], "an unhealthy target's keys move, the others stay");
  });
  assert.notEqual(ring.pick(keys[0]!, first[0]!), first[0], "a retry excludes the failed target");
});

test("undici errors map to registry codes", () => {
  assert.equal(classifyUpstreamError({ code: "ECONNREFUSED" }), "UPSTREAM_UNAVAILABLE");
  assert.equal(classifyUpstreamError({ code: "UND_ERR_SOCKET" }), "UPSTREAM_UNAVAILABLE");
  assert.equal(classifyUpstreamError({ code: "UND_ERR_HEADERS_TIMEOUT" }), "UPSTREAM_TIMEOUT");
  assert.equal(classifyUpstreamError({ code: "UND_ERR_BODY_TIMEOUT" }), "UPSTREAM_TIMEOUT");
  assert.equal(classifyUpstreamError({ code: "UND_ERR_CONNECT_TIMEOUT" }), "UPSTREAM_TIMEOUT");
  assert.equal(classifyUpstreamError({ code: "UND_ERR_TOTAL_TIMEOUT" }), "UPSTREAM_TIMEOUT");
  assert.equal(classifyUpstreamError({ code: "PALISADE_UPSTREAM_OVERLOADED" }), "UPSTREAM_OVERLOADED");
  assert.equal(classifyUpstreamError({ code: "HPE_INVALID_CONSTANT" }), "UPSTREAM_BAD_RESPONSE");
  assert.equal(classifyUpstreamError({ name: "HTTPParserError" }), "UPSTREAM_BAD_RESPONSE");
  assert.equal(classifyUpstreamError({ code: "UND_ERR_INVALID_ARG" }), "INTERNAL");
  assert.equal(classifyUpstreamError(new Error("?")), "UPSTREAM_UNAVAILABLE");
});
