import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { RequestSizePolicySchema } from "@palisade/proto";
import { NO_CONSUMERS } from "../auth/consumers.js";
import { testRequest } from "../test-request.js";
import { PolicyConfigError, type PolicyOutcome } from "../types.js";
import { countQueryParams, createRequestSizePolicy } from "./request-size-policy.js";

const ctx = { id: "size", warn: () => {}, consumers: NO_CONSUMERS };
const size = (init: Parameters<typeof create<typeof RequestSizePolicySchema>>[1]) =>
  createRequestSizePolicy(create(RequestSizePolicySchema, init), ctx);
const code = (o: PolicyOutcome) => (o.allow ? (o.respond === undefined ? "ALLOW" : "RESPOND") : o.code);

test("a declared Content-Length over the limit is refused before any byte; under it the limit rides along", () => {
  const p = size({ maxBodyBytes: 1024n });
  assert.equal(
    code(p.check(testRequest({ headers: { "content-length": "1025" } })) as PolicyOutcome),
    "PAYLOAD_TOO_LARGE",
  );
  const ok = p.check(testRequest({ headers: { "content-length": "1024" } })) as PolicyOutcome;
  assert.ok(ok.allow);
  assert.equal(ok.maxBodyBytes, 1024, "chunked bodies are counted on the stream by the proxy");
});

test("URL length and query parameters → 414; header count and bytes → 431", () => {
  const p = size({ maxUrlBytes: 20, maxQueryParams: 2, maxHeaders: 3, maxHeaderBytes: 60 });
  assert.equal(code(p.check(testRequest({ path: "/a".repeat(11) })) as PolicyOutcome), "URI_TOO_LONG");
  assert.equal(code(p.check(testRequest({ path: "/a", query: "?a&b&c" })) as PolicyOutcome), "URI_TOO_LONG");
  assert.equal(code(p.check(testRequest({ path: "/a", query: "?a&&b&" })) as PolicyOutcome), "ALLOW");
  const four = ["a", "1", "b", "2", "c", "3", "d", "4"];
  assert.equal(code(p.check(testRequest({ rawHeaders: four })) as PolicyOutcome), "HEADERS_TOO_LARGE");
  assert.equal(code(p.check(testRequest({ rawHeaders: ["x", "y".repeat(60)] })) as PolicyOutcome), "HEADERS_TOO_LARGE");
  assert.equal(code(p.check(testRequest({ rawHeaders: ["x", "y".repeat(50)] })) as PolicyOutcome), "ALLOW");
});

test("countQueryParams and config errors", () => {
  assert.equal(countQueryParams(""), 0);
  assert.equal(countQueryParams("?"), 0);
  assert.equal(countQueryParams("?a=1&b=2&&c"), 3);
  assert.throws(() => size({}), PolicyConfigError);
});
