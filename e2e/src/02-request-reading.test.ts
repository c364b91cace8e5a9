/**
 * Tier 2: the node reads each request one way, the strict way. Every request below goes out byte
 * for byte on a raw socket (no client-side normalization) to a real palisade-dp, and every test
 * checks both the client's answer and what the recording upstream read off its own sockets (or
 * that it read nothing). Regression cases drawn from public bug reports in other gateways: C01
 * C03 C05 C07 (path-normalization), C21 C23 C25 C27 C29 C33 (header-handling), with their
 * variants and the rest of each class.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess, http } from "./harness/fleet.js";
import { TestIdp } from "./harness/idp.js";
import { eventually } from "./harness/process.js";
import { rawRequest, sendRaw } from "./harness/raw-client.js";
import { headerValues, RawRecordingUpstream } from "./harness/raw-upstream.js";

const HOST: [string, string] = ["Host", "api.example.test"];

describe("request reading: paths, framing, headers, authority", () => {
  let a: RawRecordingUpstream;
  let b: RawRecordingUpstream;
  let idp: TestIdp;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;
  let token: string;

  const get = (target: string, headers: Array<[string, string]> = [HOST]) =>
    sendRaw(dp.proxyPort, rawRequest("GET", target, headers), { responses: 1 });
  const auth = (): [string, string] => ["Authorization", `Bearer ${token}`];

  before(async () => {
    a = await new RawRecordingUpstream("upstream-a").start();
    b = await new RawRecordingUpstream("upstream-b").start();
    idp = await TestIdp.create();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "a", targets: [{ host: "127.0.0.1", port: a.port }] });
    await cp.ok("POST", "/v1/upstreams", { name: "b", targets: [{ host: "127.0.0.1", port: b.port }] });
    await cp.ok("POST", "/v1/upstreams", {
      name: "pub",
      targets: [{ host: "127.0.0.1", port: a.port }],
      path_prefix: "/pub",
    });
    await cp.ok("POST", "/v1/policies", {
      name: "jwt",
      type: "jwt",
      config: {
        jwks: idp.jwks(),
        algorithms: ["RS256"],
        issuers: [idp.issuer],
        audiences: ["palisade-demo"],
        claims_to_headers: { sub: "X-User", roles: "X-User-Roles" },
      },
    });
    const route = (name: string, paths: string[], extra: Record<string, unknown> = {}) =>
      cp.ok("POST", "/v1/routes", { name, paths, upstream: "a", ...extra });
    await route("public", ["/public"]);
    await route("api", ["/api"], { policies: ["jwt"] });
    await route("admin", ["/admin"], { policies: ["jwt"] });
    await route("files", ["/files"], { policies: ["jwt"], allow_encoded_slashes: true });
    // The open catch-all even accepts encoded slashes: it must still never serve /admin%2F...
    await route("catchall", ["/"], { allow_encoded_slashes: true });
    await route("merged", ["/merge"], { merge_slashes: true });
    await cp.ok("POST", "/v1/routes", { name: "svc", paths: ["/svc"], upstream: "pub", strip_prefix: true });
    await cp.ok("POST", "/v1/config/versions", { message: "reading" });
    dp = await new DataPlaneProcess("node-read", cp.syncPort).start();
    await cp.waitForNodes([dp.nodeId], 1);
    token = await idp.sign({ sub: "user-1" });
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await a?.stop();
    await b?.stop();
  });

  test("C01: every spelling of a dot segment is refused (400), never resolved; the upstream sees nothing", async () => {
    a.clear();
    const targets = [
      "/public/../admin/users",
      "/public/./../admin/users",
      "/public/x/../../admin/users",
      "/public/..;/admin/users",
      "/public/%2e%2e/admin/users",
      "/public/%2E%2E/admin/users",
      "/public/.%2e/admin/users",
      "/public/%2e./admin/users",
      "/public/..%2fadmin/users",
      "/public/..%2Fadmin/users",
      "/public/..%5cadmin/users",
      "/public/..\\admin/users",
      "/public/%252e%252e/admin/users",
      "/public/%c0%ae%c0%ae/admin/users",
      "/public/%e0%80%ae%e0%80%ae/admin/users",
      "/public/%2e%2e%2fadmin/users",
      "/public/..",
      "/public/.",
      "/./admin/users",
      "/public/%2e",
    ];
    for (const t of targets) {
      const r = await get(t);
      assert.equal(r.responses[0]?.status, 400, `${t}: ${r.bytes.toString("latin1").slice(0, 200)}`);
      assert.match(r.responses[0]!.json().error.code, /^(PATH_INVALID|BAD_REQUEST)$/, t);
    }
    assert.equal(a.requests.length, 0, "upstream-a read nothing");
  });

  test("C03: encoded / \\ NUL ; ? # in the path are refused; an allowed %2F still meets the route it spells", async () => {
    a.clear();
    for (const t of [
      "/admin%2Fusers",
      "/admin%2fusers",
      "/admin%5Cusers",
      "/admin\\users",
      "/admin%00/users",
      "/admin%3B/users",
      "/admin;/users",
      "/admin%3F/users",
      "/admin%23/users",
      "/admin%25%32%46users",
      "/admin%0d%0aX-Injected:%201",
    ]) {
      const r = await get(t);
      assert.ok([400, 401, 404].includes(r.responses[0]?.status ?? 0), `${t}: ${r.responses[0]?.status}`);
      assert.notEqual(r.responses[0]?.status, 200, t);
    }
    // The catch-all accepts encoded slashes, yet /files%2Fsecret is matched as /files/secret: JWT applies.
    const noToken = await get("/files%2Fsecret");
    assert.equal(noToken.responses[0]?.status, 401);
    assert.equal(a.requests.length, 0, "nothing reached upstream-a, never through the catch-all");
    const withToken = await get("/files%2Fsecret", [HOST, auth()]);
    assert.equal(withToken.responses[0]?.status, 200);
    assert.deepEqual(
      a.requests.map((r) => r.target),
      ["/files%2Fsecret"],
      "forwarded with the slash still encoded",
    );
  });

  test("C05: case variants of a protected path meet its policies (401), never the open catch-all", async () => {
    a.clear();
    for (const t of ["/ADMIN/users", "/Admin/Users", "/aDmIn/users", "/%41dmin/users", "/%61dmin/users", "/ADMIN"]) {
      const r = await get(t);
      assert.equal(r.responses[0]?.status, 401, t);
    }
    assert.equal(a.requests.length, 0);
  });

  test("C07: strip /svc, prepend /pub: no spelling climbs out of /pub or names another authority", async () => {
    a.clear();
    for (const t of [
      "/svc/../priv/secret",
      "/svc/%2e%2e/priv/secret",
      "/svc/..%2Fpriv/secret",
      "/svc//upstream-b.example.test/x",
      "/svc/http://upstream-b.example.test/x",
      "/svc/%2e%2e%2fpriv/secret",
      "/svc/.%2E/priv",
    ]) {
      const r = await get(t);
      assert.ok([400, 404].includes(r.responses[0]?.status ?? 0), `${t}: ${r.responses[0]?.status}`);
    }
    assert.equal(a.requests.length, 0);
    assert.equal(b.requests.length, 0, "upstream-b saw nothing");
    for (const [t, want] of [
      ["/svc/ok?x=1", "/pub/ok?x=1"],
      ["/svc", "/pub/"],
      ["/SVC/Ok", "/pub/Ok"],
    ]) {
      const r = await get(t!);
      assert.equal(r.responses[0]?.status, 200, t);
      assert.equal(a.requests.at(-1)?.target, want);
      assert.equal(headerValues(a.requests.at(-1)!, "x-forwarded-prefix")[0], "/svc");
    }
    // merge_slashes on a route: repeated slashes are merged, and what is matched is forwarded.
    const merged = await get("/merge//a///b");
    assert.equal(merged.responses[0]?.status, 200);
    assert.equal(a.requests.at(-1)?.target, "/merge/a/b");
    assert.equal((await get("/public//x")).responses[0]?.status, 400, "merging is per route");
    assert.ok(a.requests.every((r) => r.target.startsWith("/pub/") || r.target.startsWith("/merge/")));
  });

  test("C21: identity headers come only from the verified token: one X-User, roles only from the claim", async () => {
    a.clear();
    for (const extra of [
      [
        ["X-User", "admin"],
        ["X-User-Roles", "admin"],
      ],
      [["x-user", "admin"]],
      [
        ["X-User", "admin"],
        ["X-User", "root"],
        ["X-User-Roles", "admin"],
      ],
      [["X_User", "admin"]],
    ] as Array<Array<[string, string]>>) {
      const r = await sendRaw(dp.proxyPort, rawRequest("GET", "/api/orders", [HOST, auth(), ...extra]), {
        responses: 1,
      });
      assert.equal(r.responses[0]?.status, 200, JSON.stringify(extra));
      const seen = a.requests.at(-1)!;
      assert.deepEqual(headerValues(seen, "x-user"), ["user-1"], JSON.stringify(extra));
      assert.deepEqual(headerValues(seen, "x-user-roles"), [], "the token has no roles claim");
      assert.deepEqual(headerValues(seen, "x_user"), []);
      assert.deepEqual(headerValues(seen, "authorization"), [], "the token is not forwarded");
    }
    const withRoles = await idp.sign({ sub: "user-2", extra: { roles: "reader" } });
    await sendRaw(
      dp.proxyPort,
      rawRequest("GET", "/api/orders", [HOST, ["Authorization", `Bearer ${withRoles}`], ["X-User-Roles", "admin"]]),
      { responses: 1 },
    );
    assert.deepEqual(headerValues(a.requests.at(-1)!, "x-user-roles"), ["reader"]);
  });

  test("C23: Connection cannot nominate the headers the node adds; Connection itself is not forwarded", async () => {
    a.clear();
    for (const conn of [
      [["Connection", "close, X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto, X-User"]],
      [["Connection", "keep-alive, x-user"]],
      [
        ["Connection", "X-Forwarded-For, X-Forwarded-Host"],
        ["Connection", "X-Forwarded-Proto, X-User"],
      ],
    ] as Array<Array<[string, string]>>) {
      const r = await sendRaw(
        dp.proxyPort,
        rawRequest("GET", "/api/orders", [HOST, auth(), ["X-Forwarded-For", "6.6.6.6"], ...conn]),
        { responses: 1 },
      );
      assert.equal(r.responses[0]?.status, 200);
      const seen = a.requests.at(-1)!;
      assert.deepEqual(headerValues(seen, "x-forwarded-for"), ["127.0.0.1"], "set by the node, the client's replaced");
      assert.deepEqual(headerValues(seen, "x-forwarded-host"), ["api.example.test"]);
      assert.deepEqual(headerValues(seen, "x-forwarded-proto"), ["http"]);
      assert.deepEqual(headerValues(seen, "x-user"), ["user-1"]);
      assert.ok(!headerValues(seen, "connection").some((v) => /forwarded|user/i.test(v)), "Connection not relayed");
    }
  });

  test("C25/C29: every way to frame a body twice is refused (400) and the upstream reads no request", async () => {
    a.clear();
    const smuggled = "GET /admin/users HTTP/1.1\r\nHost: api.example.test\r\nX-Smuggled: 1\r\n\r\n";
    const chunkedBody = `44\r\n${smuggled}\r\n0\r\n\r\n`;
    const post = (headers: Array<[string, string]>, body = chunkedBody, version = "HTTP/1.1") =>
      rawRequest("POST", "/api/orders", [HOST, auth(), ["Content-Type", "text/plain"], ...headers], body, version);
    const cases: Record<string, string> = {
      "CL then TE": post([
        ["Content-Length", "4"],
        ["Transfer-Encoding", "chunked"],
      ]),
      "TE then CL": post([
        ["Transfer-Encoding", "chunked"],
        ["Content-Length", "4"],
      ]),
      "CL 0 with TE": post([
        ["Content-Length", "0"],
        ["Transfer-Encoding", "chunked"],
      ]),
      "HTTP/1.0 with TE": post([["Transfer-Encoding", "chunked"]], chunkedBody, "HTTP/1.0"),
      "TE chunked<TAB> + CL": post([
        ["Transfer-Encoding", "chunked\t"],
        ["Content-Length", "60"],
      ]),
      "TE xchunked": post([["Transfer-Encoding", "xchunked"]]),
      "TE chunked, identity": post([["Transfer-Encoding", "chunked, identity"]]),
      "TE identity, chunked": post([["Transfer-Encoding", "identity, chunked"]]),
      "TE gzip, chunked": post([["Transfer-Encoding", "gzip, chunked"]]),
      "two TE lines": post([
        ["Transfer-Encoding", "gzip"],
        ["Transfer-Encoding", "chunked"],
      ]),
      "two TE chunked lines": post([
        ["Transfer-Encoding", "chunked"],
        ["Transfer-Encoding", "chunked"],
      ]),
      "TE CHUNKED": post([["Transfer-Encoding", "CHUNKED"]]),
      "TE leading space + CL": post([
        ["Transfer-Encoding", " chunked"],
        ["Content-Length", "60"],
      ]),
      "two CL, same value": post(
        [
          ["Content-Length", "3"],
          ["Content-Length", "3"],
        ],
        "abc",
      ),
      "two CL, different values": post(
        [
          ["Content-Length", "3"],
          ["Content-Length", "70"],
        ],
        "abc",
      ),
      "CL list": post([["Content-Length", "3, 3"]], "abc"),
      "CL +3": post([["Content-Length", "+3"]], "abc"),
      "CL hex": post([["Content-Length", "0x3"]], "abc"),
      "obs-fold in TE": post([["Transfer-Encoding", "identity\r\n chunked"]]),
      "obs-fold in another header": post([["X-Folded", "a\r\n b"]], "", "HTTP/1.1"),
      "bare LF line ends": "POST /api/orders HTTP/1.1\nHost: api.example.test\nContent-Length: 3\n\nabc",
      "TRACE with a body": rawRequest("TRACE", "/api/orders", [HOST, ["Content-Length", "3"]], "abc"),
    };
    for (const [what, raw] of Object.entries(cases)) {
      const r = await sendRaw(dp.proxyPort, raw, { responses: 1 });
      assert.equal(r.responses[0]?.status, 400, `${what}: ${r.bytes.toString("latin1").slice(0, 120)}`);
      assert.equal(r.responses[0]?.headers["content-type"], "application/json", what);
    }
    assert.equal(a.requests.length, 0, "upstream-a logged no request, smuggled or not");
  });

  test("C27: GET/HEAD bodies are forwarded with their framing, never half: no smuggled request, answers stay paired", async () => {
    a.clear();
    const smuggled = "GET /admin/users HTTP/1.1\r\nHost: api.example.test\r\nX-Smuggled: 1\r\n\r\n";
    assert.equal(smuggled.length, 68);
    for (const method of ["GET", "HEAD"]) {
      const r = await sendRaw(
        dp.proxyPort,
        rawRequest(method, "/api/items", [HOST, auth(), ["Content-Length", "68"]], smuggled),
        { responses: 1, headIndexes: method === "HEAD" ? [0] : [] },
      );
      assert.ok([200, 400].includes(r.responses[0]?.status ?? 0), `${method}: ${r.responses[0]?.status}`);
      // Another client right after: it gets its own answer.
      const other = await sendRaw(dp.proxyPort, rawRequest("GET", "/api/other", [HOST, auth()]), { responses: 1 });
      assert.equal(other.responses[0]?.status, 200);
      assert.equal(other.responses[0]?.json().target, "/api/other");
    }
    const post = await sendRaw(
      dp.proxyPort,
      rawRequest(
        "POST",
        "/api/items",
        [HOST, auth(), ["Content-Type", "application/json"], ["Content-Length", "5"]],
        "false",
      ),
      { responses: 1 },
    );
    assert.equal(post.responses[0]?.status, 200);
    const items = a.to("/api/items");
    for (const r of items) {
      assert.ok(r.complete);
      const cl = headerValues(r, "content-length");
      assert.equal(cl.length <= 1, true);
      assert.equal(r.body.length, cl.length === 1 ? Number(cl[0]) : 0, "framing matches the bytes sent");
    }
    assert.ok(
      a.requests.every((r) => headerValues(r, "x-smuggled").length === 0),
      "no request carrying X-Smuggled was ever read",
    );
    assert.equal(a.to("/admin").length, 0);
    assert.equal(a.to("/api/items")[0]?.body.toString(), smuggled, "the GET body arrived as a body");
  });

  test("C33: bad bytes never crash the node: bad upstream headers → 502, bad client headers → 400", async () => {
    const report = await get("/api/files/report", [HOST, auth()]);
    assert.ok([200, 502].includes(report.responses[0]?.status ?? 0));
    const cookie = await get("/api/files/cookie", [HOST, auth()]);
    assert.equal(cookie.responses[0]?.status, 502);
    assert.ok(!cookie.bytes.includes(1), "the control byte never reaches the client");
    for (const raw of [
      "GET /public/x HTTP/1.1\r\nHost: api.example.test\r\nUser Agent: x\r\n\r\n",
      "GET /public/\xe9 HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
      "GET /public/x HTTP/1.1\r\nHost: api.example.test\r\nX-A: a\x01b\r\n\r\n",
      "GET /public/x HTTP/1.1\r\nHost: api.example.test\r\nX-A: a\x00b\r\n\r\n",
      "GET /public/x HTTP/1.1\r\nHost: api.example.test\r\nX-\xc3\xa9: 1\r\n\r\n",
      "GET /public/x HTTP/1.1\r\nHost: api.example.test\r\nX-A: a\rb\r\n\r\n",
    ]) {
      const r = await sendRaw(dp.proxyPort, raw, { responses: 1 });
      assert.equal(r.responses[0]?.status, 400, JSON.stringify(raw));
    }
    assert.equal((await get("/public/health")).responses[0]?.status, 200, "the node is still up");
  });

  test("authority: one Host; absolute-form must agree with it; HTTP versions other than 1.0/1.1 refused", async () => {
    a.clear();
    const bad: Record<string, string> = {
      "two Host lines": "GET /public/h HTTP/1.1\r\nHost: api.example.test\r\nHost: evil.test\r\n\r\n",
      "Host with userinfo": "GET /public/h HTTP/1.1\r\nHost: user@api.example.test\r\n\r\n",
      "Host with a space": "GET /public/h HTTP/1.1\r\nHost: api example\r\n\r\n",
      "Host with a bad port": "GET /public/h HTTP/1.1\r\nHost: api.example.test:99999\r\n\r\n",
      "HTTP/1.1 without Host": "GET /public/h HTTP/1.1\r\n\r\n",
      "absolute-form vs Host": "GET http://evil.test/public/h HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
      "absolute-form with userinfo":
        "GET http://u@api.example.test/public/h HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
      "asterisk-form": "OPTIONS * HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
      "HTTP/0.9": "GET /public/h\r\n\r\n",
      "fragment in the target": "GET /public/h#x HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
    };
    for (const [what, raw] of Object.entries(bad)) {
      const r = await sendRaw(dp.proxyPort, raw, { responses: 1 });
      assert.equal(r.responses[0]?.status, 400, `${what}: ${r.bytes.toString("latin1").slice(0, 100)}`);
    }
    // A well-formed version the node does not speak on this connection: 505 (RFC 9110 §15.6.6).
    const h2Line = await sendRaw(dp.proxyPort, "GET /public/h HTTP/2.0\r\nHost: api.example.test\r\n\r\n", {
      responses: 1,
    });
    assert.equal(h2Line.responses[0]?.status, 505);
    assert.match(h2Line.bytes.toString("latin1"), /"code":"HTTP_VERSION_NOT_SUPPORTED"/);
    assert.equal(a.requests.length, 0);
    const abs = await sendRaw(
      dp.proxyPort,
      "GET http://API.example.test/public/h?q HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
      {
        responses: 1,
      },
    );
    assert.equal(abs.responses[0]?.status, 200);
    assert.equal(a.requests.at(-1)?.target, "/public/h?q", "origin-form upstream");
    assert.deepEqual(headerValues(a.requests.at(-1)!, "x-forwarded-host"), ["api.example.test"]);
    const http10 = await sendRaw(dp.proxyPort, "GET /public/h10 HTTP/1.0\r\n\r\n", { responses: 1 });
    assert.equal(http10.responses[0]?.status, 200, "HTTP/1.0 may omit Host");
  });

  test("without trusted proxies a client never chooses its address: X-Forwarded-For, X-Real-IP, Forwarded replaced", async () => {
    const r = await get("/public/ip", [
      HOST,
      ["X-Forwarded-For", "1.2.3.4"],
      ["X-Real-IP", "1.2.3.4"],
      ["Forwarded", "for=1.2.3.4"],
    ]);
    assert.equal(r.responses[0]?.status, 200);
    const seen = a.requests.at(-1)!;
    assert.deepEqual(headerValues(seen, "x-forwarded-for"), ["127.0.0.1"]);
    assert.deepEqual(headerValues(seen, "x-real-ip"), ["127.0.0.1"]);
    // The node's own RFC 7239 element (issue 3) replaces the client's.
    assert.deepEqual(headerValues(seen, "forwarded"), ["for=127.0.0.1;host=api.example.test;proto=http"]);
  });

  test("refusals are security events, counted on the status port", async () => {
    const ev = await eventually("security events counted", async () => {
      const body = (await http(dp.statusPort, "/security-events")).json();
      return body.counts.request_rejected > 20 ? body : undefined;
    });
    assert.ok(ev.counts.authentication_failed > 0);
    const reasons = new Set((ev.recent as Array<{ reason: string }>).map((e) => e.reason));
    assert.ok(reasons.size > 3, [...reasons].join(","));
    assert.ok(!JSON.stringify(ev).includes(token.slice(0, 30)), "no credential in events");
  });
});
