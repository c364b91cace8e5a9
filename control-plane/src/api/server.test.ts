import assert from "node:assert/strict";
import { test } from "node:test";
import { contentHashOf, decodeSnapshotBytes, decodeSnapshotFile } from "@palisade/proto";
import { TEST_ADMIN_TOKEN, testAdminApi } from "../test/admin-app.js";

const TOKEN = TEST_ADMIN_TOKEN;

async function app() {
  const t = await testAdminApi();
  const call = (method: "GET" | "POST" | "PUT" | "DELETE", url: string, payload?: unknown, token = TOKEN) =>
    t.call(method, url, payload, { token });
  return { api: t.api, call, store: t.store };
}

const upstream = { name: "up", targets: [{ host: "127.0.0.1", port: 9000 }] };
const hmacKey = Buffer.alloc(32, 7).toString("base64url");

test("every /v1 endpoint needs the admin token; /healthz does not", async () => {
  const { call } = await app();
  const none = await call("GET", "/v1/routes", undefined, "");
  assert.equal(none.status, 401);
  assert.equal(none.body.error.code, "ADMIN_AUTH_REQUIRED");
  assert.match(String(none.headers["www-authenticate"]), /^Bearer/);
  assert.equal((await call("GET", "/v1/routes", undefined, "wrong")).status, 401);
  assert.equal((await call("GET", "/healthz", undefined, "")).status, 200);
});

test("encoded or absolute-form paths do not skip the admin token", async () => {
  const { api } = await app();
  for (const url of [
    "/%761/nodes",
    "/v%31/routes",
    "/%76%31/config/versions",
    "http://x/v1/policies",
    "/v1//nodes",
    "/V1/nodes",
  ]) {
    const r = await api.inject({ method: "GET", url });
    assert.equal(r.statusCode, 401, url);
    assert.equal(r.json().error.code, "ADMIN_AUTH_REQUIRED", url);
  }
  const post = await api.inject({
    method: "POST",
    url: "/%761/upstreams",
    payload: { name: "pwned", targets: [{ host: "127.0.0.1", port: 9 }] },
  });
  assert.equal(post.statusCode, 401);
});

test("invalid bodies answer 400 naming the field", async () => {
  const { call } = await app();
  const cases: Array<[string, unknown, string]> = [
    ["/v1/upstreams", { name: "up", targets: [{ host: "127.0.0.1", port: 70000 }] }, "targets.0.port"],
    ["/v1/upstreams", { name: "up", targets: [{ port: 80 }] }, "targets.0.host"],
    ["/v1/upstreams", { name: "bad name!", targets: [{ host: "a", port: 80 }] }, "name"],
    ["/v1/upstreams", { ...upstream, tls: true }, "tls"],
    ["/v1/upstreams", { ...upstream, tls: { verify: false } }, "tls"],
    [
      "/v1/upstreams",
      { ...upstream, scheme: "https", tls: { ca_pem: "-----BEGIN CERTIFICATE-----\nx" } },
      "tls.ca_pem",
    ],
    ["/v1/upstreams", { ...upstream, load_balancing: "ring_hash" }, "hash_on"],
    ["/v1/upstreams", { ...upstream, hash_on: { header: "x-user" } }, "hash_on"],
    ["/v1/upstreams", { ...upstream, load_balancing: "ring_hash", hash_on: { header: "a", cookie: "b" } }, "hash_on"],
    ["/v1/upstreams", { ...upstream, retries: { retry_on_statuses: [404] } }, "retries.retry_on_statuses.0"],
    ["/v1/upstreams", { ...upstream, health_check: { active: { interval_ms: 1000 } } }, "health_check.active.path"],
    ["/v1/upstreams", { ...upstream, circuit_breaker: { max_requests: 0 } }, "circuit_breaker.max_requests"],
    ["/v1/upstreams", { ...upstream, timeouts: { total_ms: 0 } }, "timeouts.total_ms"],
    [
      "/v1/policies",
      { name: "j", type: "jwt", config: { algorithms: ["none"], jwks_url: "http://x/" } },
      "config.algorithms.0",
    ],
    ["/v1/policies", { name: "j", type: "jwt", config: { algorithms: ["RS256"] } }, "config.jwks"],
    ["/v1/policies", { name: "j", type: "magic", config: {} }, "type"],
  ];
  for (const [url, body, field] of cases) {
    const r = await call("POST", url, body);
    assert.equal(r.status, 400, `${url} ${JSON.stringify(body)}`);
    assert.equal(r.body.error.code, "VALIDATION_FAILED");
    assert.equal(r.body.error.field, field, JSON.stringify(r.body));
  }
});

test("what a node could not use is refused at the API, not NACKed later", async () => {
  const { call } = await app();
  const jwt = (extra: object) => ({
    name: "j",
    type: "jwt",
    config: { algorithms: ["RS256"], jwks_url: "https://idp.example/jwks", ...extra },
  });
  const cases: Array<[string, unknown, string]> = [
    ["/v1/upstreams", { name: "u", targets: [{ host: "999.999.999.999", port: 80 }] }, "targets.0.host"],
    ["/v1/upstreams", { name: "u", targets: [{ host: "1.2.3.4.5", port: 80 }] }, "targets.0.host"],
    ["/v1/upstreams", { name: "u", targets: [{ host: "1:2:3:4:5:6:7:8:9", port: 80 }] }, "targets.0.host"],
    ["/v1/upstreams", { name: "u", targets: [{ host: "a..b", port: 80 }] }, "targets.0.host"],
    ["/v1/upstreams", { name: "u", targets: [{ host: "-", port: 80 }] }, "targets.0.host"],
    ["/v1/upstreams", { name: "u", targets: [{ host: "127.0.0.1", port: "80" }] }, "targets.0.port"],
    ["/v1/policies", jwt({ claims_to_headers: { sub: "Host" } }), "config.claims_to_headers.sub"],
    ["/v1/policies", jwt({ claims_to_headers: { sub: "x-forwarded-for" } }), "config.claims_to_headers.sub"],
    ["/v1/policies", jwt({ jwks_url: "http://x:99999/" }), "config.jwks_url"],
    ["/v1/policies", jwt({ jwks_url: "http://[::1" }), "config.jwks_url"],
  ];
  for (const [url, body, field] of cases) {
    const r = await call("POST", url, body);
    assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.status}`);
    assert.equal(r.body.error.field, field, JSON.stringify(r.body));
  }
  await call("POST", "/v1/upstreams", upstream);
  for (const [path, field] of [
    ["/%2e%2e/x", "paths.0"],
    ["/a/../b", "paths.0"],
    ["/admin./x", "paths.0"],
    ["/admin%20", "paths.0"],
    ["/a//b", "paths.0"],
    ["/a;x", "paths.0"],
    ["/%41dmin", "paths.0"],
    ["/a%2Fb", "paths.0"],
    ["/a%zz", "paths.0"],
  ]) {
    const r = await call("POST", "/v1/routes", { name: "r", paths: [path], upstream: "up" });
    assert.deepEqual([r.status, r.body.error.field], [400, field], `${path}: ${JSON.stringify(r.body)}`);
  }
  assert.equal((await call("POST", "/v1/routes", { name: "r", paths: ["/caf%C3%A9"], upstream: "up" })).status, 201);
});

test("deeply nested JSON in a JWK is refused, and the query string is not coerced", async () => {
  const { call } = await app();
  let deep: unknown = "x";
  for (let i = 0; i < 3000; i++) deep = { a: deep };
  const r = await call("POST", "/v1/policies", {
    name: "j",
    type: "jwt",
    config: { algorithms: ["RS256"], jwks: { keys: [{ kty: "RSA", n: "x", e: "AQAB", nested: deep }] } },
  });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, "config.jwks.keys.0.nested");
  const q = await call("GET", "/v1/config/versions?limit=1e400");
  assert.deepEqual([q.status, q.body.error.field], [400, "limit"]);
});

test("a route naming a missing upstream or policy is refused", async () => {
  const { call } = await app();
  let r = await call("POST", "/v1/routes", { name: "r", paths: ["/x"], upstream: "ghost" });
  assert.equal(r.status, 400);
  assert.deepEqual([r.body.error.code, r.body.error.field], ["REFERENCE_NOT_FOUND", "upstream"]);
  await call("POST", "/v1/upstreams", upstream);
  r = await call("POST", "/v1/routes", { name: "r", paths: ["/x"], upstream: "up", policies: ["ghost"] });
  assert.deepEqual([r.status, r.body.error.field], [400, "policies.0"]);
  assert.equal(r.body.error.message, 'no policy named or with id "ghost"');
});

test("a JSON body sent as text/plain is 415 UNSUPPORTED_MEDIA_TYPE, not a schema error; nothing is stored", async () => {
  const { api, call } = await app();
  const r = await api.inject({
    method: "POST",
    url: "/v1/upstreams",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/plain" },
    payload: JSON.stringify(upstream),
  });
  assert.equal(r.statusCode, 415);
  assert.equal(r.json().error.code, "UNSUPPORTED_MEDIA_TYPE");
  assert.deepEqual((await call("GET", "/v1/upstreams")).body.items, []);
});

test("route rewrite and timeouts are checked", async () => {
  const { call } = await app();
  await call("POST", "/v1/upstreams", upstream);
  const both = await call("POST", "/v1/routes", {
    name: "r",
    paths: ["/x"],
    upstream: "up",
    strip_prefix: true,
    prefix_rewrite: "/y",
  });
  assert.deepEqual([both.status, both.body.error.field], [400, "prefix_rewrite"]);
  const dots = await call("POST", "/v1/routes", {
    name: "r",
    paths: ["/x"],
    upstream: "up",
    prefix_rewrite: "/a/../b",
  });
  assert.deepEqual([dots.status, dots.body.error.field], [400, "prefix_rewrite"]);
  const t = await call("POST", "/v1/routes", { name: "r", paths: ["/x"], upstream: "up", timeouts: { header_ms: -1 } });
  assert.deepEqual([t.status, t.body.error.field], [400, "timeouts.header_ms"]);
  const ok = await call("POST", "/v1/routes", {
    name: "r",
    paths: ["/x"],
    upstream: "up",
    prefix_rewrite: "/v2",
    preserve_host: true,
    timeouts: { header_ms: 500, total_ms: 2000 },
  });
  assert.equal(ok.status, 201);
  assert.deepEqual(ok.body.timeouts, { header_ms: 500, total_ms: 2000 });
});

test("publish makes numbered immutable versions and an unchanged draft makes none", async () => {
  const { call } = await app();
  assert.equal((await call("POST", "/v1/config/versions", {})).body.error.code, "NO_CONFIG");
  await call("POST", "/v1/upstreams", upstream);
  await call("POST", "/v1/routes", { name: "r", paths: ["/x"], upstream: "up" });
  const v1 = await call("POST", "/v1/config/versions", { message: "first" });
  assert.equal(v1.status, 201);
  assert.equal(v1.body.version, 1);
  assert.match(v1.body.hash, /^[0-9a-f]{64}$/);
  const again = await call("POST", "/v1/config/versions", {});
  assert.deepEqual([again.status, again.body.version, again.body.created], [200, 1, false]);
  await call("PUT", "/v1/routes/r", { name: "r", paths: ["/y"], upstream: "up" });
  const v2 = await call("POST", "/v1/config/versions", {});
  assert.deepEqual([v2.status, v2.body.version], [201, 2]);
  assert.notEqual(v2.body.hash, v1.body.hash);
  const old = await call("GET", "/v1/config/versions/1");
  assert.equal(old.body.snapshot.routes[0].paths[0].prefix, "/x", "version 1 is unchanged by later edits");
  assert.equal((await call("GET", "/v1/config/versions")).body.items.length, 2);
  assert.equal((await call("GET", "/v1/config/versions/9")).status, 404);
});

test("an upstream in use cannot be deleted; a free one can", async () => {
  const { call } = await app();
  await call("POST", "/v1/upstreams", upstream);
  await call("POST", "/v1/routes", { name: "r", paths: ["/x"], upstream: "up" });
  const r = await call("DELETE", "/v1/upstreams/up");
  assert.deepEqual([r.status, r.body.error.code], [409, "RESOURCE_IN_USE"]);
  assert.equal((await call("DELETE", "/v1/routes/r")).status, 204);
  assert.equal((await call("DELETE", "/v1/upstreams/up")).status, 204);
  assert.equal((await call("GET", "/v1/upstreams/up")).status, 404);
});

test("names are unique per kind", async () => {
  const { call } = await app();
  await call("POST", "/v1/upstreams", upstream);
  const r = await call("POST", "/v1/upstreams", upstream);
  assert.deepEqual([r.status, r.body.error.code, r.body.error.field], [409, "NAME_CONFLICT", "name"]);
});

test("HMAC secrets and private keys never come back from the API", async () => {
  const { call } = await app();
  const priv = await call("POST", "/v1/policies", {
    name: "p",
    type: "jwt",
    config: { algorithms: ["RS256"], jwks: { keys: [{ kty: "RSA", n: "x", e: "AQAB", d: "secret" }] } },
  });
  assert.deepEqual([priv.status, priv.body.error.field], [400, "config.jwks.keys.0.d"]);
  assert.doesNotMatch(JSON.stringify(priv.body), /secret/);
  const hs = await call("POST", "/v1/policies", {
    name: "h",
    type: "jwt",
    config: { algorithms: ["HS256"], jwks: { keys: [{ kty: "oct", k: hmacKey }] } },
  });
  assert.equal(hs.status, 201);
  assert.doesNotMatch(JSON.stringify(hs.body), new RegExp(hmacKey));
  const list = await call("GET", "/v1/policies");
  assert.doesNotMatch(JSON.stringify(list.body), new RegExp(hmacKey));
  await call("POST", "/v1/upstreams", upstream);
  await call("POST", "/v1/routes", { name: "r", paths: ["/x"], upstream: "up", policies: ["h"] });
  await call("POST", "/v1/config/versions", {});
  assert.doesNotMatch(JSON.stringify((await call("GET", "/v1/config/versions/1")).body), new RegExp(hmacKey));
});

test("a policy read with GET and sent back keeps its secrets; [redacted] is never stored as a secret", async () => {
  const { call, store } = await app();
  const intro = {
    name: "intro",
    type: "introspection",
    config: { endpoint: "https://as.example/introspect", client_id: "gw", client_secret: "s3cret-value" },
  };
  assert.equal((await call("POST", "/v1/policies", intro)).status, 201);
  const shown = (await call("GET", "/v1/policies/intro")).body;
  assert.equal(shown.config.client_secret, "[redacted]");
  // The web admin's edit: the answer, one field changed, sent back.
  const put = await call("PUT", "/v1/policies/intro", {
    name: "intro",
    type: shown.type,
    config: { ...shown.config, client_id: "gw2" },
  });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual((await store.getResource("policies", "intro"))!.body.config, {
    ...intro.config,
    client_id: "gw2",
  });
  // A new policy has no secret to keep.
  const fresh = await call("POST", "/v1/policies", { ...intro, name: "copy", config: shown.config });
  assert.deepEqual(
    [fresh.status, fresh.body.error.code, fresh.body.error.field],
    [400, "VALIDATION_FAILED", "config.client_secret"],
  );
  assert.equal(await store.getResource("policies", "copy"), undefined);
});

test("malformed JSON and unknown endpoints answer JSON errors", async () => {
  const { api } = await app();
  const r = await api.inject({
    method: "POST",
    url: "/v1/upstreams",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    payload: "{bad",
  });
  assert.deepEqual([r.statusCode, r.json().error.code], [400, "INVALID_JSON"]);
  const nf = await api.inject({ method: "GET", url: "/v1/nope", headers: { authorization: `Bearer ${TOKEN}` } });
  assert.deepEqual([nf.statusCode, nf.json().error.code], [404, "NOT_FOUND"]);
});

test("a version exports as a checksummed snapshot file that decodes to its resources", async () => {
  const { call, api } = await app();
  const up = await call("POST", "/v1/upstreams", upstream);
  await call("POST", "/v1/routes", { name: "r", paths: ["/r"], upstream: up.body.id });
  const v = await call("POST", "/v1/config/versions", {});
  const r = await api.inject({
    method: "GET",
    url: "/v1/config/versions/1/export",
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers["content-type"], "application/octet-stream");
  assert.match(String(r.headers["content-disposition"]), /attachment; filename="palisade-config-v1.snapshot"/);
  const snap = decodeSnapshotBytes(decodeSnapshotFile(r.rawPayload));
  assert.equal(snap.version, 1n);
  assert.equal(snap.hash, v.body.hash);
  assert.equal(contentHashOf(snap.resources), v.body.hash, "the file's resources hash to the version's hash");
  assert.equal((await call("GET", "/v1/config/versions/9/export")).status, 404);
});

test("fleet endpoints: join tokens need a region and answer 409 on an insecure control plane", async () => {
  const { call } = await app();
  const bad = await call("POST", "/v1/nodes/join-tokens", { region: "bad region!" });
  assert.deepEqual([bad.status, bad.body.error.field], [400, "region"]);
  const insecure = await call("POST", "/v1/nodes/join-tokens", { region: "eu" });
  assert.deepEqual([insecure.status, insecure.body.error.code], [409, "SYNC_INSECURE"]);
  assert.equal((await call("POST", "/v1/nodes/ghost/revoke")).status, 404);
  assert.deepEqual((await call("GET", "/v1/regions")).body, { items: [] });
});
