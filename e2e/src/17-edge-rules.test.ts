/**
 * Edge behaviours a security gateway must get right (issue 13, points 2, 3, 5 and 6), end to end
 * on real processes: a control plane, a node with its default settings (one worker), a raw
 * recording upstream and a JWKS-serving IdP. Requests go out byte for byte on raw sockets; every
 * test checks the client's answer and what the upstream read off its own sockets.
 *
 * - A spelling the upstream treats as the same resource (a trailing slash) meets the route's
 *   policies; a strict route opts out.
 * - Legal escapes (`/%23fragment`) are forwarded unchanged; the ambiguous ones stay refused
 *   (C03's variants), and a route's own refusal list applies.
 * - A verified identity that cannot be forwarded unchanged (a claim with CR/LF) is refused, never
 *   forwarded as an authenticated request without it.
 * - Strictness where an attacker gains from looseness: one spelling per JWT signature, a body
 *   limit on a route without a size policy (a 20 MB POST, declared and chunked), and two
 *   `Authorization` lines refused by the admin API too.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess, http } from "./harness/fleet.js";
import { TestIdp } from "./harness/idp.js";
import { rawRequest, sendRaw, streamRaw } from "./harness/raw-client.js";
import { headerValues, RawRecordingUpstream } from "./harness/raw-upstream.js";

const HOST: [string, string] = ["Host", "api.example.test"];
const MB = 1_000_000;

function* chunked(total: number, size: number): Generator<string> {
  const piece = "A".repeat(size);
  for (let sent = 0; sent < total; sent += size) yield `${size.toString(16)}\r\n${piece}\r\n`;
  yield "0\r\n\r\n";
}

describe("edge rules on a real node", () => {
  let up: RawRecordingUpstream;
  let idp: TestIdp;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;
  let token: string;

  const get = async (target: string, headers: Array<[string, string]> = []) =>
    (await sendRaw(dp.proxyPort, rawRequest("GET", target, [HOST, ...headers]), { responses: 1 })).responses[0]!;
  const auth = (t = token): [string, string] => ["Authorization", `Bearer ${t}`];

  before(async () => {
    up = await new RawRecordingUpstream("edge-upstream").start();
    idp = await TestIdp.create();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "app", targets: [{ host: "127.0.0.1", port: up.port }] });
    await cp.ok("POST", "/v1/policies", {
      name: "jwt",
      type: "jwt",
      config: {
        jwks: idp.jwks(),
        algorithms: ["RS256"],
        issuers: [idp.issuer],
        audiences: ["palisade-demo"],
        claims_to_headers: { sub: "X-User" },
      },
    });
    await cp.ok("POST", "/v1/policies", {
      name: "jwt-lenient",
      type: "jwt",
      config: {
        jwks: idp.jwks(),
        algorithms: ["RS256"],
        issuers: [idp.issuer],
        claims_to_headers: { sub: "X-User", tenant: "X-Tenant" },
        unsafe_identity: "drop_header",
      },
    });
    const route = (name: string, paths: unknown[], extra: Record<string, unknown> = {}) =>
      cp.ok("POST", "/v1/routes", { name, paths, upstream: "app", ...extra });
    await route("open", ["/"]);
    await route("admin-users", [{ exact: "/admin/users" }], { policies: ["jwt"] });
    await route("admin", ["/admin"], { policies: ["jwt"] });
    await route("reports", [{ exact: "/reports" }], { policies: ["jwt"], strict_trailing_slash: true });
    await route("lenient", ["/lenient"], { policies: ["jwt-lenient"] });
    await route("legacy", ["/legacy"], { refuse_encoded: ["%23", "%3F", ";"] });
    await route("upload", ["/upload"], { max_body_bytes: 0 });
    const v = await cp.ok("POST", "/v1/config/versions", { message: "edge rules" });
    dp = await new DataPlaneProcess("node-edge", cp.syncPort).start();
    await cp.waitForNodes([dp.nodeId], v.version);
    token = await idp.sign({ sub: "user-1" });
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await up?.stop();
  });

  test("point 2: /admin/users/ meets the exact route's JWT policy (401), as do its case variants; a strict route opts out", async () => {
    up.clear();
    for (const t of ["/admin/users", "/admin/users/", "/ADMIN/USERS/", "/Admin/Users"]) {
      const r = await get(t);
      assert.equal(r.status, 401, t);
      assert.equal(r.json().error.code, "AUTH_TOKEN_MISSING", t);
    }
    assert.equal(up.requests.length, 0, "nothing was forwarded unauthenticated");
    const ok = await get("/admin/users/", [auth()]);
    assert.equal(ok.status, 200);
    assert.equal(up.requests.at(-1)?.target, "/admin/users/", "forwarded as the client spelt it");
    assert.deepEqual(headerValues(up.requests.at(-1)!, "x-user"), ["user-1"]);
    assert.equal((await get("/reports")).status, 401);
    assert.equal((await get("/reports/")).status, 200, "strict_trailing_slash: the catch-all's");
  });

  test("point 5: legal escapes are forwarded byte for byte; C03's ambiguous spellings stay refused; a route's own list", async () => {
    up.clear();
    for (const t of ["/%23fragment", "/tags/C%23", "/files/report%3Fv2.pdf", "/files/100%25", "/cars;color=red"]) {
      const r = await get(t);
      assert.equal(r.status, 200, `${t}: ${r.status}`);
      assert.equal(up.requests.at(-1)?.target, t, "unchanged");
    }
    up.clear();
    for (const t of [
      "/admin%23/users",
      "/admin%3F/users",
      "/admin%3B/users",
      "/admin;/users",
      "/admin;jsessionid=1/users",
      "/admin%252Fusers",
      "/admin%2Fusers",
      "/admin%5Cusers",
      "/admin%00/users",
      "/public/..;/admin/users",
      "/public/%252e%252e/admin/users",
    ]) {
      const r = await get(t);
      assert.equal(r.status, 400, `${t}: ${r.status}`);
      assert.equal(r.json().error.code, "PATH_INVALID", t);
    }
    for (const t of ["/legacy/a%23b", "/legacy/a%3Fb", "/legacy/a;b"]) assert.equal((await get(t)).status, 400, t);
    assert.equal((await get("/legacy/a%25b")).status, 200, "what the route does not refuse passes");
    assert.deepEqual(
      up.requests.map((r) => r.target),
      ["/legacy/a%25b"],
      "no refused spelling reached the upstream",
    );
    const events = await dp.securityEvents();
    assert.ok(events.recent.some((e) => e.reason === "path_delimiter_reroutes"));
    assert.ok(events.recent.some((e) => e.reason === "path_encoded_refused"));
  });

  test("point 3: a valid token whose sub holds CR/LF is 401 naming the claim; the upstream sees nothing", async () => {
    up.clear();
    for (const sub of ["victim\r\nX-Role: admin", "victim\n", "victim\u0000", " admin", "admin\t"]) {
      const bad = await idp.sign({ sub });
      const r = await get("/admin/x", [auth(bad)]);
      assert.equal(r.status, 401, JSON.stringify(sub));
      const e = r.json().error;
      assert.deepEqual([e.code, e.field], ["AUTH_IDENTITY_UNSAFE", "sub"]);
      assert.doesNotMatch(r.text, /victim|admin/, "never the value");
    }
    assert.equal(up.requests.length, 0);
    // A policy that chose drop_header forwards the request without that one header.
    const t = await idp.sign({ sub: "user-2", extra: { tenant: "acme\r\nX-Admin: 1" } });
    const r = await get("/lenient/x", [auth(t), ["X-Tenant", "forged"]]);
    assert.equal(r.status, 200);
    const seen = up.requests.at(-1)!;
    assert.deepEqual(headerValues(seen, "x-user"), ["user-2"]);
    assert.deepEqual(headerValues(seen, "x-tenant"), [], "neither the claim nor the client's copy");
    assert.deepEqual(headerValues(seen, "x-admin"), []);
    // UTF-8 identities are forwarded as their bytes.
    const utf8 = await idp.sign({ sub: "José" });
    assert.equal((await get("/admin/y", [auth(utf8)])).status, 200);
    assert.deepEqual(headerValues(up.requests.at(-1)!, "x-user"), [Buffer.from("José").toString("latin1")]);
  });

  test("point 6: a signature spelt with its unused trailing bits set is refused; the canonical one passes", async () => {
    up.clear();
    const [h, p, s] = token.split(".") as [string, string, string];
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const v = alphabet.indexOf(s.at(-1)!);
    const twin = `${h}.${p}.${s.slice(0, -1)}${alphabet[v ^ 1]}`;
    assert.deepEqual(Buffer.from(twin.split(".")[2]!, "base64url"), Buffer.from(s, "base64url"), "same bytes");
    const r = await get("/admin/z", [auth(twin)]);
    assert.equal(r.status, 401);
    assert.equal(r.json().error.code, "AUTH_TOKEN_INVALID");
    assert.equal((await get("/admin/z", [auth()])).status, 200);
    assert.deepEqual(
      up.requests.map((x) => x.target),
      ["/admin/z"],
    );
  });

  test("point 6: a 20 MB POST to a route without a size policy meets the default limit (8 MiB), declared or chunked", async () => {
    up.clear();
    const head = (path: string, extra: Array<[string, string]>) => rawRequest("POST", path, [HOST, ...extra]);
    const declared = await sendRaw(dp.proxyPort, head("/anything", [["Content-Length", String(20 * MB)]]), {
      responses: 1,
    });
    assert.equal(declared.responses[0]?.status, 413);
    assert.equal(declared.responses[0]?.json().error.code, "PAYLOAD_TOO_LARGE");
    const streamed = await streamRaw(
      dp.proxyPort,
      head("/anything", [["Transfer-Encoding", "chunked"]]),
      chunked(20 * MB, 64 * 1024),
      { responses: 1 },
    );
    assert.ok(
      streamed.responses[0]?.status === 413 || (streamed.responses.length === 0 && streamed.closed),
      `chunked: ${streamed.responses[0]?.status}`,
    );
    for (const r of up.requests) {
      assert.ok(r.body.length <= 8 * 1024 * 1024, `upstream read ${r.body.length} bytes`);
      assert.equal(r.complete, false, "never a complete oversized request");
    }
    // A route with max_body_bytes: 0 takes it.
    const free = await streamRaw(
      dp.proxyPort,
      head("/upload", [["Transfer-Encoding", "chunked"]]),
      chunked(10 * MB, 64 * 1024),
      {
        responses: 1,
        timeoutMs: 60_000,
      },
    );
    assert.equal(free.responses[0]?.status, 200);
    assert.equal(up.requests.at(-1)?.body.length, Math.ceil((10 * MB) / (64 * 1024)) * 64 * 1024, "all of it");
  });

  test("point 6: the admin API refuses two Authorization lines (400 ADMIN_AUTH_AMBIGUOUS), as the data plane does", async () => {
    const good = `Bearer ${cp.adminToken}`;
    for (const lines of [
      [good, "Bearer wrong"],
      ["Bearer wrong", good],
    ]) {
      const raw = rawRequest("GET", "/v1/routes", [
        ["Host", `127.0.0.1:${cp.adminPort}`],
        ...lines.map((l): [string, string] => ["Authorization", l]),
      ]);
      const r = (await sendRaw(cp.adminPort, raw, { responses: 1 })).responses[0]!;
      assert.equal(r.status, 400);
      assert.equal(r.json().error.code, "ADMIN_AUTH_AMBIGUOUS");
    }
    const dpSide = (
      await sendRaw(dp.proxyPort, rawRequest("GET", "/admin/z", [HOST, auth(), auth()]), { responses: 1 })
    ).responses[0]!;
    assert.equal(dpSide.status, 400);
    assert.equal(dpSide.json().error.code, "AUTH_AMBIGUOUS");
    assert.equal((await http(cp.adminPort, "/v1/routes", { headers: { authorization: good } })).status, 200);
  });
});
