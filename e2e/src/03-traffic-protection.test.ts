/**
 * Tier 3: traffic protection at the edge, end to end with real processes: rate limits (node-local
 * and cluster-wide through a real Redis), trusted proxies and IP rules, body and request size
 * limits on streamed bytes, CORS at the edge, security headers. Raw sockets where the bytes
 * matter; every test checks the client's answer and what the recording upstream read. Regression
 * cases drawn from public bug reports in other gateways: C35 (rate-limit), C37 (body-size);
 * `Expect: 100-continue` against the size limit.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess, http } from "./harness/fleet.js";
import { TestIdp } from "./harness/idp.js";
import { eventually } from "./harness/process.js";
import { parseResponses, type RawResult, rawRequest, sendRaw, streamRaw } from "./harness/raw-client.js";
import { headerValues, RawRecordingUpstream } from "./harness/raw-upstream.js";
import { RedisProcess } from "./harness/redis.js";

const HOST: [string, string] = ["Host", "api.example.test"];
const MiB = 1024 * 1024;

function* chunked(total: number, size: number): Generator<string> {
  const piece = "A".repeat(size);
  for (let sent = 0; sent < total; sent += size) yield `${size.toString(16)}\r\n${piece}\r\n`;
  yield "0\r\n\r\n";
}

/**
 * Sends a request head with `Expect: 100-continue` on a raw socket, waits for the interim answer
 * (the bytes up to its blank line), then sends `body` and collects the final answer. Fails after
 * 10 s without an interim answer.
 */
function continueThenSend(port: number, head: string, body: string): Promise<{ interim: string; final: RawResult }> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1");
    let buf = Buffer.alloc(0);
    let interim = "";
    const guard = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer in 10 s; got ${JSON.stringify(buf.toString("latin1"))}`));
    }, 10_000);
    s.on("error", reject);
    s.on("data", (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (interim === "") {
        const end = buf.indexOf("\r\n\r\n");
        if (end === -1) return;
        interim = buf.subarray(0, end + 4).toString("latin1");
        buf = buf.subarray(end + 4);
        if (!interim.startsWith("HTTP/1.1 100 ")) {
          clearTimeout(guard);
          s.destroy();
          resolve({ interim, final: { responses: [], closed: true, bytes: Buffer.from(interim), timedOut: false } });
          return;
        }
        s.write(Buffer.from(body, "latin1"));
      }
      const responses = parseResponses(buf);
      if (responses.length > 0) {
        clearTimeout(guard);
        s.destroy();
        resolve({ interim, final: { responses, closed: false, bytes: buf, timedOut: false } });
      }
    });
    s.on("connect", () => s.write(Buffer.from(head, "latin1")));
  });
}

describe("traffic protection: rate limits, IP rules, size limits, CORS, security headers", () => {
  let a: RawRecordingUpstream;
  let idp: TestIdp;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;
  let behindProxy: DataPlaneProcess;
  let token: string;
  const auth = (): [string, string] => ["Authorization", `Bearer ${token}`];
  const status = (r: RawResult) => r.responses[0]?.status;

  before(async () => {
    a = await new RawRecordingUpstream("upstream-a").start();
    idp = await TestIdp.create();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "a", targets: [{ host: "127.0.0.1", port: a.port }] });
    const policy = (name: string, type: string, config: unknown) =>
      cp.ok("POST", "/v1/policies", { name, type, config });
    await policy("jwt", "jwt", {
      jwks: idp.jwks(),
      algorithms: ["RS256"],
      issuers: [idp.issuer],
      audiences: ["palisade-demo"],
      claims_to_headers: { sub: "X-User" },
    });
    await policy("login-limit", "rate-limit", { limits: [{ requests: 5, per: "minute" }] });
    await policy("upload-size", "request-size", { max_body_bytes: MiB });
    await policy("small-body", "request-size", { max_body_bytes: 64 * 1024 });
    await policy("strict-size", "request-size", {
      max_url_bytes: 200,
      max_query_params: 5,
      max_headers: 20,
      max_header_bytes: 2000,
    });
    await policy("office-only", "ip-restriction", { allow: ["10.0.0.0/8", "2001:db8::/32"] });
    await policy("loopback-only", "ip-restriction", { allow: ["127.0.0.1"], deny: ["10.6.6.0/24"] });
    await policy("cors", "cors", {
      allow_origins: ["https://app.example.com", "https://*.example.org"],
      allow_methods: ["GET", "POST", "DELETE"],
      allow_headers: ["Authorization", "Content-Type"],
      expose_headers: ["X-Request-Id"],
      allow_credentials: true,
      max_age_s: 600,
    });
    await policy("security-headers", "headers", {
      set: { "Strict-Transport-Security": "max-age=63072000; includeSubDomains", "X-Content-Type-Options": "nosniff" },
      remove: ["Server", "X-Powered-By"],
    });
    const route = (name: string, paths: string[], policies: string[], extra: Record<string, unknown> = {}) =>
      cp.ok("POST", "/v1/routes", { name, paths, upstream: "a", policies, ...extra });
    await route("login", ["/auth/login"], ["login-limit"], { methods: ["POST"] });
    await route("upload", ["/upload"], ["jwt", "upload-size"]);
    await route("upload-small", ["/small-upload"], ["small-body"]);
    await route("sized", ["/sized"], ["strict-size"]);
    await route("office", ["/office"], ["office-only"]);
    await route("local", ["/local"], ["loopback-only"]);
    // jwt listed before cors: a preflight (sent without credentials) still reaches cors.
    await route("cors-api", ["/cors-api"], ["jwt", "cors"]);
    await route("public", ["/public"], []);
    await cp.ok("PUT", "/v1/settings", { global_policies: ["security-headers"] });
    await cp.ok("POST", "/v1/config/versions", { message: "traffic protection" });
    dp = await new DataPlaneProcess("node-edge", cp.syncPort).start();
    // A node behind a load balancer: loopback peers are trusted proxies writing X-Forwarded-For.
    behindProxy = await new DataPlaneProcess("node-behind-lb", cp.syncPort, {
      extraArgs: ["--trusted-proxies", "127.0.0.0/8"],
    }).start();
    await cp.waitForNodes([dp.nodeId, behindProxy.nodeId], 1);
    token = await idp.sign({ sub: "user-1" });
  });

  after(async () => {
    await Promise.all([dp?.stop(), behindProxy?.stop()]);
    await cp?.destroy();
    await a?.stop();
  });

  const login = (port: number, i: number, target = "/auth/login") =>
    sendRaw(
      port,
      rawRequest(
        "POST",
        target,
        [
          HOST,
          ["Content-Type", "application/json"],
          ["X-Forwarded-For", `198.51.100.${i}`],
          ["X-Real-IP", `198.51.100.${i}`],
          ["Forwarded", `for=198.51.100.${i}`],
          ["Content-Length", String(`{"username":"user-1","password":"wrong-${i}"}`.length)],
        ],
        `{"username":"user-1","password":"wrong-${i}"}`,
      ),
      { responses: 1 },
    );

  test("C35: rotating X-Forwarded-For / X-Real-IP / Forwarded does not reset a per-IP limit; 6-10 get 429", async () => {
    a.clear();
    const answers = [];
    for (let i = 1; i <= 10; i++) answers.push((await login(dp.proxyPort, i)).responses[0]!);
    assert.deepEqual(
      answers.map((r) => r.status),
      [200, 200, 200, 200, 200, 429, 429, 429, 429, 429],
    );
    assert.deepEqual(
      answers.slice(0, 5).map((r) => r.headers["ratelimit-remaining"]),
      ["4", "3", "2", "1", "0"],
    );
    assert.equal(answers[0]!.headers["ratelimit-limit"], "5");
    assert.equal(answers[0]!.headers["ratelimit-policy"], "5;w=60");
    const denied = answers[5]!;
    assert.equal(denied.json().error.code, "RATE_LIMITED");
    const retry = Number(denied.headers["retry-after"]);
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    assert.equal(denied.headers["ratelimit-remaining"], "0");
    assert.equal(a.to("/auth/login").length, 5, "the upstream saw exactly the 5 admitted attempts");
    // Path spellings reach the same route and the same bucket; a malformed one is refused.
    for (const t of ["/AUTH/login", "/auth/%6cogin", "/Auth/Login"])
      assert.equal(status(await login(dp.proxyPort, 99, t)), 429, t);
    assert.equal(status(await login(dp.proxyPort, 99, "//auth/login")), 400);
    assert.equal(a.to("/auth/login").length + a.to("/AUTH").length + a.to("/Auth").length, 5);
  });

  test("behind trusted proxies the right-most untrusted X-Forwarded-For entry is the client, for limits and upstream", async () => {
    a.clear();
    const send = (xff: string) =>
      sendRaw(
        behindProxy.proxyPort,
        rawRequest("POST", "/auth/login", [HOST, ["X-Forwarded-For", xff], ["Content-Length", "0"]]),
        { responses: 1 },
      );
    // A client that prepends fake entries is still the address the proxy appended.
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push(status(await send(`10.${i}.0.1, 1.1.1.${i}, 198.51.100.7`)));
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    assert.equal(status(await send("198.51.100.8")), 200, "another client behind the proxy has its own bucket");
    const seen = a.to("/auth/login").at(-1)!;
    assert.deepEqual(headerValues(seen, "x-forwarded-for"), ["198.51.100.8, 127.0.0.1"]);
    assert.deepEqual(headerValues(seen, "x-real-ip"), ["198.51.100.8"]);
    const first = a.to("/auth/login")[0]!;
    assert.deepEqual(headerValues(first, "x-forwarded-for"), ["198.51.100.7, 127.0.0.1"], "spoofed entries dropped");
  });

  test("ip-restriction: 403 IP_FORBIDDEN outside the lists, on the canonical client address only", async () => {
    a.clear();
    const office = await sendRaw(
      dp.proxyPort,
      rawRequest("GET", "/office/x", [HOST, ["X-Forwarded-For", "10.1.2.3"]]),
      {
        responses: 1,
      },
    );
    assert.equal(status(office), 403);
    assert.equal(office.responses[0]!.json().error.code, "IP_FORBIDDEN");
    assert.equal(a.to("/office").length, 0);
    assert.equal(status(await sendRaw(dp.proxyPort, rawRequest("GET", "/local/x", [HOST]), { responses: 1 })), 200);
    // Through the trusted proxy the resolved address counts: 10.1.2.3 is in the office range…
    const viaLb = await sendRaw(
      behindProxy.proxyPort,
      rawRequest("GET", "/office/x", [HOST, ["X-Forwarded-For", "10.1.2.3"]]),
      {
        responses: 1,
      },
    );
    assert.equal(status(viaLb), 200);
    // …and a denied range wins over the allow list.
    const denied = await sendRaw(
      behindProxy.proxyPort,
      rawRequest("GET", "/local/x", [HOST, ["X-Forwarded-For", "10.6.6.6"]]),
      {
        responses: 1,
      },
    );
    assert.equal(status(denied), 403);
    assert.equal(a.to("/office").length, 1);
  });

  test("C37: a chunked body past the limit is cut at the limit with 413; the upstream never gets a complete oversized request", async () => {
    a.clear();
    const head = (target: string, withToken = true) =>
      rawRequest("POST", target, [
        HOST,
        ...(withToken ? [auth()] : []),
        ["Content-Type", "application/octet-stream"],
        ["Transfer-Encoding", "chunked"],
      ]);
    // Megabytes in thousands of pieces (80,000 one-byte chunks below): seconds on an idle machine,
    // far more on one busy with other test files, so the wait for an answer is long.
    const slow = { responses: 1, timeoutMs: 120_000 };
    const big = await streamRaw(dp.proxyPort, head("/upload"), chunked(2 * MiB, 4096), slow);
    assert.equal(
      status(big),
      413,
      `${big.bytes.length} bytes, closed=${big.closed}, timedOut=${big.timedOut}: ${big.bytes.toString("latin1").slice(0, 200)}`,
    );
    assert.equal(big.responses[0]!.json().error.code, "PAYLOAD_TOO_LARGE");
    assert.equal(big.responses[0]!.headers.connection, "close");
    const tiny = await streamRaw(dp.proxyPort, head("/small-upload"), chunked(80 * 1024, 1), slow);
    assert.equal(status(tiny), 413, "many 1-byte chunks");
    for (const r of [...a.to("/upload"), ...a.to("/small-upload")]) {
      assert.equal(r.complete, false, "never a complete request");
      assert.ok(r.body.length <= MiB + 16, `upstream got ${r.body.length} bytes`);
    }
    // Refused early (no token) while the body still streams: 401, closed, nothing upstream.
    const early = await streamRaw(dp.proxyPort, head("/upload", false), chunked(2 * MiB, 4096), slow);
    assert.equal(status(early), 401);
    assert.equal(early.responses[0]!.headers.connection, "close");
    // A declared length over the limit never reaches the upstream; one under it passes whole.
    const declared = await sendRaw(
      dp.proxyPort,
      rawRequest("POST", "/upload", [HOST, auth(), ["Content-Length", String(MiB + 1)]]),
      { responses: 1 },
    );
    assert.equal(status(declared), 413);
    const ok = await streamRaw(dp.proxyPort, head("/upload"), chunked(512 * 1024, 4096), slow);
    assert.equal(status(ok), 200);
    const complete = a.to("/upload").filter((r) => r.complete);
    assert.equal(complete.length, 1);
    assert.equal(complete[0]!.body.length, 512 * 1024);
    assert.equal(
      (await sendRaw(dp.proxyPort, rawRequest("GET", "/public/alive", [HOST]), { responses: 1 })).responses[0]?.status,
      200,
    );
  });

  test("Expect: 100-continue: a declared length over the limit gets 413 and never a 100; within it, 100 then proxied", async () => {
    a.clear();
    const head = (length: number) =>
      rawRequest("POST", "/small-upload", [
        HOST,
        ["Content-Type", "application/octet-stream"],
        ["Content-Length", String(length)],
        ["Expect", "100-continue"],
      ]);
    // Over the limit: the client sends the head only and waits, as RFC 9110 §10.1.1 has it.
    const over = await sendRaw(dp.proxyPort, head(64 * 1024 + 1), { responses: 1 });
    assert.equal(status(over), 413, over.bytes.toString("latin1").slice(0, 200));
    assert.equal(over.responses[0]!.json().error.code, "PAYLOAD_TOO_LARGE");
    assert.doesNotMatch(over.bytes.toString("latin1"), /^HTTP\/1\.1 100/m, "no 100 Continue before or after");
    assert.equal(a.to("/small-upload").length, 0, "the upstream was not contacted");

    // Within the limit: 100 Continue first, then the body goes out and is proxied whole.
    const body = "B".repeat(32 * 1024);
    const within = await continueThenSend(dp.proxyPort, head(body.length), body);
    assert.match(within.interim, /^HTTP\/1\.1 100 Continue\r\n/);
    assert.equal(within.final.responses[0]?.status, 200, within.final.bytes.toString("latin1").slice(0, 200));
    const seen = a.to("/small-upload");
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.complete, true);
    assert.equal(seen[0]!.body.length, body.length);
    assert.equal(headerValues(seen[0]!, "expect").length, 0, "Expect is answered by the node, not forwarded");
  });

  test("request-size: URL length and query parameters → 414, header count and bytes → 431", async () => {
    a.clear();
    const q = (target: string, headers: Array<[string, string]> = []) =>
      sendRaw(dp.proxyPort, rawRequest("GET", target, [HOST, ...headers]), { responses: 1 });
    assert.equal(status(await q(`/sized/${"x".repeat(250)}`)), 414);
    assert.equal(status(await q("/sized/x?a=1&b=2&c=3&d=4&e=5&f=6")), 414);
    const many = Array.from({ length: 25 }, (_, i) => [`X-H${i}`, "1"] as [string, string]);
    assert.equal(status(await q("/sized/x", many)), 431);
    assert.equal(status(await q("/sized/x", [["X-Big", "v".repeat(2100)]])), 431);
    assert.equal(status(await q("/sized/x?a=1")), 200);
    assert.equal(a.to("/sized").length, 1);
  });

  test("CORS: preflights answered at the edge (even before JWT); Vary: Origin; a disallowed origin gets no CORS header", async () => {
    a.clear();
    const preflight = (origin: string, method = "DELETE", headers = "authorization") =>
      sendRaw(
        dp.proxyPort,
        rawRequest("OPTIONS", "/cors-api/items", [
          HOST,
          ["Origin", origin],
          ["Access-Control-Request-Method", method],
          ["Access-Control-Request-Headers", headers],
        ]),
        { responses: 1 },
      );
    const ok = (await preflight("https://app.example.com")).responses[0]!;
    assert.equal(ok.status, 204);
    assert.equal(ok.headers["access-control-allow-origin"], "https://app.example.com");
    assert.equal(ok.headers["access-control-allow-methods"], "GET, POST, DELETE");
    assert.equal(ok.headers["access-control-allow-headers"], "authorization, content-type");
    assert.equal(ok.headers["access-control-allow-credentials"], "true");
    assert.equal(ok.headers["access-control-max-age"], "600");
    assert.match(ok.headers.vary ?? "", /Origin/);
    assert.equal((await preflight("https://a.b.example.org")).responses[0]!.status, 204);
    for (const [origin, method, hdrs] of [
      ["https://evil.example.com", "DELETE", "authorization"],
      ["https://app.example.com.evil.test", "GET", ""],
      ["https://example.org", "GET", ""],
      ["https://app.example.com", "PUT", ""],
      ["https://app.example.com", "GET", "x-secret"],
    ]) {
      const r = (await preflight(origin!, method, hdrs)).responses[0]!;
      assert.equal(r.status, 403, `${origin} ${method} ${hdrs}`);
      assert.equal(r.json().error.code, "CORS_FORBIDDEN");
      assert.ok(!Object.keys(r.headers).some((h) => h.startsWith("access-control-")), "no CORS header");
    }
    assert.equal(a.to("/cors-api").length, 0, "preflights never reach the upstream");

    const actual = (origin: string | null, withToken = true) =>
      sendRaw(
        dp.proxyPort,
        rawRequest("GET", "/cors-api/items", [
          HOST,
          ...(withToken ? [auth()] : []),
          ...(origin ? [["Origin", origin] as [string, string]] : []),
        ]),
        { responses: 1 },
      );
    const allowed = (await actual("https://app.example.com")).responses[0]!;
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers["access-control-allow-origin"], "https://app.example.com");
    assert.equal(allowed.headers["access-control-expose-headers"], "x-request-id");
    assert.match(allowed.headers.vary ?? "", /Origin/);
    const evil = (await actual("https://evil.example.com")).responses[0]!;
    assert.equal(evil.status, 200, "CORS protects browsers, it does not refuse requests");
    assert.ok(!Object.keys(evil.headers).some((h) => h.startsWith("access-control-")));
    assert.match(evil.headers.vary ?? "", /Origin/);
    const noOrigin = (await actual(null)).responses[0]!;
    assert.match(noOrigin.headers.vary ?? "", /Origin/);
    const unauth = (await actual("https://app.example.com", false)).responses[0]!;
    assert.equal(unauth.status, 401);
    assert.equal(
      unauth.headers["access-control-allow-origin"],
      "https://app.example.com",
      "a browser can read the 401",
    );
  });

  test("security headers (a global policy) on upstream and error answers; upstream Server and X-Powered-By hidden", async () => {
    for (const [target, want] of [
      ["/public/x", 200],
      ["/nowhere-at-all", 404],
      ["/office/x", 403],
    ] as const) {
      const r = (await sendRaw(dp.proxyPort, rawRequest("GET", target, [HOST]), { responses: 1 })).responses[0]!;
      assert.equal(r.status, want, target);
      assert.equal(r.headers["strict-transport-security"], "max-age=63072000; includeSubDomains", target);
      assert.equal(r.headers["x-content-type-options"], "nosniff", target);
      assert.equal(r.headers.server, undefined, target);
      assert.equal(r.headers["x-powered-by"], undefined, target);
    }
    const nf = (await sendRaw(dp.proxyPort, rawRequest("GET", "/public/x", [["Host", "other.test"]]), { responses: 1 }))
      .responses[0]!;
    assert.equal(nf.status, 200);
  });

  test("each denial is a security event, counted by type on the status port", async () => {
    const ev = await eventually("security events of every type", async () => {
      const body = (await http(dp.statusPort, "/security-events")).json();
      const c = body.counts;
      return c.rate_limited > 0 && c.ip_denied > 0 && c.request_too_large > 0 && c.cors_rejected > 0 ? body : undefined;
    });
    const limited = (ev.recent as Array<Record<string, unknown>>).find((e) => e.type === "rate_limited")!;
    assert.equal(limited.code, "RATE_LIMITED");
    assert.equal(limited.clientAddress, "127.0.0.1");
    assert.equal(limited.path, "/auth/login");
    assert.equal(limited.policyType, "rate-limit");
  });
});

describe("cluster-wide rate limit through a real Redis", () => {
  let a: RawRecordingUpstream;
  let redis: RedisProcess;
  let cp: ControlPlaneProcess;
  let n1: DataPlaneProcess;
  let n2: DataPlaneProcess;

  before(async () => {
    a = await new RawRecordingUpstream("upstream-a").start();
    redis = await new RedisProcess().start();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "a", targets: [{ host: "127.0.0.1", port: a.port }] });
    const limit = (name: string, requests: number, failure_mode: string) =>
      cp.ok("POST", "/v1/policies", {
        name,
        type: "rate-limit",
        config: {
          limits: [{ requests, per: "minute" }],
          scope: "cluster",
          redis: { host: "127.0.0.1", port: redis.port, timeout_ms: 2000 },
          failure_mode,
        },
      });
    await limit("fleet-10", 10, "open");
    await limit("fleet-open", 1000, "open");
    await limit("fleet-closed", 1000, "closed");
    await cp.ok("POST", "/v1/routes", { name: "limited", paths: ["/limited"], upstream: "a", policies: ["fleet-10"] });
    await cp.ok("POST", "/v1/routes", { name: "open", paths: ["/open"], upstream: "a", policies: ["fleet-open"] });
    await cp.ok("POST", "/v1/routes", {
      name: "closed",
      paths: ["/closed"],
      upstream: "a",
      policies: ["fleet-closed"],
    });
    await cp.ok("POST", "/v1/config/versions", { message: "fleet limits" });
    n1 = await new DataPlaneProcess("node-r1", cp.syncPort, { region: "eu-west" }).start();
    n2 = await new DataPlaneProcess("node-r2", cp.syncPort, { region: "us-east" }).start();
    await cp.waitForNodes([n1.nodeId, n2.nodeId], 1);
  });

  after(async () => {
    await Promise.all([n1?.stop(), n2?.stop()]);
    await cp?.destroy();
    await redis?.stop();
    await a?.stop();
  });

  test("two nodes, 100 requests against 10/min: exactly 10 admitted in total", async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        sendRaw((i % 2 === 0 ? n1 : n2).proxyPort, rawRequest("GET", `/limited/${i}`, [HOST]), { responses: 1 }),
      ),
    );
    const statuses = results.map((r) => r.responses[0]?.status);
    assert.equal(statuses.filter((s) => s === 200).length, 10, statuses.join(","));
    assert.equal(statuses.filter((s) => s === 429).length, 90);
    assert.equal(a.to("/limited").length, 10);
    const byNode = [0, 1].map((k) => results.filter((r, i) => i % 2 === k && r.responses[0]?.status === 200).length);
    assert.equal(byNode[0]! + byNode[1]!, 10);
  });

  test("Redis unreachable: fail_open admits, fail_closed answers 503; neither hangs", async () => {
    await redis.stop();
    const open = await sendRaw(n1.proxyPort, rawRequest("GET", "/open/x", [HOST]), { responses: 1 });
    assert.equal(open.responses[0]?.status, 200);
    assert.equal(open.timedOut, false);
    const closed = await sendRaw(n2.proxyPort, rawRequest("GET", "/closed/x", [HOST]), { responses: 1 });
    assert.equal(closed.responses[0]?.status, 503);
    assert.equal(closed.responses[0]?.json().error.code, "RATE_LIMIT_UNAVAILABLE");
    assert.equal(closed.responses[0]?.headers["retry-after"], "1");
    assert.equal(a.to("/closed").length, 0);
    // Redis back on the same port: the nodes reconnect by themselves.
    await redis.start();
    await eventually("fail_closed route admits again once Redis is back", async () => {
      const r = await sendRaw(n2.proxyPort, rawRequest("GET", "/closed/y", [HOST]), { responses: 1 });
      return r.responses[0]?.status === 200 ? true : undefined;
    });
  });
});
