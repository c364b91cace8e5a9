// Admin API: traffic-protection policies, route/upstream path settings, global settings.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { RateLimitKeySource, RateLimitPeriod, RateLimitScope, SnapshotSchema } from "@palisade/proto";
import { testAdminApi } from "../test/admin-app.js";

async function app() {
  return testAdminApi();
}

const upstream = { name: "up", targets: [{ host: "127.0.0.1", port: 9000 }] };

test("bad traffic-policy configs answer 400 naming the field", async () => {
  const { call } = await app();
  const p = (type: string, config: unknown) => ({ name: "p", type, config });
  const cases: Array<[unknown, string]> = [
    [p("ip-restriction", { allow: ["10.0.0.0/33"] }), "config.allow.0"],
    [p("ip-restriction", { deny: ["10.0.0.1", "example.com"] }), "config.deny.1"],
    [p("ip-restriction", { allow: ["127.1"] }), "config.allow.0"],
    [p("ip-restriction", {}), "config.allow"],
    [p("ip-restriction", { allow: ["::ffff:10.0.0.0/64"] }), "config.allow.0"],
    [p("rate-limit", { limits: [] }), "config.limits"],
    [p("rate-limit", { limits: [{ requests: 0, per: "minute" }] }), "config.limits.0.requests"],
    [p("rate-limit", { limits: [{ requests: 1, per: "fortnight" }] }), "config.limits.0.per"],
    [
      p("rate-limit", {
        limits: [
          { requests: 1, per: "minute" },
          { requests: 2, per: "minute" },
        ],
      }),
      "config.limits.1.per",
    ],
    [p("rate-limit", { limits: [{ requests: 1, per: "minute" }], key: [{ header: "bad name" }] }), "config.key.0"],
    [p("rate-limit", { limits: [{ requests: 1, per: "minute" }], scope: "cluster" }), "config.redis"],
    [
      p("rate-limit", { limits: [{ requests: 1, per: "minute" }], redis: { host: "127.0.0.1", port: 6379 } }),
      "config.redis",
    ],
    [
      p("rate-limit", {
        limits: [{ requests: 1, per: "minute" }],
        scope: "cluster",
        redis: { host: "a b", port: 6379 },
      }),
      "config.redis.host",
    ],
    [p("request-size", {}), "config"],
    [p("request-size", { max_body_bytes: -1 }), "config.max_body_bytes"],
    [p("cors", { allow_origins: ["https://app.example.com/path"] }), "config.allow_origins.0"],
    [p("cors", { allow_origins: ["https://*.com"] }), "config.allow_origins.0"],
    [p("cors", { allow_origins: ["*"], allow_credentials: true }), "config.allow_credentials"],
    [p("cors", { allow_origins: ["null"] }), "config.allow_origins.0"],
    [p("headers", { set: { "Content-Length": "1" } }), "config.set.Content-Length"],
    [p("headers", { set: { "x-a": " padded" } }), "config.set.x-a"],
    [p("headers", { set: { "x-a": "1" }, remove: ["X-A"] }), "config.remove.0"],
    [p("headers", {}), "config"],
  ];
  for (const [body, field] of cases) {
    const r = await call("POST", "/v1/policies", body);
    assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.field, field, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
  }
  const badPrefix = await call("POST", "/v1/upstreams", { ...upstream, path_prefix: "/pub/../priv" });
  assert.deepEqual([badPrefix.status, badPrefix.body.error.field], [400, "path_prefix"]);
  const badFlag = await call("POST", "/v1/upstreams", upstream);
  assert.equal(badFlag.status, 201);
  const badRoute = await call("POST", "/v1/routes", {
    name: "r",
    paths: ["/x"],
    upstream: "up",
    case_sensitive: "yes",
  });
  assert.deepEqual([badRoute.status, badRoute.body.error.field], [400, "case_sensitive"]);
});

test("the snapshot carries the traffic policies, route path settings, path_prefix and global settings", async () => {
  const { call, store } = await app();
  await call("POST", "/v1/upstreams", { ...upstream, path_prefix: "/pub" });
  const rl = await call("POST", "/v1/policies", {
    name: "login-limit",
    type: "rate-limit",
    config: {
      limits: [
        { requests: 5, per: "minute" },
        { requests: 100, per: "hour" },
      ],
      key: ["client_address", "route", { header: "X-Tenant" }],
      scope: "cluster",
      redis: { host: "redis.internal", port: 6379, password: "s3cret-redis-pass" },
      failure_mode: "closed",
    },
  });
  assert.equal(rl.status, 201, JSON.stringify(rl.body));
  assert.equal(rl.body.config.redis.password, "[redacted]", "the Redis password never comes back");
  for (const body of [
    { name: "office", type: "ip-restriction", config: { allow: ["10.0.0.0/8", "2001:db8::/32"] } },
    { name: "size", type: "request-size", config: { max_body_bytes: 1048576, max_headers: 50 } },
    { name: "cors", type: "cors", config: { allow_origins: ["https://app.example.com"], allow_credentials: true } },
    { name: "sec", type: "headers", config: { set: { "X-Content-Type-Options": "nosniff" }, remove: ["Server"] } },
  ])
    assert.equal((await call("POST", "/v1/policies", body)).status, 201, body.name);
  const r = await call("POST", "/v1/routes", {
    name: "svc",
    paths: ["/svc"],
    upstream: "up",
    strip_prefix: true,
    policies: ["login-limit", "size", "cors"],
    merge_slashes: true,
    allow_encoded_slashes: true,
    case_sensitive: true,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const settings = await call("PUT", "/v1/settings", { global_policies: ["office", "sec"], merge_slashes: false });
  assert.equal(settings.status, 200, JSON.stringify(settings.body));
  assert.equal(settings.body.global_policies.length, 2);
  assert.equal((await call("POST", "/v1/config/versions", {})).status, 201);

  const snap = fromBinary(SnapshotSchema, (await store.latestVersion())!.snapshot);
  const byName = new Map(snap.policies.map((p) => [p.name, p]));
  assert.deepEqual(
    snap.settings[0]?.globalPolicyIds, // stored versions carry the settings as the `settings` resource (field 11)
    [byName.get("office")!.id, byName.get("sec")!.id],
    "global policies in the order given",
  );
  const route = snap.routes[0]!;
  assert.deepEqual([route.mergeSlashes, route.allowEncodedSlashes, route.caseSensitive], [true, true, true]);
  assert.equal(snap.upstreams[0]!.pathPrefix, "/pub");
  const limit = byName.get("login-limit")!.config;
  assert.equal(limit.case, "rateLimit");
  if (limit.case === "rateLimit") {
    assert.deepEqual(
      limit.value.limits.map((l) => [l.requests, l.period]),
      [
        [5, RateLimitPeriod.MINUTE],
        [100, RateLimitPeriod.HOUR],
      ],
    );
    assert.deepEqual(
      limit.value.key.map((k) => [k.source, k.header]),
      [
        [RateLimitKeySource.CLIENT_ADDRESS, ""],
        [RateLimitKeySource.ROUTE, ""],
        [RateLimitKeySource.HEADER, "x-tenant"],
      ],
    );
    assert.equal(limit.value.scope, RateLimitScope.CLUSTER);
    assert.equal(limit.value.redis?.password, "s3cret-redis-pass", "nodes get the secret");
  }
  const version = await call("GET", "/v1/config/versions/1");
  assert.doesNotMatch(JSON.stringify(version.body), /s3cret-redis-pass/);

  const inUse = await call("DELETE", "/v1/policies/office");
  assert.deepEqual([inUse.status, inUse.body.error.code], [409, "RESOURCE_IN_USE"]);
});

test("settings: unknown or repeated global policies are refused naming the entry", async () => {
  const { call } = await app();
  await call("POST", "/v1/policies", { name: "sec", type: "headers", config: { remove: ["server"] } });
  const missing = await call("PUT", "/v1/settings", { global_policies: ["sec", "nope"] });
  assert.deepEqual(
    [missing.status, missing.body.error.code, missing.body.error.field],
    [400, "REFERENCE_NOT_FOUND", "global_policies.1"],
  );
  const twice = await call("PUT", "/v1/settings", { global_policies: ["sec", "sec"] });
  assert.deepEqual([twice.status, twice.body.error.field], [400, "global_policies.1"]);
  const bad = await call("PUT", "/v1/settings", { merge_slashes: "yes" });
  assert.deepEqual([bad.status, bad.body.error.field], [400, "merge_slashes"]);
  assert.deepEqual((await call("GET", "/v1/settings")).body, { global_policies: [], merge_slashes: false });
});
