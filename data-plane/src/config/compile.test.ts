import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { LoadBalancing, PolicySchema, SnapshotSchema } from "@palisade/proto";
import { BUNDLED_POLICY_TYPES } from "../policies/registry.js";
import { jwtPolicy, route, rsaKeys, snapshot, upstream } from "../test/fixtures.js";
import { compile } from "./compile.js";
import { CompileError, type CompileErrorCode } from "./compile-error.js";

const all = { policyTypes: new Set(BUNDLED_POLICY_TYPES) };
const keys = await rsaKeys();

function refused(fn: () => unknown, code: CompileErrorCode, resource: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CompileError, `expected a CompileError, got ${err}`);
    assert.equal(err.code, code);
    assert.equal(err.resource, resource);
    if (message) assert.match(err.message, message);
    return true;
  });
}

test("compiles routes, upstreams and policies into a frozen table", () => {
  const table = compile(
    snapshot(
      {
        upstreams: [upstream("echo", ["127.0.0.1:9001", "127.0.0.1:9002"])],
        policies: [jwtPolicy("jwt-demo", { jwksJson: keys.jwksJson, algorithms: ["RS256"] })],
        routes: [route("echo", "echo", ["/echo"], { policyIds: ["jwt-demo"], stripPrefix: true })],
      },
      7n,
      "abc",
    ),
    all,
  );
  assert.equal(table.version, 7n);
  assert.equal(table.hash, "abc");
  assert.ok(Object.isFrozen(table));
  const m = table.router.match("GET", "any.host", "/echo/x");
  assert.equal(m?.route.id, "echo");
  assert.equal(m?.route.upstream?.id, "echo");
  assert.equal(m?.route.policies[0]?.type, "jwt");
  assert.equal(m?.route.stripPrefix, true);
  assert.equal(table.poolKeys.size, 2);
  const t = table.upstreams.get("echo")!.targets[0]!;
  assert.equal(t.origin, "http://127.0.0.1:9001");
  assert.equal(t.hostHeader, "127.0.0.1:9001");
  assert.equal(t.pool.connectMs, 5000);
  assert.deepEqual(m?.route.timeouts, { connectMs: 5000, headerMs: 30000, bodyMs: 30000, totalMs: 0 });
});

test("timeouts: 0 means the default, others are kept; the default port is left out of Host", () => {
  const table = compile(
    snapshot({
      upstreams: [
        upstream("u", ["svc.internal:80"], { timeouts: { connectMs: 0, headerMs: 50, bodyMs: 0 } }),
        upstream("s", ["svc.internal:443"], { scheme: "https", loadBalancing: LoadBalancing.LEAST_REQUESTS }),
      ],
    }),
    all,
  );
  const t = table.upstreams.get("u")!.targets[0]!;
  assert.deepEqual(table.upstreams.get("u")!.timeouts, { connectMs: 5000, headerMs: 50, bodyMs: 30000, totalMs: 0 });
  assert.equal(t.hostHeader, "svc.internal");
  assert.equal(table.upstreams.get("s")!.targets[0]!.origin, "https://svc.internal:443");
});

test("route overrides: timeouts over the upstream's (a connect override gets its own pools), host, rewrite", () => {
  const table = compile(
    snapshot({
      upstreams: [
        upstream("u", ["svc.internal:8080"], { timeouts: { connectMs: 1000, headerMs: 2000, totalMs: 9000 } }),
      ],
      routes: [
        route("plain", "u", ["/a"]),
        route("fast", "u", ["/b"], { timeouts: { headerMs: 100 }, preserveHost: true }),
        route("far", "u", ["/c"], { timeouts: { connectMs: 300 }, prefixRewrite: "/v2" }),
      ],
    }),
    all,
  );
  const plain = table.routes.get("plain")!;
  const fast = table.routes.get("fast")!;
  const far = table.routes.get("far")!;
  assert.equal(plain.timeouts, plain.upstream!.timeouts, "no override: the upstream's object");
  assert.deepEqual(fast.timeouts, { connectMs: 1000, headerMs: 100, bodyMs: 30000, totalMs: 9000 });
  assert.equal(fast.preserveHost, true);
  assert.equal(fast.poolSpecs, null);
  assert.equal(far.poolSpecs?.[0]?.connectMs, 300);
  assert.equal(far.prefixRewrite, "/v2");
  assert.equal(table.poolKeys.size, 2, "the connect override has a pool of its own");
  refused(
    () =>
      compile(
        snapshot({
          upstreams: [upstream("u", ["a:1"])],
          routes: [route("r", "u", ["/"], { stripPrefix: true, prefixRewrite: "/x" })],
        }),
        all,
      ),
    "RESOURCE_INVALID",
    "route/r",
    /prefix_rewrite/,
  );
  refused(
    () =>
      compile(
        snapshot({ upstreams: [upstream("u", ["a:1"])], routes: [route("r", "u", ["/"], { prefixRewrite: "/../x" })] }),
        all,
      ),
    "RESOURCE_INVALID",
    "route/r",
    /prefix_rewrite/,
  );
});

test("upstream settings are checked: retry statuses, probe path, hash key, TLS only with https", () => {
  const bad: Array<[Parameters<typeof upstream>[2], RegExp]> = [
    [{ retries: { retryOnStatuses: [404] } }, /retry_on_statuses: 404/],
    [{ healthCheck: { active: { path: "no-slash" } } }, /health_check.active.path/],
    [
      { loadBalancing: LoadBalancing.RING_HASH, hashOn: { key: { case: "header", value: "bad header" } } },
      /hash_on.header/,
    ],
    [{ tls: { skipVerify: true } }, /tls: set only with scheme "https"/],
    [{ scheme: "https", tls: { caPem: "nope" } }, /tls.ca_pem/],
    [{ scheme: "https", tls: { serverName: "*.x" } }, /tls.server_name/],
  ];
  for (const [init, message] of bad) {
    refused(
      () => compile(snapshot({ upstreams: [upstream("u", ["a.internal:1"], init)] }), all),
      "RESOURCE_INVALID",
      "upstream/u",
      message,
    );
  }
  const ok = compile(
    snapshot({
      upstreams: [upstream("h", ["10.0.0.1:443", "svc.internal:443"], { scheme: "https", tls: { skipVerify: true } })],
    }),
    all,
  ).upstreams.get("h")!;
  assert.deepEqual(ok.targets[0]!.pool.tls, { rejectUnauthorized: false, ca: undefined, servername: undefined });
  assert.equal(ok.targets[1]!.pool.tls?.servername, "svc.internal", "SNI is the DNS name, never an IP");
  assert.equal(ok.retries.maxRetries, 2);
  assert.equal(ok.breaker.maxRequests, 1024);
  assert.equal(ok.health.passive?.consecutive5xx, 5);
});

test("POLICY_TYPE_UNKNOWN: a policy whose oneof is unset (newer control plane)", () => {
  const unknown = create(PolicySchema, { id: "p-1", name: "from-the-future" });
  refused(() => compile(snapshot({ policies: [unknown] }), all), "POLICY_TYPE_UNKNOWN", "policy/from-the-future");
});

test("POLICY_TYPE_UNSUPPORTED: a known type that this node does not enable", () => {
  const p = jwtPolicy("jwt-demo", { jwksJson: keys.jwksJson });
  refused(
    () => compile(snapshot({ policies: [p] }), { policyTypes: new Set() }),
    "POLICY_TYPE_UNSUPPORTED",
    "policy/jwt-demo",
    /"jwt" is not enabled/,
  );
});

test("REFERENCE_MISSING: a route naming a missing upstream or policy", () => {
  refused(
    () => compile(snapshot({ routes: [route("echo", "nope", ["/"])] }), all),
    "REFERENCE_MISSING",
    "route/echo",
    /upstream "nope"/,
  );
  refused(
    () =>
      compile(
        snapshot({
          upstreams: [upstream("u", ["127.0.0.1:1"])],
          routes: [route("echo", "u", ["/"], { policyIds: ["ghost"] })],
        }),
        all,
      ),
    "REFERENCE_MISSING",
    "route/echo",
    /policy "ghost"/,
  );
});

test("POLICY_INVALID: unparseable JWKS, none in algorithms, no key source, HMAC without oct key", () => {
  const cases = [
    { jwksJson: "{not json" },
    { jwksJson: keys.jwksJson, algorithms: ["none"] },
    { jwksJson: keys.jwksJson, algorithms: ["RS256", "NONE"] },
    {},
    { jwksJson: keys.jwksJson, jwksUrl: "https://idp.test/jwks" },
    { jwksJson: keys.jwksJson, algorithms: ["HS256"] },
    { jwksUrl: "https://idp.test/jwks", algorithms: ["HS256"] },
    { jwksUrl: "ftp://idp.test/jwks" },
    { jwksJson: JSON.stringify({ keys: [{ ...keys.jwk, d: "secret" }] }) },
    { jwksJson: keys.jwksJson, algorithms: ["RS257"] },
    { jwksJson: keys.jwksJson, claimsToHeaders: { sub: "Host" } },
    { jwksJson: keys.jwksJson, claimsToHeaders: { sub: "bad header" } },
  ];
  for (const cfg of cases) {
    refused(
      () => compile(snapshot({ policies: [jwtPolicy("jwt-demo", cfg)] }), all),
      "POLICY_INVALID",
      "policy/jwt-demo",
    );
  }
});

test("a POLICY_INVALID message never quotes the key material", () => {
  const secretish = '{"keys":[{"kty":"RSA","n":"SECRET-MATERIAL"';
  try {
    compile(snapshot({ policies: [jwtPolicy("p", { jwksJson: secretish })] }), all);
    assert.fail("should have thrown");
  } catch (err) {
    assert.ok(err instanceof CompileError);
    assert.doesNotMatch(err.message, /SECRET/);
  }
});

test("RESOURCE_INVALID: duplicate ids, bad targets, hosts, paths, methods", () => {
  const u = upstream("u", ["127.0.0.1:1"]);
  refused(() => compile(snapshot({ upstreams: [u, u] }), all), "RESOURCE_INVALID", "upstream/u", /duplicate/);
  refused(() => compile(snapshot({ upstreams: [upstream("p", ["h:0"])] }), all), "RESOURCE_INVALID", "upstream/p");
  for (const host of ["999.999.999.999", "1.2.3.4.5", "1:2:3:4:5:6:7:8:9"])
    refused(
      () => compile(snapshot({ upstreams: [upstream("ip", [`${host}:80`])] }), all),
      "RESOURCE_INVALID",
      "upstream/ip",
    );
  refused(
    () => compile(snapshot({ upstreams: [upstream("w", ["h:80"], { scheme: "ftp" })] }), all),
    "RESOURCE_INVALID",
    "upstream/w",
  );
  const bad = [
    route("r", "u", ["/../x"]),
    route("r", "u", ["no-slash"]),
    route("r", "u", ["/"], { hosts: ["bad host"] }),
    route("r", "u", ["/"], { methods: ["GE T"] }),
  ];
  for (const r of bad) {
    refused(() => compile(snapshot({ upstreams: [u], routes: [r] }), all), "RESOURCE_INVALID", "route/r");
  }
});

test("every policy is checked, even one no route uses (all or nothing)", () => {
  const unused = jwtPolicy("unused", { jwksJson: "[]" });
  refused(() => compile(snapshot({ policies: [unused] }), all), "POLICY_INVALID", "policy/unused");
});

test("compile is pure: the same snapshot compiles twice to independent tables", () => {
  const s = snapshot({ upstreams: [upstream("u", ["127.0.0.1:1"])], routes: [route("r", "u", ["/"])] });
  const a = compile(s, all);
  const b = compile(s, all);
  assert.notEqual(a, b);
  assert.deepEqual([...a.poolKeys], [...b.poolKeys]);
});

test("canary and mirror: route-level only, one of each per route, upstreams checked and followed", () => {
  const canary = (id: string, upstreamId: string) =>
    create(PolicySchema, {
      id,
      name: id,
      config: { case: "canary", value: { splits: [{ upstreamId, weightBp: 1000 }] } },
    });
  const mirror = create(PolicySchema, {
    id: "shadow",
    name: "shadow",
    config: {
      case: "mirror",
      value: { upstreamId: "v3", fraction: 0.5, maxBodyBytes: 10, timeoutMs: 100, maxInFlight: 1 },
    },
  });
  const ups = [
    upstream("a", ["127.0.0.1:9001"]),
    upstream("v2", ["127.0.0.1:9002"]),
    upstream("v3", ["127.0.0.1:9003"]),
  ];
  const base = {
    upstreams: ups,
    policies: [canary("split", "v2"), canary("split2", "v3"), mirror],
    routes: [route("r", "a", ["/r"], { policyIds: ["split", "shadow"], timeouts: { connectMs: 123 } })],
  };
  const table = compile(snapshot(base), all);
  const r = table.routes.get("r")!;
  const alt = r.alternates.get("v2")!;
  assert.equal(alt.upstream, table.upstreams.get("v2"));
  assert.equal(alt.timeouts.connectMs, 123, "the route's timeout overrides apply to the chosen upstream");
  assert.ok(alt.poolSpecs !== null && table.poolKeys.has(alt.poolSpecs[0]!.key));
  assert.equal(r.alternates.has("v3"), false, "a mirror's shadow is not a split target");

  refused(
    () => compile(snapshot({ ...base, routes: [route("r", "a", ["/r"], { policyIds: ["split", "split2"] })] }), all),
    "RESOURCE_INVALID",
    "route/r",
    /one canary/,
  );
  refused(() => compile(snapshot({ ...base, upstreams: ups.slice(0, 2) }), all), "REFERENCE_MISSING", "policy/split2");
  const global = snapshot(base);
  global.globalPolicyIds = ["shadow"];
  refused(() => compile(global, all), "RESOURCE_INVALID", "global_policies", /route-level/);

  // A changed split upstream rebuilds the policy and the route (no stale upstream is kept).
  const next = snapshot({ ...base, upstreams: [ups[0]!, upstream("v2", ["127.0.0.1:9999"]), ups[2]!] });
  next.policies = base.policies;
  next.routes = base.routes;
  const t2 = compile(next, { ...all, previous: table });
  assert.notEqual(t2.policies.get("split"), table.policies.get("split"));
  assert.equal(t2.policies.get("shadow"), table.policies.get("shadow"), "unchanged shadow upstream: reused");
  assert.equal(t2.routes.get("r")!.alternates.get("v2")!.upstream.targets[0]!.port, 9999);
});

test("route path rules: allow_encoded only for escapes refused by default, refuse_encoded only for forwarded ones", () => {
  const u = upstream("u", ["127.0.0.1:1"]);
  const ok = compile(
    snapshot({
      upstreams: [u],
      routes: [
        route("a", "u", ["/a"], {
          allowEncoded: ["%5c", "%0A"],
          refuseEncoded: ["%23", "%3f", ";"],
          maxBodyBytes: 10n,
        }),
        route("b", "u", ["/b"], { allowEncodedSlashes: true, strictTrailingSlash: true }),
      ],
    }),
    all,
  );
  const a = ok.routes.get("a")!;
  assert.deepEqual([...a.allowEncoded].sort(), [0x0a, 0x5c]);
  assert.deepEqual(a.refuseEncoded, ["%23", "%3F", ";"]);
  assert.equal(a.maxBodyBytes, 10);
  assert.equal(ok.routes.get("b")!.maxBodyBytes, null, "unset: the settings' or node's default");
  assert.deepEqual(
    [...(ok.pathOptions.allowEncoded ?? [])].sort(),
    [0x0a, 0x2f, 0x5c],
    "the node reads what any route allows",
  );
  assert.equal(ok.pathOptions.allowEncodedSlashes, true);
  assert.equal(ok.maxBodyBytes, null);
  for (const init of [
    { allowEncoded: ["%23"] },
    { allowEncoded: ["%00"] },
    { allowEncoded: ["5C"] },
    { refuseEncoded: ["%41"] },
    { refuseEncoded: ["%2F"] },
    { refuseEncoded: ["#"] },
    { allowEncoded: ["%0a"], refuseEncoded: ["%0A"] },
  ])
    refused(
      () => compile(snapshot({ upstreams: [u], routes: [route("r", "u", ["/"], init)] }), all),
      "RESOURCE_INVALID",
      "route/r",
      /allow_encoded|refuse_encoded/,
    );
});

test("consumer ids and names are sent as X-Consumer-Id/-Name: header-safe ASCII or RESOURCE_INVALID", () => {
  for (const c of [
    { id: "c1", name: "bad\r\nX-Admin: 1" },
    { id: "c\u00001", name: "ok" },
    { id: "c1", name: " padded" },
    { id: "c1", name: "Jos\u00e9" },
  ])
    refused(
      () => compile(create(SnapshotSchema, { version: 1n, hash: "h", consumers: [c] }), all),
      "RESOURCE_INVALID",
      `consumer/${c.name || c.id}`,
      /X-Consumer/,
    );
});
