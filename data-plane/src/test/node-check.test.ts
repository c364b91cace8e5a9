// The differential and fuzz checks against a real node (the proxy server in process) at a small
// size; the full runs are scripts: `npm run node:differential -w @palisade/data-plane` and
// `npm run node:fuzz -w @palisade/data-plane` (200,000 requests).
import assert from "node:assert/strict";
import { test } from "node:test";
import { DIFF_LIMITS, engineVerdict } from "../http/differential.js";
import { fixedCases, generatedCases } from "../http/request-corpus.js";
import { fuzzNode, mismatch, NodeUnderTest, nodeDifferential } from "./node-check.js";

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

test("the node check itself: another reading, another status or no answer never passes", () => {
  const ok = Buffer.from("POST /a/%62?q=1 HTTP/1.1\r\nHost: a.test\r\nX-A: 1\r\nContent-Length: 2\r\n\r\nhi");
  const answer = (head: string) => Buffer.from(`HTTP/1.1 ${head}\r\ncontent-length: 0\r\n\r\n`);
  const read = (r: object) => Buffer.from(JSON.stringify(r)).toString("base64");
  const right = {
    method: "POST",
    target: "/a/b?q=1",
    fields: [["x-a", "1"]],
    body: Buffer.from("hi").toString("base64"),
  };
  const verdict = engineVerdict(ok);
  assert.equal(mismatch(ok, verdict, answer(`200 OK\r\nx-read: ${read(right)}`)), null);
  assert.notEqual(mismatch(ok, verdict, answer(`200 OK\r\nx-read: ${read({ ...right, body: "" })}`)), null);
  assert.notEqual(mismatch(ok, verdict, answer(`200 OK\r\nx-read: ${read({ ...right, fields: [] })}`)), null);
  assert.notEqual(mismatch(ok, verdict, answer("502 Bad Gateway")), null);
  assert.notEqual(mismatch(ok, verdict, Buffer.alloc(0)), null);
  const bad = Buffer.from("GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
  assert.notEqual(mismatch(bad, engineVerdict(bad), answer("200 OK")), null);
});
