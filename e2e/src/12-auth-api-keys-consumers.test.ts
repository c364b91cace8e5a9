/**
 * Consumers and credentials end to end: API keys created through the admin API (shown once),
 * used at the edge, revoked; consumers disabled; JWT identities mapped to consumers; the
 * consumer identity forwarded upstream and never accepted from a client.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess } from "./harness/fleet.js";
import { TestIdp } from "./harness/idp.js";
import { eventually } from "./harness/process.js";
import { parseResponses, rawExchange, rawRequest } from "./harness/raw-http.js";
import { RecordingUpstream } from "./harness/upstream.js";

describe("API keys and consumers", () => {
  let upstream: RecordingUpstream;
  let idp: TestIdp;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;
  let version = 0;

  const publish = async () => {
    const v = await cp.ok("POST", "/v1/config/versions", {});
    version = v.version;
    await cp.waitForNodes([dp.nodeId], version);
  };

  before(async () => {
    upstream = await new RecordingUpstream().start();
    idp = await TestIdp.create();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "a", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    await cp.ok("POST", "/v1/policies", { name: "keys", type: "api-key", config: {} });
    await cp.ok("POST", "/v1/policies", { name: "keys-q", type: "api-key", config: { query_param: "apikey" } });
    await cp.ok("POST", "/v1/policies", {
      name: "jwt-consumers",
      type: "jwt",
      config: {
        jwks: idp.jwks(),
        algorithms: ["RS256"],
        issuers: [idp.issuer],
        require_consumer: true,
        claims_to_headers: { sub: "X-User" },
      },
    });
    await cp.ok("POST", "/v1/routes", { name: "k", paths: ["/k"], upstream: "a", policies: ["keys"] });
    await cp.ok("POST", "/v1/routes", { name: "kq", paths: ["/kq"], upstream: "a", policies: ["keys-q"] });
    await cp.ok("POST", "/v1/routes", { name: "j", paths: ["/j"], upstream: "a", policies: ["jwt-consumers"] });
    await cp.ok("POST", "/v1/routes", { name: "open", paths: ["/open"], upstream: "a" });
    await cp.ok("POST", "/v1/config/versions", {});
    dp = await new DataPlaneProcess("node-keys", cp.syncPort).start();
    await cp.waitForNodes([dp.nodeId], 1);
    version = 1;
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await upstream?.stop();
  });

  test("API key: created (shown once), used, never forwarded, revoked on the next version", async () => {
    const alice = await cp.ok("POST", "/v1/consumers", { name: "alice" });
    const created = await cp.api("POST", "/v1/consumers/alice/credentials", { type: "api-key" });
    assert.equal(created.status, 201);
    assert.equal(created.headers["cache-control"], "no-store");
    const key = created.json().key as string;
    assert.match(key, /^pk_/);
    const listed = await cp.api("GET", "/v1/consumers/alice/credentials");
    assert.ok(!listed.text.includes(key.slice(10)), "the key is shown once only");

    // Not usable before it is published.
    assert.equal((await dp.get("/k/orders", { "x-api-key": key })).status, 401);
    await publish();
    const ok = await dp.get("/k/orders", { "X-Api-Key": key, "x-consumer-id": "spoofed", "x-consumer-name": "root" });
    assert.equal(ok.status, 200, ok.text);
    const seen = upstream.seen.at(-1)!;
    assert.equal(seen.headers["x-api-key"], undefined, "the key never reaches the upstream");
    assert.equal(seen.headers["x-consumer-id"], alice.id);
    assert.equal(seen.headers["x-consumer-name"], "alice");

    const q = await dp.get(`/kq/orders?page=2&apikey=${key}`);
    assert.equal(q.status, 200, q.text);
    assert.equal(upstream.seen.at(-1)!.url, "/kq/orders?page=2", "the query key is stripped");

    const before = upstream.seen.length;
    const missing = await dp.get("/k/orders");
    assert.deepEqual([missing.status, missing.json().error.code], [401, "AUTH_KEY_MISSING"]);
    assert.equal(missing.headers["www-authenticate"], 'ApiKey realm="palisade"');
    const wrong = await dp.get("/k/orders", { "x-api-key": `${key}x` });
    assert.deepEqual([wrong.status, wrong.json().error.code], [401, "AUTH_KEY_INVALID"]);
    assert.ok(!wrong.text.includes(key), "the key is not echoed");
    const twice = await rawExchange(
      dp.proxyPort,
      rawRequest(["GET /k/orders HTTP/1.1", "Host: a", `X-Api-Key: ${key}`, `x-api-key: ${key}`, "Connection: close"]),
      { responses: 1 },
    );
    assert.equal(parseResponses(twice)[0]?.status, 400, "a key sent twice is ambiguous");
    const both = await dp.get(`/kq/orders?apikey=${key}&apikey=${key}`);
    assert.equal(both.status, 400);
    assert.equal(upstream.seen.length, before, "no refused request reached the upstream");

    await cp.ok("DELETE", `/v1/consumers/alice/credentials/${created.json().id}`);
    assert.equal(
      (await dp.get("/k/orders", { "x-api-key": key })).status,
      200,
      "revocation waits for the next version",
    );
    await publish();
    const revoked = await dp.get("/k/orders", { "x-api-key": key });
    assert.deepEqual([revoked.status, revoked.json().error.code], [401, "AUTH_KEY_INVALID"]);
  });

  test("a disabled consumer's keys stop working on the next version; the event names the consumer", async () => {
    const bob = await cp.ok("POST", "/v1/consumers", { name: "bob" });
    const key = (await cp.ok("POST", "/v1/consumers/bob/credentials", { type: "api-key" })).key as string;
    await publish();
    assert.equal((await dp.get("/k/x", { "x-api-key": key })).status, 200);
    await cp.ok("PUT", "/v1/consumers/bob", { name: "bob", disabled: true });
    await publish();
    const r = await dp.get("/k/x", { "x-api-key": key });
    assert.deepEqual([r.status, r.json().error.code], [401, "AUTH_KEY_INVALID"]);
    const ev = await eventually("consumer_disabled event", async () =>
      (await dp.securityEvents()).recent.find((e) => e.reason === "consumer_disabled" && e.consumer === bob.id),
    );
    assert.equal(ev.type, "authentication_failed");
    assert.equal(ev.policyType, "api-key");
    await cp.ok("PUT", "/v1/consumers/bob", { name: "bob", disabled: false });
    await publish();
    assert.equal((await dp.get("/k/x", { "x-api-key": key })).status, 200, "enabled again");
  });

  test("JWT identities: tokens map to consumers by issuer + sub or a claim; unknown or disabled → 401", async () => {
    const carol = await cp.ok("POST", "/v1/consumers", { name: "carol" });
    await cp.ok("POST", "/v1/consumers/carol/credentials", { type: "jwt", issuer: idp.issuer, subject: "user-7" });
    const svc = await cp.ok("POST", "/v1/consumers", { name: "billing-svc" });
    await cp.ok("POST", "/v1/consumers/billing-svc/credentials", {
      type: "jwt",
      issuer: idp.issuer,
      claim: "client_id",
      value: "billing",
    });
    await publish();
    const c = await dp.get("/j/x", { authorization: `Bearer ${await idp.sign({ sub: "user-7" })}` });
    assert.equal(c.status, 200, c.text);
    assert.equal(upstream.seen.at(-1)!.headers["x-consumer-id"], carol.id);
    assert.equal(upstream.seen.at(-1)!.headers["x-consumer-name"], "carol");
    const s = await dp.get("/j/x", {
      authorization: `Bearer ${await idp.sign({ sub: "svc-account-1", extra: { client_id: "billing" } })}`,
    });
    assert.equal(s.status, 200);
    assert.equal(upstream.seen.at(-1)!.headers["x-consumer-id"], svc.id);
    const unknown = await dp.get("/j/x", { authorization: `Bearer ${await idp.sign({ sub: "stranger" })}` });
    assert.equal(unknown.status, 401);
    const otherIssuer = await dp.get("/j/x", {
      authorization: `Bearer ${await idp.sign({ sub: "user-7", iss: "https://other.example" })}`,
    });
    assert.equal(otherIssuer.status, 401);

    await cp.ok("PUT", "/v1/consumers/carol", { name: "carol", disabled: true });
    await publish();
    const d = await dp.get("/j/x", { authorization: `Bearer ${await idp.sign({ sub: "user-7" })}` });
    assert.deepEqual([d.status, d.json().error.code], [401, "AUTH_TOKEN_INVALID"]);
  });

  test("consumer headers are never taken from a client, on any route", async () => {
    await dp.get("/open/x", { "X-Consumer-Id": "admin", "x-consumer-name": "admin" });
    const seen = upstream.seen.at(-1)!;
    assert.equal(seen.headers["x-consumer-id"], undefined);
    assert.equal(seen.headers["x-consumer-name"], undefined);
  });
});
