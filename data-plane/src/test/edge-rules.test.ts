// Issue 13's edge rules through the real proxy (compile, router, phases, policies, undici) with
// a recording upstream on loopback: trailing-slash spellings meet their route's policies, legal
// escapes are forwarded unchanged while ambiguous ones are refused (with per-route overrides), a
// body limit applies when no policy sets one, and an unsafe verified identity is refused.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { PolicySchema, RequestSettingsSchema, RequestSizePolicySchema, type Snapshot } from "@palisade/proto";
import { jwtPolicy, nowS, route, rsaKeys, snapshot, upstream } from "./fixtures.js";
import { codeOf, type Reply, send, TestProxy, TestUpstream } from "./harness.js";

const keys = await rsaKeys();
const app = new TestUpstream("app");
const proxy = new TestProxy({ maxBodyBytes: 1024 });
let token = "";

function config(settingsLimit?: bigint): Snapshot {
  const snap = snapshot({
    upstreams: [upstream("app", [app.address])],
    policies: [
      jwtPolicy("jwt", { jwksJson: keys.jwksJson, algorithms: ["RS256"], claimsToHeaders: { sub: "x-user" } }),
      create(PolicySchema, {
        id: "size",
        name: "size",
        config: { case: "requestSize", value: create(RequestSizePolicySchema, { maxBodyBytes: 4096n }) },
      }),
    ],
    routes: [
      route("open", "app", ["/"]),
      route("admin-users", "app", ["=/admin/users"], { policyIds: ["jwt"] }),
      route("strict", "app", ["=/strict"], { policyIds: ["jwt"], strictTrailingSlash: true }),
      route("admin", "app", ["/admin"], { policyIds: ["jwt"] }),
      route("svc", "app", ["/svc/"], { stripPrefix: true }),
      route("files", "app", ["/files/"], { allowEncoded: ["%5C"], refuseEncoded: ["%25"] }),
      route("no-hash", "app", ["/no-hash"], { refuseEncoded: ["%23", ";"] }),
      route("upload", "app", ["/upload"], { maxBodyBytes: 2048n }),
      route("unlimited", "app", ["/unlimited"], { maxBodyBytes: 0n }),
      route("sized", "app", ["/sized"], { policyIds: ["size"] }),
      route("sized-small", "app", ["/sized-small"], { policyIds: ["size"], maxBodyBytes: 512n }),
    ],
  });
  if (settingsLimit !== undefined)
    snap.requestSettings = create(RequestSettingsSchema, { maxBodyBytes: settingsLimit });
  return snap;
}

before(async () => {
  await app.start();
  proxy.apply(config(), new Set(["jwt", "request-size"]));
  await proxy.start();
  token = await keys.sign({ sub: "user-1", exp: nowS() + 300 });
});

after(async () => {
  await proxy.stop();
  await app.stop();
});

const get = (path: string, headers: Record<string, string> = {}) => send(proxy.port, path, { headers });
const post = (path: string, bytes: number, chunked = false): Promise<Reply> =>
  send(proxy.port, path, {
    method: "POST",
    body: "x".repeat(bytes),
    headers: chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(bytes) },
  });

/** A chunked POST whose chunks go out one by one; resolves with the status, or "reset". */
function streamed(path: string, chunks: number, size: number): Promise<number | "reset"> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port: proxy.port, path, method: "POST", agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    });
    req.on("error", () => resolve("reset"));
    let sent = 0;
    const next = () => {
      if (sent++ === chunks) return void req.end();
      if (!req.write("y".repeat(size))) req.once("drain", next);
      else setImmediate(next);
    };
    next();
  });
}

test("an exact route owns its trailing-slash spelling: its policies run for both; a strict route does not", async () => {
  app.seen.length = 0;
  for (const p of ["/admin/users", "/admin/users/", "/ADMIN/USERS/"]) assert.equal((await get(p)).status, 401, p);
  assert.equal(app.seen.length, 0, "nothing reached the upstream unauthenticated");
  const ok = await get("/admin/users/", { authorization: `Bearer ${token}` });
  assert.equal(ok.status, 200);
  assert.equal(app.seen.at(-1)?.url, "/admin/users/", "forwarded as spelt");
  assert.equal(app.seen.at(-1)?.headers["x-user"], "user-1");
  assert.equal((await get("/strict")).status, 401);
  assert.equal((await get("/strict/")).status, 200, "strict_trailing_slash: /strict/ is another path (the catch-all)");
  // A prefix /svc/ owns /svc; strip_prefix leaves "/".
  assert.equal((await get("/svc")).status, 200);
  assert.equal(app.seen.at(-1)?.url, "/");
  assert.equal((await get("/svc/a/b")).status, 200);
  assert.equal(app.seen.at(-1)?.url, "/a/b");
});

test("legal escapes are forwarded unchanged; spellings that another reading routes elsewhere are refused", async () => {
  app.seen.length = 0;
  for (const p of ["/%23fragment", "/tags/C%23", "/files/report%3Fv2.pdf", "/admin/a%3Bb"]) {
    const r = await get(p, { authorization: `Bearer ${token}` });
    assert.equal(r.status, 200, p);
    assert.equal(app.seen.at(-1)?.url, p, `${p} forwarded unchanged`);
  }
  app.seen.length = 0;
  for (const p of ["/admin%23/users", "/admin%3F/users", "/admin%3B/users", "/admin;x/users", "/admin%252Fusers"]) {
    const r = await get(p);
    assert.equal(r.status, 400, p);
    assert.equal(codeOf(r), "PATH_INVALID", p);
  }
  assert.equal(app.seen.length, 0, "never through the open catch-all");
});

test("allow_encoded and refuse_encoded: a route's own refusal list", async () => {
  app.seen.length = 0;
  const kept = await get("/files/a%5cb");
  assert.equal(kept.status, 200);
  assert.equal(app.seen.at(-1)?.url, "/files/a%5Cb", "kept encoded");
  assert.equal(codeOf(await get("/x%5Cy")), "PATH_INVALID", "a route that does not allow %5C refuses it");
  assert.equal(codeOf(await get("/files/100%25")), "PATH_INVALID", "%25 refused on this route");
  assert.equal((await get("/no-hash/a%25b")).status, 200);
  for (const p of ["/no-hash/a%23b", "/no-hash/a;b"]) assert.equal(codeOf(await get(p)), "PATH_INVALID", p);
});

test("a body limit applies when no policy sets one: declared (413 before a byte) or streamed (cut)", async () => {
  app.seen.length = 0;
  assert.equal((await post("/anything", 1024)).status, 200);
  const over = await post("/anything", 1025);
  assert.equal(over.status, 413);
  assert.equal(codeOf(over), "PAYLOAD_TOO_LARGE");
  assert.equal((await post("/anything", 1000, true)).status, 200, "a small chunked body passes");
  const cut = await streamed("/anything", 20, 512);
  assert.ok(cut === 413 || cut === "reset", `chunked over the limit: ${cut}`);
  assert.ok(
    app.seen.every((s) => s.body.length <= 1024),
    "the upstream never received a complete oversized body",
  );
  // The route's own limit, no limit, a request-size policy's (larger) limit, and both (the smaller).
  assert.equal((await post("/upload", 2048)).status, 200);
  assert.equal((await post("/upload", 2049)).status, 413);
  assert.equal((await post("/unlimited", 20_000)).status, 200);
  assert.equal((await streamed("/unlimited", 40, 1024)) as number, 200);
  assert.equal((await post("/sized", 4096)).status, 200, "a request-size policy replaces the default");
  assert.equal((await post("/sized", 4097)).status, 413);
  assert.equal((await post("/sized-small", 513)).status, 413, "route and policy: the smaller");
});

test("the snapshot's settings set the default for routes without their own", async () => {
  proxy.apply(config(3000n), new Set(["jwt", "request-size"]));
  try {
    assert.equal((await post("/anything", 3000)).status, 200);
    assert.equal((await post("/anything", 3001)).status, 413);
    assert.equal((await post("/upload", 2049)).status, 413, "the route's own limit still wins");
    proxy.apply(config(0n), new Set(["jwt", "request-size"]));
    assert.equal((await post("/anything", 20_000)).status, 200, "0 = no limit");
  } finally {
    proxy.apply(config(), new Set(["jwt", "request-size"]));
  }
});

test("a verified token whose mapped claim cannot be a header value: 401 naming the claim, nothing forwarded", async () => {
  app.seen.length = 0;
  const bad = await keys.sign({ sub: "user-2\r\nX-Admin: 1", exp: nowS() + 300 });
  const r = await get("/admin/x", { authorization: `Bearer ${bad}` });
  assert.equal(r.status, 401);
  const body = JSON.parse(r.body) as { error: { code: string; field: string } };
  assert.equal(body.error.code, "AUTH_IDENTITY_UNSAFE");
  assert.equal(body.error.field, "sub");
  assert.ok(!r.body.includes("user-2"), "never the value");
  assert.match(String(r.headers["www-authenticate"]), /error="invalid_token"/);
  assert.equal(app.seen.length, 0);
});
