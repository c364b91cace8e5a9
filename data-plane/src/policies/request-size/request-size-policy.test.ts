import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { RequestSizePolicySchema } from "@palisade/proto";
import { NO_CONSUMERS } from "../auth/consumers.js";
import { PolicyConfigError } from "../factory.js";
import { requestHook, type TestRequestInit, testRequest, verdictCode } from "../test-request.js";
import { countQueryParams, createRequestSizePolicy } from "./request-size-policy.js";

const ctx = { id: "size", warn: () => {}, consumers: NO_CONSUMERS };
const size = (init: Parameters<typeof create<typeof RequestSizePolicySchema>>[1]) =>
  createRequestSizePolicy(create(RequestSizePolicySchema, init), ctx);
const code = async (p: ReturnType<typeof size>, init: TestRequestInit) =>
  verdictCode(await requestHook(p, testRequest(init)));

test("a declared Content-Length over the limit is refused before any byte; under it the limit rides along", async () => {
  const p = size({ maxBodyBytes: 1024n });
  assert.equal(await code(p, { headers: { "content-length": "1025" } }), "PAYLOAD_TOO_LARGE");
  assert.equal(await code(p, { headers: { "content-length": "1024" } }), "CONTINUE");
  assert.equal(p.traits.maxRequestBodyBytes, 1024, "chunked bodies are counted on the stream by the proxy");
});

test("URL length and query parameters → 414; header count and bytes → 431", async () => {
  const p = size({ maxUrlBytes: 20, maxQueryParams: 2, maxHeaders: 3, maxHeaderBytes: 60 });
  assert.equal(await code(p, { path: "/a".repeat(11) }), "URI_TOO_LONG");
  assert.equal(await code(p, { path: "/a", query: "?a&b&c" }), "URI_TOO_LONG");
  assert.equal(await code(p, { path: "/a", query: "?a&&b&" }), "CONTINUE");
  const four = ["a", "1", "b", "2", "c", "3", "d", "4"];
  assert.equal(await code(p, { rawHeaders: four }), "HEADERS_TOO_LARGE");
  assert.equal(await code(p, { rawHeaders: ["x", "y".repeat(60)] }), "HEADERS_TOO_LARGE");
  assert.equal(await code(p, { rawHeaders: ["x", "y".repeat(50)] }), "CONTINUE");
});

test("countQueryParams and config errors", () => {
  assert.equal(countQueryParams(""), 0);
  assert.equal(countQueryParams("?"), 0);
  assert.equal(countQueryParams("?a=1&b=2&&c"), 3);
  assert.throws(() => size({}), PolicyConfigError);
});
