// The differential and fuzz checks against a real node (the proxy server in process) at a small
// size; the full runs are scripts: `npm run node:differential -w @palisade/data-plane` and
// `npm run node:fuzz -w @palisade/data-plane` (200,000 requests).
import assert from "node:assert/strict";
import { test } from "node:test";
import { DIFF_LIMITS } from "../http/differential.js";
import { fixedCases, generatedCases } from "../http/request-corpus.js";
import { fuzzNode, NodeUnderTest, nodeDifferential } from "./node-check.js";

test("the node answers every fixed case and 500 generated requests as the engine's verdict says", async () => {
  const node = await new NodeUnderTest("echo", DIFF_LIMITS).start();
  try {
    const cases = [...fixedCases(), ...generatedCases(500, 20261207)];
    const r = await nodeDifferential(node, cases, 8);
    assert.deepEqual(
      r.differences.map((d) => `${d.name}: ${d.why}`),
      [],
    );
    assert.ok(r.compared > 500);
  } finally {
    await node.stop();
  }
});

test("2,000 fuzzed requests: valid answers, clean closes, the node alive", async () => {
  const node = await new NodeUnderTest("fuzz", DIFF_LIMITS).start();
  try {
    const r = await fuzzNode(node, 2_000, 20261208, 16);
    assert.deepEqual(r.failures, []);
    assert.equal(r.requests, 2_000);
    assert.ok(r.responses > r.connections, `${r.responses} responses on ${r.connections} connections`);
    assert.ok(r.alive);
  } finally {
    await node.stop();
  }
});
