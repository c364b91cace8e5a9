import assert from "node:assert/strict";
import { test } from "node:test";
import { redactSecrets } from "../config/redact.js";
import { TEST_ADMIN_TOKEN, testAdminApi } from "../test/admin-app.js";
import { kindOf } from "./audit.js";

const TOKEN = TEST_ADMIN_TOKEN;

async function app() {
  const t = await testAdminApi();
  const call = (
    method: "GET" | "POST" | "PUT" | "DELETE",
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) => t.call(method, url, payload, { headers });
  return { call, store: t.store };
}

const upstream = { name: "up", targets: [{ host: "127.0.0.1", port: 9000 }] };

test("every change is recorded with who, what, before and after; reads and refused changes are not", async () => {
  const { call } = await app();
  const created = await call("POST", "/v1/upstreams", upstream, { "x-palisade-client": "web-admin" });
  await call("PUT", "/v1/upstreams/up", { ...upstream, targets: [{ host: "127.0.0.1", port: 9001 }] });
  await call("POST", "/v1/upstreams", { name: "up", targets: [{ host: "x", port: 0 }] }); // 400: not a change
  await call("GET", "/v1/upstreams");
  await call("POST", "/v1/routes", { name: "r", paths: ["/x"], upstream: "up" });
  const v = await call("POST", "/v1/config/versions", { message: "first" });
  await call("POST", "/v1/config/versions", {}); // unchanged draft: nothing created, nothing recorded
  await call("DELETE", "/v1/routes/r");

  const log = await call("GET", "/v1/audit");
  assert.equal(log.status, 200);
  const items = log.body.items as any[];
  assert.deepEqual(
    items.map((e) => [e.method, e.kind, e.resource_name, e.status]),
    [
      ["DELETE", "routes", "r", 204],
      ["POST", "config/versions", null, 201],
      ["POST", "routes", "r", 201],
      ["PUT", "upstreams", "up", 200],
      ["POST", "upstreams", "up", 201],
    ],
  );
  const [del, pub, , put, post] = items;
  assert.deepEqual(post.actor, {
    id: "env",
    label: "PALISADE_ADMIN_TOKEN",
    fingerprint: post.actor.fingerprint,
    role: "admin",
  });
  assert.match(post.actor.fingerprint, /^[0-9a-f]{12}$/);
  assert.equal(post.source, "ui");
  assert.equal(put.source, "api");
  assert.equal(post.resource_id, created.body.id);
  assert.equal(post.before, null);
  assert.equal(put.before.targets[0].port, 9000);
  assert.equal(put.after.targets[0].port, 9001);
  assert.equal(put.path, "/v1/upstreams/up");
  assert.equal(pub.resource_id, String(v.body.version));
  assert.equal(pub.after.message, "first");
  assert.equal(del.before.name, "r");
  assert.equal(del.after, null);
  assert.ok(Date.parse(del.at) >= Date.parse(post.at));
  assert.doesNotMatch(JSON.stringify(log.body), new RegExp(TOKEN), "the token itself is never recorded");
});

test("filters: kind, resource (id or name), since/until, limit with a cursor; bad filters name the field", async () => {
  const { call } = await app();
  await call("POST", "/v1/upstreams", upstream);
  await call("POST", "/v1/routes", { name: "r1", paths: ["/a"], upstream: "up" });
  await call("POST", "/v1/routes", { name: "r2", paths: ["/b"], upstream: "up" });
  await call("PUT", "/v1/routes/r1", { name: "r1", paths: ["/c"], upstream: "up" });
  const kinds = (q: string) => call("GET", `/v1/audit?${q}`).then((r) => r.body.items.map((e: any) => e.resource_name));
  assert.deepEqual(await kinds("kind=routes"), ["r1", "r2", "r1"]);
  assert.deepEqual(await kinds("kind=upstreams"), ["up"]);
  assert.deepEqual(await kinds("kind=config"), []);
  assert.deepEqual(await kinds("resource=r1"), ["r1", "r1"]);
  const all = (await call("GET", "/v1/audit")).body.items as any[];
  const mid = all.find((e) => e.resource_name === "r2").at as string;
  const since = (await call("GET", `/v1/audit?since=${encodeURIComponent(mid)}`)).body.items as any[];
  assert.ok(since.every((e) => e.at >= mid));
  assert.deepEqual(
    since.filter((e) => e.kind === "routes").map((e) => e.resource_name),
    ["r1", "r2"],
  );
  const until = (await call("GET", `/v1/audit?until=${encodeURIComponent(mid)}`)).body.items as any[];
  assert.ok(until.length >= 1 && until.every((e) => e.at < mid));
  const page1 = await call("GET", "/v1/audit?limit=2");
  assert.equal(page1.body.items.length, 2);
  const page2 = await call("GET", `/v1/audit?limit=2&before_id=${page1.body.next_before_id}`);
  assert.deepEqual(
    page2.body.items.map((e: any) => e.resource_name),
    ["r1", "up"],
  );
  for (const [q, field] of [
    ["limit=0", "limit"],
    ["since=yesterday", "since"],
    ["colour=red", "colour"],
  ]) {
    const r = await call("GET", `/v1/audit?${q}`);
    assert.deepEqual([r.status, r.body.error.code, r.body.error.field], [400, "VALIDATION_FAILED", field], q);
  }
});

test("secrets never reach the audit log", async () => {
  const { call } = await app();
  const hmac = Buffer.alloc(32, 9).toString("base64url");
  await call("POST", "/v1/policies", {
    name: "h",
    type: "jwt",
    config: { algorithms: ["HS256"], jwks: { keys: [{ kty: "oct", k: hmac }] } },
  });
  await call("PUT", "/v1/policies/h", {
    name: "h",
    type: "jwt",
    config: { algorithms: ["HS256"], jwks: { keys: [{ kty: "oct", k: hmac, kid: "2" }] } },
  });
  const log = await call("GET", "/v1/audit");
  assert.equal(log.body.items.length, 2);
  assert.doesNotMatch(JSON.stringify(log.body), new RegExp(hmac));
});

test("redactSecrets hides key, token and password members at any depth, and nothing else", () => {
  const out = redactSecrets({
    name: "c",
    key: "pk_live_123",
    credentials: [{ api_key: "abc", token: "t", id: "1", keys: [{ kty: "RSA", n: "pub", d: "priv" }] }],
    client_secret: "s",
    jwks_url: "https://idp/jwks",
  });
  assert.deepEqual(out, {
    name: "c",
    key: "[redacted]",
    credentials: [
      { api_key: "[redacted]", token: "[redacted]", id: "1", keys: [{ kty: "RSA", n: "pub", d: "[redacted]" }] },
    ],
    client_secret: "[redacted]",
    jwks_url: "https://idp/jwks",
  });
});

test("kindOf names the route's fixed segments", () => {
  assert.equal(kindOf("/v1/routes/:id"), "routes");
  assert.equal(kindOf("/v1/config/versions"), "config/versions");
  assert.equal(kindOf("/v1/rollouts/:id/pause"), "rollouts/pause");
  assert.equal(kindOf("/v1/consumers/:id/credentials/:cid"), "consumers/credentials");
});

test("the draft endpoint shows what the next version would be and whether it changed", async () => {
  const { call } = await app();
  await call("POST", "/v1/upstreams", upstream);
  await call("POST", "/v1/routes", { name: "r", paths: ["/x"], upstream: "up" });
  let d = await call("GET", "/v1/config/draft");
  assert.deepEqual([d.status, d.body.changed, d.body.latest_version], [200, true, null]);
  assert.equal(d.body.snapshot.routes[0].name, "r");
  const v = await call("POST", "/v1/config/versions", {});
  d = await call("GET", "/v1/config/draft");
  assert.deepEqual([d.body.changed, d.body.latest_version, d.body.hash], [false, 1, v.body.hash]);
  await call("PUT", "/v1/routes/r", { name: "r", paths: ["/y"], upstream: "up" });
  d = await call("GET", "/v1/config/draft");
  assert.equal(d.body.changed, true);
  assert.equal(d.body.snapshot.routes[0].paths[0].prefix, "/y");
});

test("integer query parameters are read from their digits (the API's Ajv does not coerce types)", async () => {
  const { call } = await app();
  await call("POST", "/v1/upstreams", upstream);
  await call("POST", "/v1/routes", { name: "r", paths: ["/x"], upstream: "up" });
  await call("POST", "/v1/config/versions", {});
  await call("PUT", "/v1/routes/r", { name: "r", paths: ["/y"], upstream: "up" });
  await call("POST", "/v1/config/versions", {});
  assert.equal((await call("GET", "/v1/config/versions?limit=1")).body.items.length, 1);
  assert.equal((await call("GET", "/v1/audit?limit=3")).body.items.length, 3);
  for (const url of ["/v1/config/versions?limit=1001", "/v1/config/versions?limit=x", "/v1/audit?before_id=-1"]) {
    const r = await call("GET", url);
    assert.equal(r.status, 400, url);
    assert.equal(r.body.error.code, "VALIDATION_FAILED", url);
  }
});
