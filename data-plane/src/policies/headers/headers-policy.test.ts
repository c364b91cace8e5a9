import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { HeadersPolicySchema } from "@palisade/proto";
import { NO_CONSUMERS } from "../auth/consumers.js";
import { PolicyConfigError } from "../factory.js";
import { responseHook, testRequest } from "../test-request.js";
import { createHeadersPolicy } from "./headers-policy.js";

const ctx = { id: "sec", warn: () => {}, consumers: NO_CONSUMERS };
const headers = (init: Parameters<typeof create<typeof HeadersPolicySchema>>[1]) =>
  createHeadersPolicy(create(HeadersPolicySchema, init), ctx);

test("set replaces, add_if_missing keeps the upstream's, remove hides Server and X-Powered-By", () => {
  const p = headers({
    set: { "Strict-Transport-Security": "max-age=63072000; includeSubDomains", "X-Content-Type-Options": "nosniff" },
    addIfMissing: { "Referrer-Policy": "no-referrer", "Cache-Control": "no-store" },
    remove: ["Server", "x-powered-by"],
  });
  const out = responseHook(p, testRequest(), 200, {
    server: "Apache/2.4.1",
    "x-powered-by": "PHP/5.1",
    "x-content-type-options": "sniff-away",
    "cache-control": "max-age=60",
  });
  assert.deepEqual(out, {
    "x-content-type-options": "nosniff",
    "cache-control": "max-age=60",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "referrer-policy": "no-referrer",
  });
  const own = responseHook(p, testRequest(), 401, null);
  assert.equal(own["strict-transport-security"], "max-age=63072000; includeSubDomains", "the node's own answers too");
  assert.equal(own["cache-control"], "no-store");
});

test("framing and hop-by-hop names, bad names and bad values are refused", () => {
  assert.throws(() => headers({ set: { "Content-Length": "1" } }), PolicyConfigError);
  assert.throws(() => headers({ remove: ["transfer-encoding"] }), PolicyConfigError);
  assert.throws(() => headers({ set: { "bad name": "x" } }), PolicyConfigError);
  assert.throws(() => headers({ set: { "x-a": "line\r\nbreak" } }), PolicyConfigError);
  assert.throws(() => headers({ set: { "x-a": "1" }, remove: ["X-A"] }), PolicyConfigError);
  assert.throws(() => headers({}), PolicyConfigError);
});
