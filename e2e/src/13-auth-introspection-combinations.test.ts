/**
 * OAuth 2.0 token introspection (RFC 7662) against a real local introspection endpoint, and
 * combinations of authentication methods: any-of (`auth-any`) and all-of (several policies on
 * a route). The upstream never sees a credential the gateway consumed.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess } from "./harness/fleet.js";
import { TestIdp } from "./harness/idp.js";
import { IntrospectionServer } from "./harness/introspection-server.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

const opaque = () => randomBytes(24).toString("base64url");

describe("introspection; any-of and all-of authentication", () => {
  let upstream: RecordingUpstream;
  let idp: TestIdp;
  let as: IntrospectionServer;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;
  let key = "";
  let aliceId = "";

  before(async () => {
    upstream = await new RecordingUpstream().start();
    idp = await TestIdp.create();
    as = await new IntrospectionServer().start();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "a", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    const intro = {
      endpoint: as.url,
      client_id: as.clientId,
      client_secret: as.clientSecret,
      token_type_hint: "access_token",
      claims_to_headers: { sub: "X-User", scope: "X-Scope" },
    };
    await cp.ok("POST", "/v1/policies", { name: "intro", type: "introspection", config: intro });
    await cp.ok("POST", "/v1/policies", {
      name: "intro-503",
      type: "introspection",
      config: { ...intro, unavailable_status: 503, cache: false },
    });
    await cp.ok("POST", "/v1/policies", {
      name: "intro-scoped",
      type: "introspection",
      config: { ...intro, claim_rules: [{ claim: "scope", contains: "orders:write" }] },
    });
    await cp.ok("POST", "/v1/policies", {
      name: "jwt",
      type: "jwt",
      config: { jwks: idp.jwks(), algorithms: ["RS256"], claims_to_headers: { sub: "X-User" } },
    });
    await cp.ok("POST", "/v1/policies", { name: "keys", type: "api-key", config: {} });
    await cp.ok("POST", "/v1/policies", {
      name: "jwt-or-key",
      type: "auth-any",
      config: { policies: ["jwt", "keys"] },
    });
    const route = (name: string, policies: string[]) =>
      cp.ok("POST", "/v1/routes", { name, paths: [`/${name}`], upstream: "a", policies });
    await route("intro", ["intro"]);
    await route("intro503", ["intro-503"]);
    await route("scoped", ["intro-scoped"]);
    await route("any", ["jwt-or-key"]);
    await route("all", ["keys", "jwt"]);
    const alice = await cp.ok("POST", "/v1/consumers", { name: "alice" });
    aliceId = alice.id;
    key = (await cp.ok("POST", "/v1/consumers/alice/credentials", { type: "api-key" })).key;
    const published = await cp.ok("POST", "/v1/config/versions", {});
    // The client secret never comes back from the API, even inside a published version.
    const shown = await cp.api("GET", `/v1/config/versions/${published.version}`);
    assert.ok(!shown.text.includes(as.clientSecret));
    assert.ok(!(await cp.api("GET", "/v1/policies/intro")).text.includes(as.clientSecret));
    dp = await new DataPlaneProcess("node-intro", cp.syncPort, { extraArgs: ["--log-level", "debug"] }).start();
    await cp.waitForNodes([dp.nodeId], published.version);
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await upstream?.stop();
    await as?.stop();
  });

  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

  test("active token → 200 with claims forwarded and the token stripped; cached until exp", async () => {
    const t = opaque();
    as.activate(t, { sub: "user-9", scope: "orders:read", exp: Math.floor(Date.now() / 1000) + 300 });
    const calls = as.calls;
    const r = await dp.get("/intro/orders", { ...bearer(t), "x-user": "admin" });
    assert.equal(r.status, 200, r.text);
    const seen = upstream.seen.at(-1)!;
    assert.equal(seen.headers["x-user"], "user-9");
    assert.equal(seen.headers["x-scope"], "orders:read");
    assert.equal(seen.headers.authorization, undefined, "the upstream never sees the token");
    assert.equal((await dp.get("/intro/orders", bearer(t))).status, 200);
    assert.equal(as.calls, calls + 1, "the second request was answered from the cache");
  });

  test("inactive or unknown token → 401 invalid_token; revocation shows after the negative cache", async () => {
    const before = upstream.seen.length;
    const r = await dp.get("/intro/orders", bearer(opaque()));
    assert.deepEqual([r.status, r.json().error.code], [401, "AUTH_TOKEN_INVALID"]);
    assert.match(String(r.headers["www-authenticate"]), /error="invalid_token"/);
    const missing = await dp.get("/intro/orders");
    assert.deepEqual([missing.status, missing.json().error.code], [401, "AUTH_TOKEN_MISSING"]);
    assert.equal(upstream.seen.length, before);
  });

  test("claim rules on the introspection answer: missing scope → 403", async () => {
    const t = opaque();
    as.activate(t, { sub: "user-9", scope: "orders:read" });
    const r = await dp.get("/scoped/orders", bearer(t));
    assert.deepEqual([r.status, r.json().error.code], [403, "AUTH_FORBIDDEN"]);
    const w = opaque();
    as.activate(w, { sub: "user-9", scope: "orders:read orders:write" });
    assert.equal((await dp.get("/scoped/orders", bearer(w))).status, 200);
  });

  test("endpoint down → fail closed: 401 (default) or 503 by choice; never 200", async () => {
    const t = opaque();
    as.activate(t, { sub: "user-9" });
    as.down = true;
    const before = upstream.seen.length;
    try {
      const r = await dp.get("/intro/orders", bearer(t));
      assert.deepEqual([r.status, r.json().error.code], [401, "AUTH_TOKEN_INVALID"]);
      const r503 = await dp.get("/intro503/orders", bearer(t));
      assert.deepEqual([r503.status, r503.json().error.code], [503, "AUTH_UNAVAILABLE"]);
      assert.equal(upstream.seen.length, before);
      const ev = (await dp.securityEvents()).recent.find((e) => e.reason === "introspection_unavailable");
      assert.equal(ev?.type, "auth_unavailable");
    } finally {
      as.down = false;
    }
    assert.equal((await dp.get("/intro503/orders", bearer(t))).status, 200, "back once the endpoint is");
  });

  test("any-of (JWT or API key): either passes; the other credential is stripped; none → 401 with both challenges", async () => {
    const jwt = await idp.sign({ sub: "user-1" });
    const r1 = await dp.get("/any/x", { ...bearer(jwt), "x-api-key": "garbage" });
    assert.equal(r1.status, 200, r1.text);
    let seen = upstream.seen.at(-1)!;
    assert.equal(seen.headers["x-user"], "user-1");
    assert.equal(seen.headers["x-api-key"], undefined, "the unused credential is not forwarded");
    assert.equal(seen.headers.authorization, undefined);

    const r2 = await dp.get("/any/x", { authorization: "Bearer not-a-token", "x-api-key": key, "x-user": "admin" });
    assert.equal(r2.status, 200, r2.text);
    seen = upstream.seen.at(-1)!;
    assert.equal(seen.headers.authorization, undefined, "the unverified bearer token is not forwarded");
    assert.equal(seen.headers["x-api-key"], undefined);
    assert.equal(seen.headers["x-user"], undefined, "no JWT identity: the client's X-User is removed");
    assert.equal(seen.headers["x-consumer-id"], aliceId);

    const none = await dp.get("/any/x");
    assert.deepEqual([none.status, none.json().error.code], [401, "AUTH_CREDENTIALS_MISSING"]);
    assert.equal(none.headers["www-authenticate"], 'Bearer realm="palisade", ApiKey realm="palisade"');
    const bad = await dp.get("/any/x", { authorization: "Bearer not-a-token" });
    assert.deepEqual([bad.status, bad.json().error.code], [401, "AUTH_TOKEN_INVALID"]);
  });

  test("all-of (API key and JWT): both are required; the consumer comes from the first", async () => {
    const jwt = await idp.sign({ sub: "user-1" });
    const onlyKey = await dp.get("/all/x", { "x-api-key": key });
    assert.deepEqual([onlyKey.status, onlyKey.json().error.code], [401, "AUTH_TOKEN_MISSING"]);
    const onlyJwt = await dp.get("/all/x", bearer(jwt));
    assert.deepEqual([onlyJwt.status, onlyJwt.json().error.code], [401, "AUTH_KEY_MISSING"]);
    const both = await dp.get("/all/x", { ...bearer(jwt), "x-api-key": key });
    assert.equal(both.status, 200, both.text);
    const seen = upstream.seen.at(-1)!;
    assert.equal(seen.headers["x-consumer-id"], aliceId);
    assert.equal(seen.headers["x-user"], "user-1");
    assert.equal(seen.headers["x-api-key"], undefined);
    assert.equal(seen.headers.authorization, undefined);
    // The consumer and the methods reach the logging phase (the access line).
    const line = await eventually("access line for /all/x", async () =>
      dp.proc
        .output()
        .split("\n")
        .find((l) => l.includes('"msg":"request"') && l.includes('"path":"/all/x"') && l.includes('"status":200')),
    );
    const access = JSON.parse(line);
    assert.equal(access.consumer, aliceId);
    assert.equal(access.auth, "api-key+jwt");
    assert.ok(!line.includes(key.slice(5)), "no key in the log");
  });
});
