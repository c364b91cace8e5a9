import assert from "node:assert/strict";
import { test } from "node:test";
import { testAdminApi } from "../../test/admin-app.js";

async function app() {
  return testAdminApi();
}

test("GET /v1/info lists every /v1 endpoint and the accepted policy types", async () => {
  const { call } = await app();
  const r = await call("GET", "/v1/info");
  assert.equal(r.status, 200);
  assert.equal(r.body.name, "palisade-cp");
  assert.match(r.body.version, /^\d+\.\d+\.\d+/);
  for (const e of [
    "GET /v1/info",
    "GET /v1/audit",
    "GET /v1/config/draft",
    "PUT /v1/routes/:id",
    "GET /v1/nodes/:id",
    "POST /v1/consumers",
    "POST /v1/consumers/:id/credentials",
    "DELETE /v1/consumers/:id/credentials/:credentialId",
    "POST /v1/rule-sets",
    "GET /v1/rule-sets/:id/rules",
    "GET /v1/security/waf",
  ])
    assert.ok(r.body.endpoints.includes(e), e);
  assert.ok(!r.body.endpoints.some((e: string) => e.startsWith("HEAD ")));
  assert.deepEqual(r.body.policy_types, [
    "jwt",
    "api-key",
    "mtls",
    "introspection",
    "auth-any",
    "ip-restriction",
    "rate-limit",
    "request-size",
    "cors",
    "headers",
    "canary",
    "mirror",
    "waf",
  ]);
});
