import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { after, test } from "node:test";
import { TestCa } from "@palisade/test-support";
import { POLICY_CONFIG_SCHEMAS } from "../config/policies/policy-types.js";
import { bundledRuleSetName } from "../config/rule-sets.js";
import { testAdminApi } from "../test/admin-app.js";

const ca = new TestCa();
after(() => ca.dispose());
const leaf = ca.issue(["api.test"]);
const hmac = randomBytes(32).toString("base64url");
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" });

/** One policy of every type this control plane accepts, each with a secret where the type has one. */
const POLICIES = [
  {
    name: "idp",
    type: "jwt",
    config: {
      jwks: {
        keys: [
          { ...rsa, kid: "r1" },
          { kty: "oct", k: hmac, kid: "h1" },
        ],
      },
      algorithms: ["RS256", "HS256"],
      claims_to_headers: { sub: "X-User" },
    },
  },
  { name: "keys", type: "api-key", config: { header: "X-Api-Key" } },
  { name: "certs", type: "mtls", config: { ca_pem: ca.certPem } },
  {
    name: "intro",
    type: "introspection",
    config: { endpoint: "https://as.example/introspect", client_id: "gw", client_secret: "hunter2-hunter2" },
  },
  { name: "either", type: "auth-any", config: { policies: ["keys", "idp"] } },
  { name: "office", type: "ip-restriction", config: { allow: ["10.0.0.0/8"] } },
  {
    name: "limit",
    type: "rate-limit",
    config: {
      limits: [{ requests: 100, per: "minute" }],
      scope: "cluster",
      redis: { host: "127.0.0.1", port: 6379, password: "redis-pass-123" },
    },
  },
  { name: "size", type: "request-size", config: { max_body_bytes: 1024 } },
  { name: "cors", type: "cors", config: { allow_origins: ["https://app.example.com"] } },
  { name: "sec", type: "headers", config: { set: { "X-Frame-Options": "DENY" } } },
  { name: "split", type: "canary", config: { splits: [{ upstream: "v2", weight: 5 }] } },
  { name: "shadow", type: "mirror", config: { upstream: "v2", fraction: 0.1 } },
  // The bundled CRS, defaults spelled out (the canonical form leaves them out).
  { name: "shield", type: "waf", config: { mode: "block", paranoia_level: 1, detection_paranoia_level: 1 } },
  {
    name: "tuned",
    type: "waf",
    config: { rule_set: "tiny", mode: "detect", exclusions: [{ rule_ids: ["101"], target: "ARGS:q" }] },
  },
];

/** SIEM sinks with secrets (a TLS key, a webhook header value) and redaction names. */
const TELEMETRY = {
  siem_sinks: [
    {
      name: "soc",
      syslog: { address: "siem.example:6514", protocol: "tls", tls: { key_pem: leaf.keyPem, cert_pem: leaf.certPem } },
    },
    { name: "hook", webhook: { url: "https://hook.example/in", headers: { Authorization: "Bearer hook-secret-42" } } },
  ],
  secret_headers: ["x-session"],
  trace_export: {
    endpoint: "http://otel.example:4318/v1/traces",
    sample_ratio: 0.5,
    headers: { Authorization: "Bearer trace-secret-9" },
  },
  trace_export_overrides: [{ selector: { regions: ["eu"] }, trace_export: { sample_ratio: 1 } }],
};

/** A rule set of our own (two rules), for the `tuned` waf policy. */
const TINY_RULES = [
  `SecRule ARGS "@rx attack" "id:100,phase:2,deny,status:403"`,
  `SecRule ARGS "@rx evil" "id:101,phase:2,deny,status:403"`,
].join("\n");

/** A draft with every resource kind and every policy type, through the API as an operator makes it. */
async function fullDraft() {
  const t = await testAdminApi();
  const ok = async (method: "POST" | "PUT", url: string, body: unknown) => {
    const r = await t.call(method, url, body);
    assert.ok(r.status < 300, `${url} ${r.text}`);
    return r.body;
  };
  await ok("POST", "/v1/upstreams", {
    name: "v1",
    targets: [{ host: "10.0.0.1", port: 80, weight: 100 }],
    scheme: "http",
  });
  await ok("POST", "/v1/upstreams", {
    name: "v2",
    targets: [{ host: "10.0.0.2", port: 443 }],
    scheme: "https",
    tls: { verify: true },
  });
  await ok("POST", "/v1/rule-sets", {
    name: "tiny",
    description: "ours",
    files: [{ path: "rules/a.conf", content: TINY_RULES }],
  });
  for (const p of POLICIES) await ok("POST", "/v1/policies", p);
  await ok("POST", "/v1/certificates", {
    name: "api",
    snis: ["api.test"],
    cert_pem: leaf.certPem,
    key_pem: leaf.keyPem,
  });
  await ok("POST", "/v1/consumers", { name: "alice", tags: ["b", "a"] });
  await ok("POST", "/v1/consumers/alice/credentials", { type: "jwt", issuer: "https://idp", subject: "alice" });
  await ok("POST", "/v1/consumers/alice/credentials", { type: "client-cert", san_dns: "Alice.Example" });
  const key = await ok("POST", "/v1/consumers/alice/credentials", { type: "api-key" });
  await ok("POST", "/v1/routes", {
    name: "orders",
    paths: [{ prefix: "/orders" }, { exact: "/orders-index" }],
    methods: ["POST", "GET"],
    upstream: "v1",
    policies: ["idp", "office", "limit", "split", "shadow"],
    strip_prefix: false,
  });
  await ok("POST", "/v1/routes", {
    name: "open",
    hosts: ["b.example", "a.example"],
    upstream: "v2",
    policies: ["either", "sec", "tuned"],
  });
  // The global WAF, with an exclusion scoped to a route (a reference a file writes by name).
  await ok("PUT", "/v1/policies/shield", {
    ...POLICIES.find((p) => p.name === "shield"),
    config: { exclusions: [{ rule_ids: ["942*"], target: "ARGS:q", routes: ["orders"] }] },
  });
  await ok("PUT", "/v1/settings", { global_policies: ["cors", "size", "shield"], merge_slashes: false });
  await ok("PUT", "/v1/telemetry", TELEMETRY);
  const orders = (await t.call("GET", "/v1/routes/orders")).body;
  await ok("PUT", "/v1/anomalies/config", {
    enabled: true,
    mode: "enforce",
    thresholds: { routes: { [orders.id]: { bruteForce: { minPerMin: 5 } } } },
    allow: { cidrs: ["10.0.0.0/8"] },
  });
  return { ...t, keyId: key.id as string, ordersId: orders.id as string };
}

test("dump → sync → diff: every kind and policy type round-trips with no difference, secrets never leave", async () => {
  const t = await fullDraft();
  assert.deepEqual(
    [...new Set(POLICIES.map((p) => p.type))].sort(),
    Object.keys(POLICY_CONFIG_SCHEMAS).sort(),
    "the test covers every policy type",
  );
  const dump = await t.call("GET", "/v1/config/dump");
  assert.equal(dump.status, 200);
  for (const secret of [
    "hunter2-hunter2",
    "redis-pass-123",
    "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTA",
    leaf.keyPem.split("\n")[1]!,
    "hook-secret-42",
    "trace-secret-9",
  ])
    assert.ok(!dump.text.includes(secret), "a secret in the dump");
  const doc = dump.body;
  assert.deepEqual(Object.keys(doc), [
    "rule-sets",
    "upstreams",
    "certificates",
    "policies",
    "consumers",
    "routes",
    "settings",
    "telemetry",
    "anomaly",
  ]);
  // Sink secrets [redacted] as GET /v1/telemetry shows them; route thresholds by route name.
  assert.deepEqual(doc.telemetry.siem_sinks[1].webhook.headers, { Authorization: "[redacted]" });
  assert.equal(doc.telemetry.siem_sinks[0].syslog.tls.key_pem, "[redacted]");
  assert.deepEqual(doc.anomaly, {
    allow: { cidrs: ["10.0.0.0/8"] },
    enabled: true,
    mode: "enforce",
    thresholds: { routes: { orders: { bruteForce: { minPerMin: 5 } } } },
  });
  // A rule set by its hash (the bundled CRS is never part of a file); waf references by name.
  assert.deepEqual(doc["rule-sets"], [
    {
      name: "tiny",
      description: "ours",
      content_hash: (await t.store.getResource("rule-sets", "tiny"))!.body.content_hash,
    },
  ]);
  assert.deepEqual(doc.policies.find((p: { name: string }) => p.name === "shield").config, {
    exclusions: [{ rule_ids: ["942*"], target: "ARGS:q", routes: ["orders"] }],
  });
  assert.equal(doc.policies.find((p: { name: string }) => p.name === "tuned").config.rule_set, "tiny");
  const orders = doc.routes.find((r: { name: string }) => r.name === "orders");
  assert.deepEqual(orders, {
    name: "orders",
    paths: ["/orders", { exact: "/orders-index" }],
    methods: ["GET", "POST"],
    upstream: "v1",
    policies: ["idp", "office", "limit", "split", "shadow"],
  });
  assert.deepEqual(doc.settings, { global_policies: ["cors", "size", "shield"] });
  assert.deepEqual(doc.upstreams[0], { name: "v1", targets: [{ host: "10.0.0.1", port: 80 }] });

  const sync = await t.call("POST", "/v1/config/sync", { document: doc, prune: true });
  assert.equal(sync.status, 200, sync.text);
  assert.deepEqual(
    sync.body.counts,
    { create: 0, update: 0, delete: 0, unchanged: 24 },
    JSON.stringify(sync.body.changes.filter((c: { action: string }) => c.action !== "unchanged")),
  );
  assert.equal(sync.body.changed, false);
  // The secrets are still the server's (a dumped [redacted] keeps them).
  const snap = (await t.call("POST", "/v1/config/versions", {})).status;
  assert.equal(snap, 201);
  const stored = (await t.store.getResource("policies", "intro"))!.body.config as { client_secret: string };
  assert.equal(stored.client_secret, "hunter2-hunter2");
  assert.deepEqual(await t.store.getSettings("telemetry"), TELEMETRY);
  assert.equal(
    (await t.call("GET", "/v1/audit?kind=config/sync")).body.items.length,
    0,
    "a sync that changed nothing is not audited",
  );

  // A hand-written file that spells defaults out and orders sets differently is the same config.
  const spelled = structuredClone(doc);
  spelled.upstreams[0] = {
    name: "v1",
    scheme: "http",
    load_balancing: "round_robin",
    targets: [{ host: "10.0.0.1", port: 80, weight: 100 }],
  };
  const o = spelled.routes.find((r: { name: string }) => r.name === "orders");
  Object.assign(o, {
    methods: ["POST", "GET"],
    paths: [{ prefix: "/orders" }, { exact: "/orders-index" }],
    strip_prefix: false,
    priority: 0,
  });
  spelled.consumers[0] = { ...spelled.consumers[0], disabled: false, labels: {}, tags: ["b", "a"] };
  spelled.settings = { global_policies: ["cors", "size", "shield"], merge_slashes: false };
  // The rule set's files (what palisadectl reads from its directory) are the same hash.
  spelled["rule-sets"][0] = {
    name: "tiny",
    description: "ours",
    files: [{ path: "rules/a.conf", content: TINY_RULES }],
  };
  const shield = spelled.policies.find((p: { name: string }) => p.name === "shield");
  shield.config = {
    ...shield.config,
    rule_set: bundledRuleSetName(),
    sample_percent: 100,
    error_action: "fail_closed",
  };
  spelled.telemetry.siem_sinks[1].disabled = false;
  spelled.anomaly.thresholds.routes = { orders: { bruteForce: { minPerMin: 5 } } };
  const intro = spelled.policies.find((p: { name: string }) => p.name === "intro");
  intro.config = { ...intro.config, auth_method: "client_secret_basic", cache: true };
  const diff = await t.call("POST", "/v1/config/sync", { document: spelled, prune: true, dry_run: true });
  assert.deepEqual(
    diff.body.counts,
    { create: 0, update: 0, delete: 0, unchanged: 24 },
    JSON.stringify(diff.body.changes.filter((c: { action: string }) => c.action !== "unchanged")),
  );
});

test("sync makes the draft equal to the file; a file with an error changes nothing; dry runs write nothing", async () => {
  const t = await fullDraft();
  const doc = (await t.call("GET", "/v1/config/dump")).body;
  doc.upstreams.push({ name: "v3", targets: [{ host: "10.0.0.3", port: 80 }] });
  doc.routes = doc.routes.filter((r: { name: string }) => r.name !== "open");
  doc.routes.push({ name: "bad", paths: ["/bad"], upstream: "nowhere" });
  const before = (await t.call("GET", "/v1/config/dump")).text;
  const refused = await t.call("POST", "/v1/config/sync", { document: doc, prune: true });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error.code, "REFERENCE_NOT_FOUND");
  assert.equal(refused.body.error.resource, "routes/bad");
  assert.equal(refused.body.error.field, "upstream");
  assert.equal((await t.call("GET", "/v1/config/dump")).text, before, "nothing was written (v3 neither)");

  doc.routes.pop();
  const dry = await t.call("POST", "/v1/config/sync", { document: doc, prune: true, dry_run: true });
  assert.equal(dry.status, 200, dry.text);
  assert.deepEqual(
    dry.body.changes
      .filter((c: { action: string }) => c.action !== "unchanged")
      .map((c: { kind: string; name: string; action: string }) => `${c.action} ${c.kind}/${c.name}`),
    ["create upstreams/v3", "delete routes/open"],
  );
  assert.equal((await t.call("GET", "/v1/config/dump")).text, before);
  const real = await t.call("POST", "/v1/config/sync", { document: doc, prune: true });
  assert.equal(real.body.changed, true);
  assert.equal((await t.call("GET", "/v1/routes/open")).status, 404);
  assert.equal((await t.call("GET", "/v1/audit?kind=config/sync")).body.items.length, 1);
  // An update of a resource whose secret the file keeps as [redacted] keeps the stored secret.
  const edited = structuredClone(doc);
  edited.policies.find((p: { name: string }) => p.name === "intro").config.client_id = "gw2";
  const kept = await t.call("POST", "/v1/config/sync", { document: edited });
  assert.equal(kept.status, 200, kept.text);
  assert.deepEqual((await t.store.getResource("policies", "intro"))!.body.config, {
    endpoint: "https://as.example/introspect",
    client_id: "gw2",
    client_secret: "hunter2-hunter2",
  });
  await t.call("POST", "/v1/config/sync", { document: doc });
  // A secret a file gives in clear is an update, but the plan never shows it.
  const clear = structuredClone(doc);
  clear.policies.find((p: { name: string }) => p.name === "intro").config.client_secret = "another-secret-42";
  const plan = await t.call("POST", "/v1/config/sync", { document: clear, dry_run: true });
  assert.deepEqual(plan.body.counts.update, 1);
  assert.ok(!plan.text.includes("another-secret-42"), "a secret in the plan");
  // A section with an error (a sink address without a port, an anomaly threshold out of range):
  // nothing of the file is written, and the answer names the section and the field.
  const now = (await t.call("GET", "/v1/config/dump")).text;
  for (const [section, body, field] of [
    [
      "telemetry",
      { siem_sinks: [{ name: "soc", syslog: { address: "siem.example", protocol: "udp" } }] },
      "siem_sinks.0.syslog.address",
    ],
    [
      "anomaly",
      { enabled: true, thresholds: { routes: { orders: { bruteForce: { minPerMin: -1 } } } } },
      "anomaly.thresholds.routes.orders.bruteForce.minPerMin",
    ],
  ] as const) {
    const bad = { ...structuredClone(doc), [section]: body };
    bad.upstreams.push({ name: "v4", targets: [{ host: "10.0.0.4", port: 80 }] });
    const r = await t.call("POST", "/v1/config/sync", { document: bad, prune: true });
    assert.equal(r.status, 400, r.text);
    assert.deepEqual(
      [r.body.error.code, r.body.error.resource, r.body.error.field],
      ["VALIDATION_FAILED", section, field],
    );
    assert.equal((await t.call("GET", "/v1/config/dump")).text, now, `${section}: nothing was written`);
  }
  // An unused policy goes with prune; a policy still used cannot.
  const inUse = structuredClone(doc);
  inUse.policies = inUse.policies.filter((p: { name: string }) => p.name !== "office");
  const r = await t.call("POST", "/v1/config/sync", { document: inUse, prune: true, force: true });
  assert.equal(r.body.error.code, "RESOURCE_IN_USE");
  assert.equal(r.body.error.resource, "policies/office");
  // With prune, a file without the sections returns them to their defaults (no sink, detection off).
  const bare = structuredClone(doc);
  delete bare.telemetry;
  delete bare.anomaly;
  const reset = await t.call("POST", "/v1/config/sync", { document: bare, prune: true });
  assert.deepEqual(
    reset.body.changes.map((c: { kind: string; action: string }) => `${c.action} ${c.kind}`),
    ["update telemetry", "update anomaly"],
  );
  assert.deepEqual([await t.store.getSettings("telemetry"), await t.store.getSettings("anomaly")], [{}, {}]);
});

test("taking a JWT or another auth policy off a route needs force (409 PROTECTION_REMOVED naming each)", async () => {
  const t = await fullDraft();
  const doc = (await t.call("GET", "/v1/config/dump")).body;
  const orders = doc.routes.find((r: { name: string }) => r.name === "orders");
  delete orders.policies;
  doc.settings = {};
  const refused = await t.call("POST", "/v1/config/sync", { document: doc });
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, "PROTECTION_REMOVED");
  assert.deepEqual(refused.body.error.removals, [
    { resource: "routes/orders", policy: "idp", type: "jwt" },
    { resource: "settings", policy: "shield", type: "waf" },
  ]);
  assert.equal(((await t.store.getResource("routes", "orders"))!.body.policies as string[]).length, 5);
  const forced = await t.call("POST", "/v1/config/sync", { document: doc, force: true });
  assert.equal(forced.status, 200, forced.text);
  assert.deepEqual(forced.body.changes.find((c: { name: string }) => c.name === "orders").removed, ["policies"]);
  assert.equal((await t.store.getResource("routes", "orders"))!.body.policies, undefined);
});

test("a whole file on an empty control plane: rule sets need their files, waf exclusions may name the file's routes", async () => {
  const t = await fullDraft();
  const doc = (await t.call("GET", "/v1/config/dump")).body;
  const fresh = await testAdminApi();
  // API keys are listed by the id of an existing key: a new control plane has none.
  for (const c of doc.consumers) c.credentials = c.credentials.filter((x: { type: string }) => x.type !== "api-key");
  // Secrets are [redacted] in a dump; a new control plane has none to keep.
  doc.policies = doc.policies.filter((p: { name: string }) => !["idp", "intro", "limit", "either"].includes(p.name));
  doc.routes.find((r: { name: string }) => r.name === "orders").policies = ["office", "split", "shadow"];
  doc.routes.find((r: { name: string }) => r.name === "open").policies = ["sec", "tuned"];
  doc.certificates = [];
  delete doc.telemetry;
  const byHash = await fresh.call("POST", "/v1/config/sync", { document: doc, prune: true });
  assert.deepEqual(
    [byHash.status, byHash.body.error.code, byHash.body.error.resource, byHash.body.error.field],
    [400, "VALIDATION_FAILED", "rule-sets/tiny", "files"],
  );
  assert.equal(await fresh.store.getResource("upstreams", "v1"), undefined, "nothing was written");
  // A dumped secret on a control plane that holds none is refused, never stored as "[redacted]".
  const intro = (await t.call("GET", "/v1/config/dump")).body.policies.find(
    (p: { name: string }) => p.name === "intro",
  );
  const secretless = await fresh.call("POST", "/v1/config/sync", { document: { policies: [intro] } });
  assert.deepEqual(
    [secretless.status, secretless.body.error.resource, secretless.body.error.field],
    [400, "policies/intro", "config.client_secret"],
  );
  assert.equal(await fresh.store.getResource("policies", "intro"), undefined);
  doc["rule-sets"][0] = { name: "tiny", files: [{ path: "rules/a.conf", content: TINY_RULES }] };
  const r = await fresh.call("POST", "/v1/config/sync", { document: doc, prune: true, force: true });
  assert.equal(r.status, 200, r.text);
  const shield = (await fresh.call("GET", "/v1/policies/shield")).body;
  assert.deepEqual(shield.config.exclusions[0].routes, [(await fresh.store.getResource("routes", "orders"))!.id]);
  // The bundled rule set is the control plane's: a file cannot write it.
  const bundled = await fresh.call("POST", "/v1/config/sync", {
    document: { "rule-sets": [{ name: bundledRuleSetName(), files: [{ path: "rules/a.conf", content: TINY_RULES }] }] },
  });
  assert.deepEqual([bundled.status, bundled.body.error.code], [409, "RULE_SET_READ_ONLY"]);
  // A prune that drops a waf policy and the route its exclusion scopes goes through.
  doc.routes = doc.routes.filter((r: { name: string }) => r.name !== "orders");
  doc.policies = doc.policies.filter((p: { name: string }) => p.name !== "shield");
  doc.settings = { global_policies: ["cors", "size"] };
  const pruned = await fresh.call("POST", "/v1/config/sync", { document: doc, prune: true, force: true });
  assert.equal(pruned.status, 200, pruned.text);
  assert.equal(await fresh.store.getResource("policies", "shield"), undefined);
});

test("a sync needs each change's own permission; a prefix-bound token syncs only its routes", async () => {
  const t = await fullDraft();
  const mint = async (body: object) =>
    (await t.call("POST", "/v1/tokens", { name: "x", ...body })).body.token as string;
  const doc = (await t.call("GET", "/v1/config/dump")).body;
  const viewer = await mint({ role: "viewer" });
  assert.equal(
    (await t.call("POST", "/v1/config/sync", { document: doc, dry_run: true }, { token: viewer })).status,
    200,
    "a no-op plan needs no write",
  );
  doc.upstreams[0].targets[0].port = 81;
  const r = await t.call("POST", "/v1/config/sync", { document: doc }, { token: viewer });
  assert.equal(r.status, 403);
  assert.equal(r.body.error.permission, "upstreams:write");
  const sec = await mint({ role: "security" });
  doc.upstreams[0].targets[0].port = 80;
  doc.policies.find((p: { name: string }) => p.name === "sec").config.set["X-Frame-Options"] = "SAMEORIGIN";
  assert.equal(
    (await t.call("POST", "/v1/config/sync", { document: doc }, { token: sec })).body.error.permission,
    "policies/headers:write",
  );
  const orders = await mint({ role: "operator", route_prefixes: ["/orders"] });
  const mine = { routes: [{ name: "more", paths: ["/orders/more"], upstream: "v1" }] };
  assert.equal((await t.call("POST", "/v1/config/sync", { document: mine }, { token: orders })).status, 200);
  const theirs = { routes: [{ name: "more2", paths: ["/users"], upstream: "v1" }] };
  assert.equal(
    (await t.call("POST", "/v1/config/sync", { document: theirs }, { token: orders })).body.error.code,
    "SCOPE_DENIED",
  );
});
