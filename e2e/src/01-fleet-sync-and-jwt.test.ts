/**
 * Tier 1: the fleet runs end to end. Real palisade-cp and palisade-dp processes
 * on loopback, a real upstream and a real IdP serving a JWKS.
 */
import assert from "node:assert/strict";
import { createHmac, createPublicKey } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { ControlPlaneProcess, DataPlaneProcess } from "./harness/fleet.js";
import { TestIdp } from "./harness/idp.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

describe("fleet: publish, sync, JWT at the edge, control plane outage", () => {
  let upstream: RecordingUpstream;
  let idp: TestIdp;
  let cp: ControlPlaneProcess;
  let n1: DataPlaneProcess;
  let n2: DataPlaneProcess;
  let legacy: DataPlaneProcess;
  let jwksUrl: string;

  before(async () => {
    upstream = await new RecordingUpstream("upstream-a").start();
    idp = await TestIdp.create();
    jwksUrl = await idp.serve();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "echo", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    await cp.ok("POST", "/v1/routes", { name: "public", paths: ["/public"], upstream: "echo" });
    await cp.ok("POST", "/v1/config/versions", { message: "open route only" });
    n1 = await new DataPlaneProcess("node-eu-1", cp.syncPort, { region: "eu-west" }).start();
    n2 = await new DataPlaneProcess("node-us-1", cp.syncPort, { region: "us-east" }).start();
    // A node without the jwt policy type (as a build lacking it), like Kong's `plugins = bundled,-jwt`.
    legacy = await new DataPlaneProcess("node-legacy", cp.syncPort, {
      region: "eu-west",
      extraArgs: ["--policies", "bundled,-jwt"],
    }).start();
    await cp.waitForNodes([n1.nodeId, n2.nodeId, legacy.nodeId], 1);
  });

  after(async () => {
    await Promise.all([n1?.destroy(), n2?.destroy(), legacy?.destroy()]);
    await cp?.destroy();
    await upstream?.stop();
    await idp?.stop();
  });

  test("publish via the admin API: both nodes ACK the same version", async (t) => {
    await cp.ok("POST", "/v1/policies", {
      name: "jwt-demo",
      type: "jwt",
      config: {
        jwks_url: jwksUrl,
        algorithms: ["RS256"],
        issuers: [idp.issuer],
        audiences: ["palisade-demo"],
        claims_to_headers: { sub: "X-User" },
      },
    });
    await cp.ok("POST", "/v1/routes", { name: "echo", paths: ["/echo"], upstream: "echo", policies: ["jwt-demo"] });
    const published = await cp.ok("POST", "/v1/config/versions", { message: "add /echo with JWT" });
    assert.equal(published.version, 2);
    const nodes = await cp.waitForNodes([n1.nodeId, n2.nodeId], 2);
    assert.deepEqual(
      nodes.map((n) => [n.id, n.region, n.applied_version, n.applied_hash]),
      [
        [n1.nodeId, "eu-west", 2, published.hash],
        [n2.nodeId, "us-east", 2, published.hash],
      ],
    );
    assert.equal(await n1.appliedVersion(), 2);
    assert.equal(await n2.appliedVersion(), 2);
    const lastAck = Math.max(...nodes.map((n) => Date.parse(n.last_ack_at)));
    t.diagnostic(`publish → all nodes ACKed: ${lastAck - Date.parse(published.created_at)} ms`);
  });

  test("a valid token gets 200 with the upstream's body and the forwarded headers", async () => {
    const token = await idp.sign({ sub: "user-1" });
    for (const node of [n1, n2]) {
      const before = upstream.seen.length;
      const r = await node.get("/echo/hello?x=1", { authorization: `Bearer ${token}`, "x-user": "spoofed-admin" });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json().upstream, "upstream-a");
      assert.equal(upstream.seen.length, before + 1);
      const seen = upstream.seen.at(-1)!;
      assert.equal(seen.url, "/echo/hello?x=1");
      assert.equal(seen.headers["x-forwarded-for"], "127.0.0.1");
      assert.equal(seen.headers["x-forwarded-proto"], "http");
      assert.equal(seen.headers["x-forwarded-host"], `127.0.0.1:${node.proxyPort}`);
      assert.equal(seen.headers["x-user"], "user-1", "the verified claim overwrites the client's header");
      assert.equal(seen.headers.authorization, undefined, "the token is not forwarded by default");
    }
  });

  test("missing, malformed, expired, wrong-audience, wrong-issuer, alg:none and wrong-key tokens get 401 and reach nothing", async () => {
    const { privateKey: otherKey } = await generateKeyPair("RS256");
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: "user-1", iss: idp.issuer, aud: "palisade-demo", iat: now, exp: now + 300 };
    const publicPem = await exportSPKI(createPublicKey({ key: idp.publicJwk() as never, format: "jwk" }));
    const hsHeader = b64url({ alg: "HS256", typ: "JWT", kid: idp.kid });
    const hsSig = createHmac("sha256", publicPem)
      .update(`${hsHeader}.${b64url(claims)}`)
      .digest("base64url");
    const bad: Record<string, string | undefined> = {
      missing: undefined,
      malformed: "Bearer not-a-jwt",
      "wrong scheme": `Basic ${Buffer.from("a:b").toString("base64")}`,
      expired: `Bearer ${await idp.sign({ expIn: -3600 })}`,
      "not yet valid": `Bearer ${await idp.sign({ nbfIn: 3600 })}`,
      "wrong audience": `Bearer ${await idp.sign({ aud: "someone-else" })}`,
      "wrong issuer": `Bearer ${await idp.sign({ iss: "https://evil.example" })}`,
      "alg none": `Bearer ${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.`,
      "wrong key": `Bearer ${await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: idp.kid }).sign(otherKey)}`,
      "HS256 with the public key as secret": `Bearer ${hsHeader}.${b64url(claims)}.${hsSig}`,
    };
    const before = upstream.seenPath("/echo").length;
    for (const [what, authorization] of Object.entries(bad)) {
      const r = await n1.get("/echo/secret", authorization ? { authorization } : {});
      assert.equal(r.status, 401, `${what}: ${r.text}`);
      assert.match(String(r.headers["www-authenticate"]), /^Bearer /, what);
      assert.equal(r.headers["content-type"], "application/json", what);
      assert.match(r.json().error.code, /^AUTH_TOKEN_(MISSING|INVALID)$/, what);
      if (authorization) assert.ok(!r.text.includes(authorization.slice(7, 40)), `${what}: token echoed back`);
    }
    assert.equal(upstream.seenPath("/echo").length, before, "the upstream saw a rejected request");
  });

  test("unknown routes get 404 with a JSON error", async () => {
    const r = await n1.get("/nowhere");
    assert.equal(r.status, 404);
    assert.equal(r.json().error.code, "ROUTE_NOT_FOUND");
  });

  test("a version using a policy type a node lacks is not sent to it; the inventory says why", async () => {
    const node = await eventually("legacy node blocked", async () => {
      const n = await cp.ok("GET", `/v1/nodes/${legacy.nodeId}`);
      return n.blocked ? n : undefined;
    });
    assert.deepEqual(node.blocked, { version: 2, missing: ["jwt"] });
    assert.equal(node.last_nack, null, "not sent, so not refused");
    assert.equal(node.applied_version, 1);
    assert.equal(node.lag, 1);
    assert.equal(await legacy.appliedVersion(), 1);
    assert.equal((await legacy.get("/public/ok")).status, 200, "old version still serving");
    assert.equal((await legacy.get("/echo/x")).status, 404, "the version it lacks features for is not half-applied");
  });

  test("control plane killed: nodes keep serving their config", async () => {
    await cp.proc.kill();
    const token = await idp.sign();
    for (const node of [n1, n2]) {
      assert.equal((await node.get("/echo/after-cp-death", { authorization: `Bearer ${token}` })).status, 200);
      assert.equal((await node.get("/echo/after-cp-death")).status, 401);
    }
  });

  test("control plane restarted: versions and routes are still there and nodes reconnect", async () => {
    await cp.start();
    const versions = await cp.ok("GET", "/v1/config/versions");
    assert.deepEqual(
      versions.items.map((v: { version: number }) => v.version),
      [2, 1],
    );
    const routes = await cp.ok("GET", "/v1/routes");
    assert.deepEqual(routes.items.map((r: { name: string }) => r.name).sort(), ["echo", "public"]);
    const nodes = await cp.waitForNodes([n1.nodeId, n2.nodeId], 2);
    assert.ok(nodes.every((n) => n.connected));
    const token = await idp.sign();
    assert.equal((await n1.get("/echo/after-restart", { authorization: `Bearer ${token}` })).status, 200);
  });

  test("bad admin input answers 400 naming the field; no admin token answers 401", async () => {
    const bad = await cp.api("POST", "/v1/upstreams", { name: "u2", targets: [{ host: "127.0.0.1", port: 0 }] });
    assert.equal(bad.status, 400);
    assert.equal(bad.json().error.code, "VALIDATION_FAILED");
    assert.equal(bad.json().error.field, "targets.0.port");
    const ref = await cp.api("POST", "/v1/routes", { name: "r2", paths: ["/r2"], upstream: "missing" });
    assert.deepEqual([ref.status, ref.json().error.field], [400, "upstream"]);
    const anon = await cp.api("GET", "/v1/nodes", undefined, "");
    assert.equal(anon.status, 401);
    assert.equal(anon.json().error.code, "ADMIN_AUTH_REQUIRED");
  });
});
