import assert from "node:assert/strict";
import { test } from "node:test";
import { fullTestAdminApi } from "../test/admin-app.js";
import { BUILTIN_ROLES, parseGrant } from "./permissions.js";
import { requirementOf } from "./route-permissions.js";

/** Endpoints only an admin (`*:*`) may call, on purpose. */
const ADMIN_ONLY = new Set<string>();

test("every /v1 endpoint has a permission in the table; none falls to admin-only by omission", async () => {
  const { api } = await fullTestAdminApi();
  await api.ready();
  const info = (
    await api.inject({
      method: "GET",
      url: "/v1/info",
      headers: { authorization: "Bearer test-admin-token-0123456789" },
    })
  ).json() as {
    endpoints: string[];
  };
  assert.ok(info.endpoints.length > 40, `only ${info.endpoints.length} endpoints`);
  const unmapped = info.endpoints.filter((e) => {
    const [method, url] = e.split(" ") as [string, string];
    const r = requirementOf(method, url);
    return r !== null && r.resource === "*" && !ADMIN_ONLY.has(e);
  });
  assert.deepEqual(unmapped, []);
});

test("the built-in roles parse, and each endpoint's permission is one a role can hold", () => {
  for (const [role, grants] of Object.entries(BUILTIN_ROLES))
    for (const g of grants) assert.doesNotThrow(() => parseGrant(g), role);
  for (const [m, u, want] of [
    ["POST", "/v1/routes", "routes:write"],
    ["GET", "/v1/routes/:id", "routes:read"],
    ["POST", "/v1/consumers/:id/credentials", "consumers:write"],
    ["POST", "/v1/config/versions", "config:publish"],
    ["GET", "/v1/config/versions/:version/export", "config:export"],
    ["POST", "/v1/rollouts/:id/abort", "rollouts:write"],
    ["DELETE", "/v1/nodes/:id", "nodes:write"],
    ["GET", "/v1/regions", "nodes:read"],
    ["PUT", "/v1/roles/:name", "tokens:write"],
    ["PUT", "/v1/rule-sets/:id", "rule-sets:write"],
    ["GET", "/v1/rule-sets/:id/rules", "rule-sets:read"],
    ["GET", "/v1/security/waf", "security:read"],
    ["GET", "/v1/security-events/stream", "security:read"],
    ["PUT", "/v1/telemetry", "telemetry:write"],
  ] as const) {
    const r = requirementOf(m, u);
    assert.equal(r && `${r.resource}:${r.verb}`, want, `${m} ${u}`);
  }
  assert.equal(requirementOf("GET", "/v1/tokens/self"), null);
  assert.deepEqual(requirementOf("POST", "/v1/something-new"), { resource: "*", verb: "*" });
});
