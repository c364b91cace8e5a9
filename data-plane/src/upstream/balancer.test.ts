import assert from "node:assert/strict";
import { test } from "node:test";
import { LeastRequests, SmoothWeightedRoundRobin } from "./balancer.js";
import { classifyUpstreamError } from "./upstream-errors.js";

test("smooth weighted round-robin spreads picks like nginx", () => {
  const b = new SmoothWeightedRoundRobin([5, 1, 1]);
  const seq = Array.from({ length: 7 }, () => b.pick());
  assert.deepEqual(seq, [0, 0, 1, 0, 2, 0, 0]);
});

test("weights are honoured over a long run", () => {
  const b = new SmoothWeightedRoundRobin([100, 300]);
  const counts = [0, 0];
  for (let i = 0; i < 400; i++) counts[b.pick()]!++;
  assert.deepEqual(counts, [100, 300]);
});

test("one target always; none gives -1", () => {
  assert.equal(new SmoothWeightedRoundRobin([7]).pick(), 0);
  assert.equal(new SmoothWeightedRoundRobin([]).pick(), -1);
  assert.equal(new LeastRequests([]).pick(), -1);
});

test("least requests picks the least loaded target and round-robins ties", () => {
  const b = new LeastRequests([1, 1]);
  const first = b.pick();
  const second = b.pick();
  assert.notEqual(first, second, "an idle target is preferred over a busy one");
  b.release(first);
  assert.equal(b.pick(), first);
});

test("undici errors map to registry codes", () => {
  assert.equal(classifyUpstreamError({ code: "ECONNREFUSED" }), "UPSTREAM_UNAVAILABLE");
  assert.equal(classifyUpstreamError({ code: "UND_ERR_SOCKET" }), "UPSTREAM_UNAVAILABLE");
  assert.equal(classifyUpstreamError({ code: "UND_ERR_HEADERS_TIMEOUT" }), "UPSTREAM_TIMEOUT");
  assert.equal(classifyUpstreamError({ code: "UND_ERR_BODY_TIMEOUT" }), "UPSTREAM_TIMEOUT");
  assert.equal(classifyUpstreamError({ code: "UND_ERR_CONNECT_TIMEOUT" }), "UPSTREAM_TIMEOUT");
  assert.equal(classifyUpstreamError({ code: "HPE_INVALID_CONSTANT" }), "UPSTREAM_BAD_RESPONSE");
  assert.equal(classifyUpstreamError({ name: "HTTPParserError" }), "UPSTREAM_BAD_RESPONSE");
  assert.equal(classifyUpstreamError({ code: "UND_ERR_INVALID_ARG" }), "INTERNAL");
  assert.equal(classifyUpstreamError(new Error("?")), "UPSTREAM_UNAVAILABLE");
});
