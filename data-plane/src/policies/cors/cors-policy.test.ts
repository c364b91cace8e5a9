import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { CorsPolicySchema } from "@palisade/proto";
import { fieldListOf } from "../../http/field-list.js";
import { ResponseFields } from "../../http/response-fields.js";
import { NO_CONSUMERS } from "../auth/consumers.js";
import type { Policy } from "../contract.js";
import { PolicyConfigError } from "../factory.js";
import { asRefusal, asReply, requestHook, responseHook, testRequest, verdictCode } from "../test-request.js";
import { addVary, createCorsPolicy } from "./cors-policy.js";

const ctx = { id: "cors", warn: () => {}, consumers: NO_CONSUMERS };
const cors = (init: Parameters<typeof create<typeof CorsPolicySchema>>[1]) =>
  createCorsPolicy(create(CorsPolicySchema, init), ctx);
const app = cors({
  allowOrigins: ["https://app.example.com", "https://*.example.org:8443"],
  allowMethods: ["GET", "PUT"],
  allowHeaders: ["Authorization", "X-Trace"],
  exposeHeaders: ["X-Request-Id"],
  allowCredentials: true,
  maxAgeS: 600,
});

const preflight = (p: Policy, origin: string, method = "PUT", headers = "authorization") =>
  requestHook(
    p,
    testRequest({
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": method, "access-control-request-headers": headers },
    }),
  );

const answer = (p: Policy, origin: string | undefined, upstream: Record<string, string> = {}) =>
  responseHook(p, testRequest({ headers: origin === undefined ? {} : { origin } }), 200, upstream);

test("an allowed preflight is answered at the edge with 204 and the allow headers", async () => {
  const o = asReply(await preflight(app, "https://app.example.com", "PUT", "Authorization, x-trace"));
  assert.equal(o.status, 204);
  assert.equal(app.traits.answersPreflight, true);
  assert.deepEqual(o.headers, {
    "access-control-allow-origin": "https://app.example.com",
    "access-control-allow-methods": "GET, PUT",
    "access-control-allow-credentials": "true",
    "access-control-allow-headers": "authorization, x-trace",
    "access-control-max-age": "600",
    vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    "content-length": "0",
  });
});

test("a preflight from another origin, method or header gets 403 CORS_FORBIDDEN and no CORS header", async () => {
  for (const [origin, method, headers, why] of [
    ["https://evil.example.com", "PUT", "", "cors_origin_not_allowed"],
    ["https://app.example.com.evil.test", "PUT", "", "cors_origin_not_allowed"],
    ["http://app.example.com", "PUT", "", "cors_origin_not_allowed"],
    ["null", "PUT", "", "cors_origin_not_allowed"],
    ["https://example.org:8443", "PUT", "", "cors_origin_not_allowed"],
    ["https://app.example.com", "DELETE", "", "cors_method_not_allowed"],
    ["https://app.example.com", "PUT", "x-other", "cors_header_not_allowed"],
  ] as const) {
    const o = asRefusal(await preflight(app, origin, method, headers));
    assert.equal(o.code, "CORS_FORBIDDEN");
    assert.equal(o.reason, why, `${origin} ${method} ${headers}`);
    assert.deepEqual(o.headers, { vary: "Origin" });
  }
});

test("patterns match subdomains at any depth with the same scheme and port, never the apex", () => {
  for (const o of ["https://a.example.org:8443", "https://a.b.example.org:8443", "HTTPS://A.EXAMPLE.ORG:8443"])
    assert.equal(answer(app, o)["access-control-allow-origin"], o, o);
  for (const o of ["https://a.example.org", "https://example.org:8443", "https://aexample.org:8443"])
    assert.equal(answer(app, o)["access-control-allow-origin"], undefined, o);
});

test("answers: allowed origin gets CORS headers, others none; Vary: Origin always; upstream CORS removed", () => {
  const ok = answer(app, "https://app.example.com", { vary: "Accept-Encoding", "access-control-allow-origin": "*" });
  assert.deepEqual(ok, {
    vary: "Accept-Encoding, Origin",
    "access-control-allow-origin": "https://app.example.com",
    "access-control-allow-credentials": "true",
    "access-control-expose-headers": "x-request-id",
  });
  const evil = answer(app, "https://evil.example.com", {
    "access-control-allow-origin": "*",
    "access-control-allow-credentials": "true",
  });
  assert.deepEqual(evil, { vary: "Origin" });
  assert.deepEqual(answer(app, undefined), { vary: "Origin" });
});

test("* without credentials sends * and needs no Vary; * with credentials is refused", () => {
  const any = cors({ allowOrigins: ["*"] });
  assert.deepEqual(answer(any, "https://x.test"), { "access-control-allow-origin": "*" });
  assert.throws(() => cors({ allowOrigins: ["*"], allowCredentials: true }), PolicyConfigError);
  assert.throws(() => cors({ allowOrigins: ["https://*.com"] }), PolicyConfigError);
  assert.throws(() => cors({ allowOrigins: ["https://a.test/path"] }), PolicyConfigError);
  assert.throws(() => cors({ allowOrigins: [] }), PolicyConfigError);
});

test("non-preflight requests are never refused for their origin", async () => {
  const get = await requestHook(app, testRequest({ method: "GET", headers: { origin: "https://evil.test" } }));
  assert.equal(verdictCode(get), "CONTINUE");
  const options = await requestHook(app, testRequest({ method: "OPTIONS", headers: { origin: "https://evil.test" } }));
  assert.equal(verdictCode(options), "CONTINUE");
});

test("addVary merges tokens without duplicates and respects *", () => {
  const h = new ResponseFields(200, fieldListOf(["Vary", "origin"]), null);
  addVary(h, "Origin");
  assert.equal(h.get("vary"), "origin");
  const star = new ResponseFields(200, fieldListOf(["vary", "*"]), null);
  addVary(star, "Origin");
  assert.equal(star.get("vary"), "*");
});
