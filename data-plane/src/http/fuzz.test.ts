// The fuzz harness at a small size (the full run, 200,000 requests: `npm run http:fuzz -w
// @palisade/data-plane`): generated and mutated requests, pipelined, against a server on the
// engine; every connection gets valid HTTP responses and a clean close, and the process lives.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fuzzEngine } from "./fuzz.js";

test("3,000 generated requests: every answer a valid HTTP response, every connection closed cleanly", async () => {
  const r = await fuzzEngine(3_000, 20261207, 16);
  assert.deepEqual(r.failures, []);
  assert.equal(r.requests, 3_000);
  assert.ok(r.responses > r.connections, `${r.responses} responses on ${r.connections} connections`);
});
