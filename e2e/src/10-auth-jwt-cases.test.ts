/**
 * The `jwt` cases (C09 … C19) and the identity-header cases (C21, C23), attack requests drawn
 * from public bug reports and advisories in other gateways, each with its variants, against real processes: a control plane,
 * a data-plane node, an echo upstream that records what it receives, and an IdP serving a JWKS.
 * Tokens are signed at send time; attack requests go out as raw bytes where the case needs
 * exact framing or duplicate headers.
 */
import assert from "node:assert/strict";
import { createHmac, createPublicKey, randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ClientCa } from "@palisade/test-support";
import { exportSPKI } from "jose";
import { ControlPlaneProcess, DataPlaneProcess, type HttpAnswer } from "./harness/fleet.js";
import { TestIdp } from "./harness/idp.js";
import { eventually } from "./harness/process.js";
import { headerOf, parseResponses, rawExchange, rawRequest } from "./harness/raw-http.js";
import { RecordingUpstream } from "./harness/upstream.js";

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const HOST = "api.example.test";

/** A refusal as a client sees it: status, JSON body with a stable code and nothing else. */
function assertRefused(r: HttpAnswer, status: number, code: string, what = ""): void {
  assert.equal(r.status, status, `${what}: ${r.text}`);
  assert.equal(r.headers["content-type"], "application/json", what);
  const body = r.json();
  assert.deepEqual(Object.keys(body), ["error"], what);
  assert.deepEqual(Object.keys(body.error).sort(), ["code", "message", "request_id"], what);
  assert.equal(body.error.code, code, what);
  if (status === 401) assert.match(String(r.headers["www-authenticate"]), /realm="palisade"/, what);
}

describe("JWT cases C09-C19, identity headers C21/C23", () => {
  let upstream: RecordingUpstream;
  let idp: TestIdp;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;
  const hsSecret = randomBytes(32);
  const clientCa = new ClientCa("test-ca");
  let routeIds: Record<string, string>;

  before(async () => {
    upstream = await new RecordingUpstream("upstream-a").start();
    idp = await TestIdp.create();
    await idp.addKey("attacker");
    await idp.serve();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "a", targets: [{ host: "127.0.0.1", port: upstream.port }] });
    const common = { jwks_url: idp.url, algorithms: ["RS256"], issuers: [idp.issuer], audiences: ["palisade-demo"] };
    await cp.ok("POST", "/v1/policies", {
      name: "jwt-api",
      type: "jwt",
      config: {
        ...common,
        leeway_s: 60,
        max_lifetime_s: 86_400,
        claims_to_headers: { sub: "X-User", roles: "X-User-Roles" },
      },
    });
    await cp.ok("POST", "/v1/policies", {
      name: "jwt-admin",
      type: "jwt",
      config: { ...common, claims_to_headers: { sub: "X-User" }, claim_rules: [{ claim: "role", equals: "admin" }] },
    });
    await cp.ok("POST", "/v1/policies", {
      name: "jwt-static",
      type: "jwt",
      config: {
        jwks: { keys: [idp.publicJwk("idp-1"), { kty: "oct", kid: "idp-hs", k: hsSecret.toString("base64url") }] },
        algorithms: ["RS256", "HS256"],
        claims_to_headers: { sub: "X-User" },
      },
    });
    await cp.ok("POST", "/v1/policies", {
      name: "jwt-query",
      type: "jwt",
      config: {
        ...common,
        token_query_param: "access_token",
        token_cookie: "jwt",
        claims_to_headers: { sub: "X-User" },
      },
    });
    // mtls.example.test requires a client certificate; its policy asserts X-Client-Cert-Subject.
    await cp.ok("POST", "/v1/policies", {
      name: "mtls",
      type: "mtls",
      config: { ca_pem: clientCa.certPem, allowed_subjects: ["CN=svc-a"], subject_header: "X-Client-Cert-Subject" },
    });
    await cp.ok("POST", "/v1/routes", {
      name: "mtls",
      hosts: ["mtls.example.test"],
      paths: ["/"],
      upstream: "a",
      policies: ["mtls"],
    });
    const route = (name: string, path: string, policies: string[]) =>
      cp.ok("POST", "/v1/routes", { name, paths: [path], upstream: "a", policies });
    routeIds = {
      public: (await route("public", "/public", [])).id,
      api: (await route("api", "/api", ["jwt-api"])).id,
      admin: (await route("admin", "/admin", ["jwt-admin"])).id,
      static: (await route("static", "/static", ["jwt-static"])).id,
      q: (await route("q", "/q", ["jwt-query"])).id,
    };
    await cp.ok("POST", "/v1/config/versions", { message: "jwt cases" });
    dp = await new DataPlaneProcess("node-jwt", cp.syncPort, { extraArgs: ["--log-level", "debug"] }).start();
    await cp.waitForNodes([dp.nodeId], 1);
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await upstream?.stop();
    await idp?.stop();
    clientCa.dispose();
  });

  /** Requests through the node; asserts nothing reached the upstream when `reaches` is false. */
  async function send(path: string, headers: Record<string, string>, reaches: boolean): Promise<HttpAnswer> {
    const before = upstream.seen.length;
    const r = await dp.request(path, { headers: { host: HOST, ...headers } });
    assert.equal(upstream.seen.length, before + (reaches ? 1 : 0), `upstream count for ${path}: ${r.status} ${r.text}`);
    return r;
  }
  const valid = () => idp.sign({ sub: "user-1" });

  test("C09: alg none (every spelling, with or without a signature) → 401, nothing reaches the upstream", async () => {
    const realSig = (await valid()).split(".")[2];
    const claims = idp.claims({ role: "admin", exp: 4102444800 });
    const tokens = [
      // The case's own token.
      "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1c2VyLTEiLCJyb2xlIjoiYWRtaW4iLCJleHAiOjQxMDI0NDQ4MDB9.",
    ];
    for (const alg of ["none", "None", "NONE", "nOnE"]) {
      tokens.push(`${b64({ alg, typ: "JWT" })}.${b64(claims)}.`);
      tokens.push(`${b64({ alg, typ: "JWT", kid: "idp-1" })}.${b64(claims)}.${realSig}`);
    }
    // Modelled on Wycheproof's AlgIsNone vectors: alg none with a valid-looking header and payload,
    // alg missing, alg null, alg as an array.
    tokens.push(`${b64({ typ: "JWT" })}.${b64(claims)}.`);
    tokens.push(`${b64({ alg: null })}.${b64(claims)}.`);
    tokens.push(`${b64({ alg: ["none"] })}.${b64(claims)}.`);
    for (const t of tokens) {
      for (const path of ["/api/orders", "/static/orders", "/admin/users"]) {
        assertRefused(await send(path, { authorization: `Bearer ${t}` }, false), 401, "AUTH_TOKEN_INVALID", t);
      }
    }
    assert.equal((await send("/api/orders", { authorization: `Bearer ${await valid()}` }, true)).status, 200);
  });

  test("C11: expired, not yet valid, string exp, no exp, 10-year exp over a 1-day max → 401; leeway edges", async () => {
    const now = Math.floor(Date.now() / 1000);
    const bad: Record<string, string> = {
      "exp=now-3600": await idp.sign({ expIn: -3600 }),
      "nbf=now+3600": await idp.sign({ nbfIn: 3600 }),
      'exp as the string "4102444800"': idp.signRaw({ alg: "RS256", kid: "idp-1" }, idp.claims({ exp: "4102444800" })),
      "no exp": await idp.sign({ noExp: true }),
      "exp = now + 10 years (max lifetime 1 day)": await idp.sign({ expIn: 10 * 365 * 86_400 }),
      "exp in milliseconds": idp.signRaw({ alg: "RS256", kid: "idp-1" }, idp.claims({ exp: (now + 300) * 1000 })),
      "exp = now - 61 (leeway 60)": await idp.sign({ expIn: -61 }),
      "nbf = now + 120 (leeway 60)": await idp.sign({ nbfIn: 120 }),
      "iat in the future": idp.signRaw({ alg: "RS256", kid: "idp-1" }, idp.claims({ iat: now + 3600 })),
    };
    for (const [what, t] of Object.entries(bad)) {
      assertRefused(
        await send("/api/orders", { authorization: `Bearer ${t}` }, false),
        401,
        "AUTH_TOKEN_INVALID",
        what,
      );
    }
    for (const [what, t] of Object.entries({
      "exp=now+300 (control)": await idp.sign({ expIn: 300 }),
      "exp = now - 30 (within leeway)": await idp.sign({ expIn: -30 }),
      "nbf = now + 30 (within leeway)": await idp.sign({ nbfIn: 30 }),
    })) {
      assert.equal((await send("/api/orders", { authorization: `Bearer ${t}` }, true)).status, 200, what);
    }
  });

  test("C13: kid is only a lookup key (traversal, SQL, URL, NUL, 10 KB, object) with an empty HMAC secret → 401", async () => {
    const hs = (kid: unknown, key: Buffer | string) => {
      const h = b64({ alg: "HS256", typ: "JWT", kid });
      const p = b64(idp.claims({ role: "admin" }));
      return `${h}.${p}.${createHmac("sha256", key).update(`${h}.${p}`).digest("base64url")}`;
    };
    for (const kid of [
      "../../../../../../dev/null",
      "x' OR '1'='1",
      "idp-1\u0000",
      "http://attacker.example.test/k",
      "k".repeat(10 * 1024),
      { kid: "idp-hs" },
    ]) {
      for (const key of ["", "wrong-secret"]) {
        const r = await send("/static/orders", { authorization: `Bearer ${hs(kid, key)}` }, false);
        assertRefused(r, 401, "AUTH_TOKEN_INVALID", JSON.stringify(kid).slice(0, 40));
      }
    }
    assertRefused(
      await send("/static/orders", { authorization: `Bearer ${hs("idp-hs", "")}` }, false),
      401,
      "AUTH_TOKEN_INVALID",
    );
    assert.equal(
      (await send("/static/orders", { authorization: `Bearer ${hs("idp-hs", hsSecret)}` }, true)).status,
      200,
    );
    assert.equal((await send("/static/orders", { authorization: `Bearer ${await valid()}` }, true)).status, 200);
    // Empty or short HMAC keys are refused at configuration time.
    for (const k of ["", Buffer.alloc(16, 1).toString("base64url")]) {
      const r = await cp.api("POST", "/v1/policies", {
        name: "weak",
        type: "jwt",
        config: { jwks: { keys: [{ kty: "oct", kid: "w", k }] }, algorithms: ["HS256"] },
      });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json().error.field, "config.jwks.keys.0.k");
    }
  });

  test("C09/C13: algorithm confusion (HS256 with the public key), attacker keys, jku/x5u/jwk/x5c → 401", async () => {
    const pem = await exportSPKI(createPublicKey({ key: idp.publicJwk() as never, format: "jwk" }));
    const h = b64({ alg: "HS256", typ: "JWT", kid: "idp-1" });
    const p = b64(idp.claims({ role: "admin" }));
    const confusion = `${h}.${p}.${createHmac("sha256", pem).update(`${h}.${p}`).digest("base64url")}`;
    const attacker = idp.publicJwk("attacker");
    const attacks = {
      "HS256 signed with the RSA public key PEM": confusion,
      "attacker key with kid idp-1": await idp.sign({ key: "attacker", kid: "idp-1" }),
      "embedded jwk": idp.signRaw({ alg: "RS256", jwk: attacker }, idp.claims(), "attacker"),
      "jku to the attacker": idp.signRaw({ alg: "RS256", jku: "http://127.0.0.1:9/jwks" }, idp.claims(), "attacker"),
      x5u: idp.signRaw({ alg: "RS256", x5u: "http://127.0.0.1:9/cert.pem" }, idp.claims(), "attacker"),
      x5c: idp.signRaw({ alg: "RS256", x5c: ["MIIBIjAN"] }, idp.claims(), "attacker"),
      "crit extension": idp.signRaw({ alg: "RS256", kid: "idp-1", crit: ["b64"], b64: false }, idp.claims()),
      "RS256 header, signature stripped": `${(await valid()).split(".").slice(0, 2).join(".")}.`,
    };
    for (const [what, t] of Object.entries(attacks)) {
      for (const path of ["/api/orders", "/static/orders"]) {
        assertRefused(await send(path, { authorization: `Bearer ${t}` }, false), 401, "AUTH_TOKEN_INVALID", what);
      }
    }
  });

  test("C17: scheme casing; junk after the scheme → 401", async () => {
    const t = await valid();
    for (const auth of [`bearer ${t}`, `BEARER ${t}`, `Bearer ${t}`]) {
      assert.equal((await send("/api/orders", { authorization: auth }, true)).status, 200, auth.slice(0, 8));
    }
    const t2 = await idp.sign({ sub: "user-2" });
    for (const auth of [
      "Basic dXNlcjpwYXNz",
      `Bearer ${t} ${t2}`,
      "Bearer",
      "Bearer ",
      `Bearer ${t},`,
      `Bearer  ${t}`,
    ]) {
      assertRefused(
        await send("/api/orders", { authorization: auth }, false),
        401,
        "AUTH_TOKEN_INVALID",
        auth.slice(0, 12),
      );
    }
    // 'Bearer\t<t>': refused here, and the upstream never sees it, so both agree.
    const raw = await rawExchange(
      dp.proxyPort,
      rawRequest(["GET /api/orders HTTP/1.1", `Host: ${HOST}`, `Authorization: Bearer\t${t}`, "Connection: close"]),
      { responses: 1 },
    );
    assert.equal(parseResponses(raw)[0]?.status, 401);
  });

  test("two Authorization headers → 400 whatever their values; nothing reaches the upstream", async () => {
    const t = await valid();
    const before = upstream.seen.length;
    for (const [a, b] of [
      [`Bearer ${t}`, `Bearer ${t}`],
      [`Bearer ${t}`, "Basic dXNlcjpwYXNz"],
      ["Basic dXNlcjpwYXNz", `Bearer ${t}`],
    ]) {
      const raw = await rawExchange(
        dp.proxyPort,
        rawRequest([
          "GET /api/orders HTTP/1.1",
          `Host: ${HOST}`,
          `Authorization: ${a}`,
          `authorization: ${b}`,
          "Connection: close",
        ]),
        { responses: 1 },
      );
      const [r] = parseResponses(raw);
      assert.equal(r?.status, 400);
      assert.equal(JSON.parse(r!.body).error.code, "AUTH_AMBIGUOUS");
      assert.match(headerOf(r!, "www-authenticate") ?? "", /invalid_request/);
    }
    assert.equal(upstream.seen.length, before);
  });

  test("C19: query and cookie tokens are ignored by default (401); where enabled, stripped before forwarding", async () => {
    const t = await valid();
    for (const path of [`/api/orders?access_token=${t}`, `/api/orders?jwt=${t}`]) {
      assertRefused(await send(path, {}, false), 401, "AUTH_TOKEN_MISSING", path.slice(0, 20));
    }
    assertRefused(await send("/api/orders", { cookie: `jwt=${t}` }, false), 401, "AUTH_TOKEN_MISSING", "cookie");

    const q = await send(`/q/orders?a=1&access_token=${t}&b=2`, {}, true);
    assert.equal(q.status, 200);
    assert.equal(upstream.seen.at(-1)!.url, "/q/orders?a=1&b=2", "the upstream URL no longer holds the token");
    assert.equal(upstream.seen.at(-1)!.headers["x-user"], "user-1");
    await send(`/q/orders?access_token=${t}`, {}, true);
    assert.equal(upstream.seen.at(-1)!.url, "/q/orders");
    await send(`/q/orders?%61ccess_token=${t}`, {}, true);
    assert.equal(upstream.seen.at(-1)!.url, "/q/orders", "an encoded parameter name is the same parameter");

    const c = await send("/q/orders", { cookie: `theme=dark; jwt=${t}; lang=en` }, true);
    assert.equal(c.status, 200);
    assert.equal(upstream.seen.at(-1)!.headers.cookie, "theme=dark; lang=en");

    const t2 = await idp.sign({ sub: "user-2" });
    for (const [what, path, headers] of [
      ["query and header", `/q/orders?access_token=${t}`, { authorization: `Bearer ${t2}` }],
      ["query and header, same token", `/q/orders?access_token=${t}`, { authorization: `Bearer ${t}` }],
      ["query twice", `/q/orders?access_token=${t}&access_token=${t2}`, {}],
      ["cookie and query", `/q/orders?access_token=${t}`, { cookie: `jwt=${t}` }],
    ] as const) {
      assertRefused(await send(path, headers, false), 400, "AUTH_AMBIGUOUS", what);
    }
    // Nothing the node logged (access lines included, debug level) holds a token.
    assert.ok(!dp.proc.output().includes(t.slice(-40)), "a token reached the node's log");
    assert.match(dp.proc.output(), /"msg":"request"/, "access lines were written");
  });

  test("/admin needs role=admin: another role → 403 insufficient_scope", async () => {
    const admin = await idp.sign({ extra: { role: "admin" } });
    assert.equal((await send("/admin/users", { authorization: `Bearer ${admin}` }, true)).status, 200);
    for (const extra of [{ role: "user" }, {}, { role: ["admin"] }, { role: "Admin" }]) {
      const r = await send("/admin/users", { authorization: `Bearer ${await idp.sign({ extra })}` }, false);
      assertRefused(r, 403, "AUTH_FORBIDDEN", JSON.stringify(extra));
      assert.match(String(r.headers["www-authenticate"]), /error="insufficient_scope"/);
    }
  });

  test("C21: claim headers overwrite client-sent ones, any case, any count; absent claims remove them", async () => {
    const t = await valid();
    const raw = await rawExchange(
      dp.proxyPort,
      rawRequest([
        "GET /api/orders HTTP/1.1",
        `Host: ${HOST}`,
        `Authorization: Bearer ${t}`,
        "X-User: admin",
        "x-user: root",
        "X-USER-ROLES: admin",
        "x-user-roles: superuser",
        "X-Client-Cert-Subject: CN=svc-admin",
        "x-gw-original-path: /public/ok",
        "Connection: close",
      ]),
      { responses: 1 },
    );
    assert.equal(parseResponses(raw)[0]?.status, 200);
    const seen = upstream.seen.at(-1)!;
    const users = seen.rawHeaders.filter((_, i) => i % 2 === 0 && seen.rawHeaders[i]!.toLowerCase() === "x-user");
    assert.equal(users.length, 1, "exactly one X-User");
    assert.equal(seen.headers["x-user"], "user-1");
    assert.equal(seen.headers["x-user-roles"], undefined, "no roles claim: the header is absent");
    assert.equal(seen.headers["x-client-cert-subject"], undefined, "certificate facts come from the gateway only");
    assert.equal(seen.url, "/api/orders");

    const withRoles = await idp.sign({ extra: { roles: ["reader", "writer"] } });
    await send("/api/orders", { authorization: `Bearer ${withRoles}`, "x-user-roles": "admin" }, true);
    assert.equal(upstream.seen.at(-1)!.headers["x-user-roles"], "reader, writer");

    // Identity headers asserted by any policy are never accepted from a client, on any route.
    await send("/public/page", { "X-User": "admin", "x-user-roles": "admin", "X-Consumer-Id": "c-1" }, true);
    const open = upstream.seen.at(-1)!;
    assert.equal(open.headers["x-user"], undefined);
    assert.equal(open.headers["x-user-roles"], undefined);
    assert.equal(open.headers["x-consumer-id"], undefined);
  });

  test("C23: Connection naming X-Forwarded-* or X-User cannot delete the gateway's own headers", async () => {
    const t = await valid();
    for (const connection of [
      ["close, X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto, X-User"],
      ["keep-alive, x-user"],
      ["close, x-forwarded-for", "X-Forwarded-Host, X-User"],
    ]) {
      const raw = await rawExchange(
        dp.proxyPort,
        rawRequest([
          "GET /api/orders HTTP/1.1",
          `Host: ${HOST}`,
          `Authorization: Bearer ${t}`,
          ...connection.map((c) => `Connection: ${c}`),
        ]),
        { responses: 1 },
      );
      assert.equal(parseResponses(raw)[0]?.status, 200, connection.join(" | "));
      const seen = upstream.seen.at(-1)!;
      assert.equal(seen.headers["x-forwarded-for"], "127.0.0.1");
      assert.equal(seen.headers["x-forwarded-host"], HOST);
      assert.equal(seen.headers["x-forwarded-proto"], "http");
      assert.equal(seen.headers["x-user"], "user-1");
      assert.ok(
        !String(seen.headers.connection ?? "")
          .toLowerCase()
          .includes("x-"),
        "the client's Connection is not forwarded",
      );
    }
  });

  test("C31 over plain HTTP: the mTLS host never reaches its upstream without a verified certificate", async () => {
    for (const path of ["/internal/report", "/api/orders"]) {
      const r = await send(path, { host: "mtls.example.test", authorization: `Bearer ${await valid()}` }, false);
      assertRefused(r, 403, "AUTH_CERT_REQUIRED", path);
    }
  });

  test("every refusal is a security event with type, route, reason and client address; counted per type", async () => {
    const ev = await eventually("security events", async () => {
      const e = await dp.securityEvents();
      const c = e.counts as Record<string, number>;
      return (c.authentication_failed ?? 0) > 0 && (c.access_denied ?? 0) > 0 && (c.credential_ambiguous ?? 0) > 0
        ? e
        : undefined;
    });
    const forbidden = ev.recent.find((e) => e.type === "access_denied");
    assert.equal(forbidden.route, routeIds.admin);
    assert.equal(forbidden.reason, "claim_rule_failed");
    assert.equal(forbidden.policyType, "jwt");
    assert.equal(forbidden.clientAddress, "127.0.0.1");
    assert.equal(forbidden.status, 403);
    // A fresh refusal shows up with its reason.
    const none = `${b64({ alg: "none" })}.${b64(idp.claims())}.`;
    await send("/api/orders?secret=1", { authorization: `Bearer ${none}` }, false);
    const latest = await eventually("the alg-none event", async () =>
      (await dp.securityEvents()).recent.find((e) => e.reason === "token_alg_not_allowed" && e.route === routeIds.api),
    );
    assert.equal(latest.type, "authentication_failed");
    assert.equal(latest.path, "/api/orders", "no query string in events");
    assert.equal(latest.code, "AUTH_TOKEN_INVALID");
    assert.ok(!JSON.stringify((await dp.securityEvents()).recent).includes(none.slice(0, 30)), "no token in events");
    assert.match(dp.proc.output(), /"msg":"security event"/);
  });
});
