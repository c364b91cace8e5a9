import assert from "node:assert/strict";
import { test } from "node:test";
import { AdminTokens } from "../admin-token.js";
import { MIGRATIONS } from "../store/migrations.js";
import { Store } from "../store/store.js";
import { testAdminApi } from "../test/admin-app.js";

const upstream = { name: "orders", targets: [{ host: "127.0.0.1", port: 9080 }] };
const route = (name: string, path: string) => ({ name, paths: [path], upstream: "orders" });

/** An admin API with one upstream, and a helper minting a token of a role. */
async function setup() {
  const t = await testAdminApi();
  assert.equal((await t.call("POST", "/v1/upstreams", upstream)).status, 201);
  const mint = async (body: Record<string, unknown>) => {
    const r = await t.call("POST", "/v1/tokens", { name: `t-${String(body.role)}`, ...body });
    assert.equal(r.status, 201, r.text);
    assert.match(r.body.token, /^pal_[A-Za-z0-9_-]{43}$/);
    assert.equal(r.headers["cache-control"], "no-store");
    return r.body as { id: string; token: string };
  };
  return { ...t, mint };
}

test("viewer reads everything but writes nothing: 403 PERMISSION_DENIED naming the permission, nothing changed", async () => {
  const t = await setup();
  const viewer = await t.mint({ role: "viewer" });
  assert.equal((await t.call("GET", "/v1/upstreams", undefined, { token: viewer.token })).status, 200);
  const r = await t.call("POST", "/v1/routes", route("orders", "/orders"), { token: viewer.token });
  assert.equal(r.status, 403);
  assert.deepEqual(r.body.error, {
    code: "PERMISSION_DENIED",
    message: "role viewer lacks routes:write",
    permission: "routes:write",
  });
  // Refused before the body is read: an invalid body is refused the same way.
  assert.equal(
    (await t.call("POST", "/v1/routes", { nope: 1 }, { token: viewer.token })).body.error.code,
    "PERMISSION_DENIED",
  );
  assert.equal((await t.call("GET", "/v1/routes")).body.items.length, 0);
  const pub = await t.call("POST", "/v1/config/versions", {}, { token: viewer.token });
  assert.equal(pub.body.error.permission, "config:publish");
  assert.equal(
    (await t.call("GET", "/v1/tokens", undefined, { token: viewer.token })).body.error.permission,
    "tokens:read",
  );
  const self = await t.call("GET", "/v1/tokens/self", undefined, { token: viewer.token });
  assert.equal(self.status, 200);
  assert.equal(self.body.role, "viewer");
  assert.ok(self.body.permissions.includes("routes:read"));
});

test("operator runs traffic but cannot mint tokens; security writes security policies only", async () => {
  const t = await setup();
  const op = await t.mint({ role: "operator" });
  assert.equal((await t.call("POST", "/v1/routes", route("orders", "/orders"), { token: op.token })).status, 201);
  assert.equal((await t.call("POST", "/v1/config/versions", { message: "op" }, { token: op.token })).status, 201);
  const mint = await t.call("POST", "/v1/tokens", { name: "x", role: "viewer" }, { token: op.token });
  assert.equal(mint.body.error.permission, "tokens:write");

  const sec = await t.mint({ role: "security" });
  const jwt = {
    name: "idp",
    type: "jwt",
    config: { jwks_url: "https://idp.example/jwks", algorithms: ["RS256"] },
  };
  assert.equal((await t.call("POST", "/v1/policies", jwt, { token: sec.token })).status, 201);
  const limit = { name: "rl", type: "rate-limit", config: { limits: [{ requests: 10, per: "second" }] } };
  const refused = await t.call("POST", "/v1/policies", limit, { token: sec.token });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.permission, "policies/rate-limit:write");
  // Turning its jwt policy into another type needs that type too.
  const retyped = await t.call("PUT", "/v1/policies/idp", { ...limit, name: "idp" }, { token: sec.token });
  assert.equal(retyped.body.error.permission, "policies/rate-limit:write");
  assert.equal((await t.call("GET", "/v1/policies/idp")).body.type, "jwt");
  assert.equal((await t.call("PUT", "/v1/routes/orders", route("orders", "/o"), { token: sec.token })).status, 403);
  assert.equal((await t.call("DELETE", "/v1/policies/idp", undefined, { token: op.token })).status, 204);
});

test("a custom role is a list of resource × verb; a token cannot hand out more than it holds", async () => {
  const t = await setup();
  const bad = await t.call("PUT", "/v1/roles/editor", { name: "editor", permissions: ["routes:write", "routes:fly"] });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, "permissions.1");
  const put = await t.call("PUT", "/v1/roles/editor", {
    name: "editor",
    description: "route editors who mint route tokens",
    permissions: ["routes:read", "routes:write", "upstreams:read", "tokens:write", "tokens:read"],
  });
  assert.equal(put.status, 200, put.text);
  const ed = await t.mint({ role: "editor" });
  assert.equal((await t.call("POST", "/v1/routes", route("a", "/a"), { token: ed.token })).status, 201);
  assert.equal((await t.call("GET", "/v1/policies", undefined, { token: ed.token })).status, 403);
  const escalate = await t.call("POST", "/v1/tokens", { name: "boss", role: "admin" }, { token: ed.token });
  assert.equal(escalate.status, 403);
  assert.equal(escalate.body.error.permission, "*:*");
  assert.equal((await t.call("POST", "/v1/tokens", { name: "peer", role: "editor" }, { token: ed.token })).status, 201);
  const inUse = await t.call("DELETE", "/v1/roles/editor");
  assert.equal(inUse.status, 409);
  assert.equal(inUse.body.error.code, "ROLE_IN_USE");
  const roles = (await t.call("GET", "/v1/roles")).body.items.map((r: { name: string }) => r.name);
  assert.deepEqual(roles, ["admin", "operator", "security", "viewer", "editor"]);
});

test("a token bound to route prefixes edits only routes whose every path lies under them", async () => {
  const t = await setup();
  const orders = await t.mint({ role: "operator", route_prefixes: ["/orders"] });
  const opts = { token: orders.token };
  assert.equal((await t.call("POST", "/v1/routes", route("o", "/orders/v2"), opts)).status, 201);
  const outside = await t.call("POST", "/v1/routes", route("adm", "/orders-admin"), opts);
  assert.equal(outside.status, 403);
  assert.equal(outside.body.error.code, "SCOPE_DENIED");
  assert.deepEqual(outside.body.error.route_prefixes, ["/orders"]);
  assert.equal(
    (await t.call("POST", "/v1/routes", { name: "all", hosts: ["a.example"], upstream: "orders" }, opts)).status,
    403,
  );
  assert.equal((await t.call("POST", "/v1/routes", route("admin", "/admin"))).status, 201);
  // Neither moving its own route out, nor touching another's.
  assert.equal((await t.call("PUT", "/v1/routes/o", route("o", "/admin/x"), opts)).status, 403);
  assert.equal((await t.call("DELETE", "/v1/routes/admin", undefined, opts)).status, 403);
  assert.deepEqual(
    (await t.call("GET", "/v1/routes")).body.items.map((r: { name: string }) => r.name),
    ["admin", "o"],
  );
});

test("a token bound to regions mints join tokens and publishes only there", async () => {
  const t = await setup();
  const eu = await t.mint({ role: "operator", regions: ["eu-west"] });
  assert.equal((await t.call("POST", "/v1/routes", route("o", "/o"), { token: eu.token })).status, 201);
  const all = await t.call("POST", "/v1/config/versions", {}, { token: eu.token });
  assert.equal(all.status, 403);
  assert.equal(all.body.error.code, "SCOPE_DENIED");
  assert.equal((await t.call("POST", "/v1/config/versions", { deploy: "none" }, { token: eu.token })).status, 201);
  const us = await t.call("POST", "/v1/nodes/join-tokens", { region: "us-east" }, { token: eu.token });
  assert.equal(us.status, 403);
  assert.equal(us.body.error.code, "SCOPE_DENIED");
  const wider = await t.call("POST", "/v1/tokens", { name: "w", role: "viewer" }, { token: eu.token });
  assert.equal(wider.status, 403);
});

test("expired, revoked and rotated tokens answer 401 with their own code; every mutation is audited with id and role", async () => {
  const t = await setup();
  const op = await t.mint({ role: "operator", ttl_s: 3600 });
  assert.equal((await t.call("POST", "/v1/routes", route("r", "/r"), { token: op.token })).status, 201);
  const entry = (await t.call("GET", "/v1/audit?kind=routes")).body.items[0];
  assert.deepEqual(
    { id: entry.actor.id, role: entry.actor.role, label: entry.actor.label },
    { id: op.id, role: "operator", label: "t-operator" },
  );

  const rotated = await t.call("POST", `/v1/tokens/${op.id}/rotate`, {});
  assert.equal(rotated.status, 200);
  const old = await t.call("GET", "/v1/routes", undefined, { token: op.token });
  assert.equal(old.status, 401);
  assert.equal(old.body.error.code, "TOKEN_REVOKED");
  assert.match(String(old.headers["www-authenticate"]), /error="invalid_token"/);
  assert.equal((await t.call("GET", "/v1/routes", undefined, { token: rotated.body.token })).status, 200);

  await t.store.db.run("UPDATE api_tokens SET expires_at = ? WHERE id = ?", [
    "2020-01-01T00:00:00.000Z",
    Number(op.id),
  ]);
  // The in-memory index is refreshed by any token change.
  await t.mint({ role: "viewer" });
  const expired = await t.call("GET", "/v1/routes", undefined, { token: rotated.body.token });
  assert.equal(expired.body.error.code, "TOKEN_EXPIRED");
  assert.equal((await t.call("GET", `/v1/tokens?state=expired`)).body.items[0].id, op.id);

  const v = await t.mint({ role: "viewer" });
  assert.equal((await t.call("DELETE", `/v1/tokens/${v.id}`)).status, 204);
  const revoked = await t.call("GET", "/v1/routes", undefined, { token: v.token });
  assert.equal(revoked.status, 401);
  assert.equal(revoked.body.error.code, "TOKEN_REVOKED");
  const listed = (await t.call("GET", `/v1/tokens/${v.id}`)).body;
  assert.equal(listed.state, "revoked");
  assert.equal(JSON.stringify(listed).includes(v.token), false);
  assert.equal((await t.call("POST", `/v1/tokens/${v.id}/rotate`, {})).body.error.code, "TOKEN_REVOKED");
});

test("first start: one bootstrap admin token, stored as its hash; tokens of the old table become admin tokens", async () => {
  const store = await Store.open(":memory:");
  const tokens = new AdminTokens(store, undefined);
  const first = await tokens.ensure();
  assert.match(first!, /^pal_/);
  assert.equal(await tokens.ensure(), undefined);
  assert.equal(tokens.identify(first!)?.role, "admin");
  assert.equal(JSON.stringify(await store.db.all("SELECT * FROM api_tokens")).includes(first!), false);
  // Revoking the only admin token makes the next start print a new one.
  await tokens.revoke(1);
  assert.match((await tokens.ensure())!, /^pal_/);

  // A database from before the RBAC migration keeps its generated token as an admin token.
  const old = await Store.open(":memory:");
  await old.db.run("DELETE FROM api_tokens");
  await old.db.run("INSERT INTO admin_tokens (hash, created_at) VALUES (?, ?)", [
    "ab".repeat(32),
    "2026-01-01T00:00:00Z",
  ]);
  await old.db.run("DELETE FROM roles");
  // Re-running the RBAC migration's copy: what a pre-RBAC database gets on its first start.
  const rbac = MIGRATIONS.find((m) => m.includes("CREATE TABLE api_tokens"))!;
  const copy = rbac.split(";").find((s) => s.includes("INSERT INTO api_tokens"))!;
  await old.db.run(copy);
  const row = await old.db.get("SELECT role, source FROM api_tokens");
  assert.deepEqual({ ...(row as object) }, { role: "admin", source: "bootstrap" });
  await store.close();
  await old.close();
});
