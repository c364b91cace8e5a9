// Admin API: WAF policies (issue 14), rule sets, publish-time compile, rule lookup and delivery.
import assert from "node:assert/strict";
import { test } from "node:test";
import { create, fromBinary } from "@bufbuild/protobuf";
import { NodeReportSchema, PolicySchema, RuleSetSchema, WafMode } from "@palisade/proto";
import { wafCompileStats } from "../config/policies/waf/validate.js";
import { Publisher } from "../config/publisher.js";
import { FleetRegistry } from "../fleet/fleet-registry.js";
import { testAdminApi } from "../test/admin-app.js";

const upstream = { name: "up", targets: [{ host: "127.0.0.1", port: 9000 }] };

/** A tiny rule set: two rules, one with a data file, Palisade's engine configuration added by the control plane. */
const tinyRules = (extra = "") => ({
  name: "tiny",
  files: [
    {
      path: "rules/a.conf",
      content:
        `SecRule ARGS "@rx attack" "id:100,phase:2,deny,status:403,msg:'attack word',tag:'attack-test'"\n` +
        `SecRule ARGS "@pmFromFile words.data" "id:101,phase:2,deny,status:403,msg:'bad word',tag:'attack-test'"\n${extra}`,
    },
    { path: "rules/words.data", content_base64: Buffer.from("union\nselect\n").toString("base64") },
  ],
});

/** An app with an upstream and routes `echo` and `login`. */
async function app() {
  const t = await testAdminApi();
  assert.equal((await t.call("POST", "/v1/upstreams", upstream)).status, 201);
  for (const name of ["echo", "login"])
    assert.equal((await t.call("POST", "/v1/routes", { name, paths: [`/${name}`], upstream: "up" })).status, 201);
  return t;
}

test("the bundled CRS is rule set crs-4.28.0, read-only, listed without its contents", async () => {
  const { call } = await app();
  const list = (await call("GET", "/v1/rule-sets")).body.items;
  assert.equal(list.length, 1);
  const crs = list[0];
  assert.equal(crs.name, "crs-4.28.0");
  assert.deepEqual([crs.bundled, crs.default, crs.crs_version], [true, true, "4.28.0"]);
  assert.match(crs.content_hash, /^[0-9a-f]{64}$/);
  assert.ok(crs.rules > 500, `${crs.rules} rules`);
  assert.ok(crs.bytes > 800_000);
  assert.ok(crs.files.some((f: { path: string }) => f.path === "rules/REQUEST-942-APPLICATION-ATTACK-SQLI.conf"));
  assert.ok(!JSON.stringify(crs).includes("SecRule"), "no file contents in the listing");
  const put = await call("PUT", "/v1/rule-sets/crs-4.28.0", tinyRules());
  assert.deepEqual([put.status, put.body.error.code], [409, "RULE_SET_READ_ONLY"]);
  const del = await call("DELETE", "/v1/rule-sets/crs-4.28.0");
  assert.deepEqual([del.status, del.body.error.code], [409, "RULE_SET_READ_ONLY"]);
});

test("a waf policy defaults to the bundled rule set and publishes it once, with the policy's settings", async () => {
  const { call, publisher } = await app();
  const created = await call("POST", "/v1/policies", {
    name: "waf-pl1",
    type: "waf",
    config: {
      mode: "detect",
      paranoia_level: 2,
      crs_setup: { allowed_methods: ["GET", "POST"], max_num_args: 100 },
      exclusions: [{ rule_ids: ["942*"], target: "ARGS:password", routes: ["login"] }],
      sample_percent: 12.5,
      secret_fields: ["ARGS:password"],
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const crs = (await call("GET", "/v1/rule-sets/crs-4.28.0")).body;
  assert.equal(created.body.config.rule_set, crs.id);
  const login = (await call("GET", "/v1/routes/login")).body;
  assert.deepEqual(created.body.config.exclusions[0].routes, [login.id]);
  assert.deepEqual((await call("GET", "/v1/rule-sets/crs-4.28.0")).body.used_by, ["waf-pl1"]);
  await call("PUT", "/v1/routes/echo", { name: "echo", paths: ["/echo"], upstream: "up", policies: ["waf-pl1"] });
  const v = await call("POST", "/v1/config/versions", { message: "waf" });
  assert.equal(v.status, 201, JSON.stringify(v.body));
  const published = publisher.latest()!;
  assert.ok(published.features.includes("waf") && published.features.includes("rule_sets"));
  const ruleSets = [...published.resources.values()].filter((e) => e.key.startsWith("rule_sets/"));
  assert.equal(ruleSets.length, 1);
  const rs = fromBinary(RuleSetSchema, ruleSets[0]!.body);
  assert.deepEqual([rs.id, rs.name, rs.contentHash], [crs.id, "crs-4.28.0", crs.content_hash]);
  const policy = [...published.resources.values()].find((e) => e.key.startsWith("policies/"))!;
  const waf = fromBinary(PolicySchema, policy.body).config;
  assert.equal(waf.case, "waf");
  if (waf.case !== "waf") return;
  assert.deepEqual(
    [waf.value.ruleSetId, waf.value.mode, waf.value.paranoiaLevel, waf.value.sampleBasisPoints],
    [crs.id, WafMode.DETECT, 2, 1250],
  );
  assert.deepEqual(waf.value.exclusions[0]!.routeIds, [login.id]);
  // The versions view shows the rule set's files by size and digest, not their contents.
  const shown = (await call("GET", `/v1/config/versions/${v.body.version}`)).body.snapshot;
  const file = shown.ruleSets[0].files.find((f: { path: string }) => f.path === "palisade-engine.conf");
  assert.ok(file.bytes > 0 && /^[0-9a-f]{64}$/.test(file.sha256) && file.content === undefined);
  // The draft view is the same snapshot the publish made.
  assert.equal((await call("GET", "/v1/config/draft")).body.hash, published.hash);
});

test("bad waf configs answer 400 naming the field, and nothing is stored", async () => {
  const { call } = await app();
  const p = (config: unknown) => ({ name: "w", type: "waf", config });
  const cases: Array<[unknown, string, string]> = [
    [p({ paranoia_level: 5 }), "VALIDATION_FAILED", "config.paranoia_level"],
    [p({ paranoia_level: 3, detection_paranoia_level: 2 }), "VALIDATION_FAILED", "config.detection_paranoia_level"],
    [p({ mode: "learn" }), "VALIDATION_FAILED", "config.mode"],
    [p({ rule_set: "nope" }), "REFERENCE_NOT_FOUND", "config.rule_set"],
    [p({ exclusions: [{ target: "ARGS:password" }] }), "VALIDATION_FAILED", "config.exclusions.0"],
    [p({ exclusions: [{ rule_ids: ["942100", "999999"] }] }), "VALIDATION_FAILED", "config.exclusions.0.rule_ids.1"],
    [p({ exclusions: [{ rule_ids: ["94x"] }] }), "VALIDATION_FAILED", "config.exclusions.0.rule_ids.0"],
    [p({ exclusions: [{ tags: ["attack-sqlx"] }] }), "VALIDATION_FAILED", "config.exclusions.0.tags.0"],
    [
      p({ exclusions: [{ rule_ids: ["942*"], target: "NOPE:password" }] }),
      "VALIDATION_FAILED",
      "config.exclusions.0.target",
    ],
    [
      p({ exclusions: [{ rule_ids: ["942*"], target: "ARGS:/(a/" }] }),
      "VALIDATION_FAILED",
      "config.exclusions.0.target",
    ],
    [
      p({ exclusions: [{ rule_ids: ["942*"], routes: ["nope"] }] }),
      "REFERENCE_NOT_FOUND",
      "config.exclusions.0.routes.0",
    ],
    [p({ secret_fields: ["WHAT"] }), "VALIDATION_FAILED", "config.secret_fields.0"],
    [p({ sample_percent: 0 }), "VALIDATION_FAILED", "config.sample_percent"],
    [p({ sample_percent: 12.345 }), "VALIDATION_FAILED", "config.sample_percent"],
    [p({ crs_setup: { allowed_methods: ["get"] } }), "VALIDATION_FAILED", "config.crs_setup.allowed_methods.0"],
    [p({ request_body_limit_action: "drop" }), "VALIDATION_FAILED", "config.request_body_limit_action"],
  ];
  for (const [body, code, field] of cases) {
    const r = await call("POST", "/v1/policies", body);
    assert.deepEqual([r.status, r.body.error?.code, r.body.error?.field], [400, code, field], JSON.stringify(body));
  }
  assert.deepEqual((await call("GET", "/v1/policies")).body.items, []);
});

test("a rule set that does not compile is refused with the file, line and rule id; nothing is written", async () => {
  const { call } = await app();
  const bad = tinyRules(`\nSecRule ARGS "@rx (?<=a)b" "id:102,phase:2,deny"\n`);
  const r = await call("POST", "/v1/rule-sets", bad);
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, "RULE_SET_INVALID");
  assert.equal(r.body.error.field, "files.0");
  assert.deepEqual(r.body.error.rule, { code: "SECLANG_REGEX_UNSUPPORTED", file: "rules/a.conf", line: 4, id: 102 });
  const syntax = await call("POST", "/v1/rule-sets", tinyRules(`SecRule ARGS "@rx a" "id:103,phase:2,pasz"`));
  assert.deepEqual(
    [syntax.body.error.code, syntax.body.error.rule.code, syntax.body.error.rule.line, syntax.body.error.rule.id],
    ["RULE_SET_INVALID", "SECLANG_UNKNOWN_ACTION", 3, 103],
  );
  const path = await call("POST", "/v1/rule-sets", { name: "x", files: [{ path: "../etc/passwd", content: "" }] });
  assert.deepEqual([path.status, path.body.error.field], [400, "files.0.path"]);
  const data = await call("POST", "/v1/rule-sets", {
    name: "x",
    files: [{ path: "rules/a.conf", content: `SecRule ARGS "@pmFromFile missing.data" "id:1,phase:2,deny"` }],
  });
  assert.deepEqual([data.body.error.code, data.body.error.rule.code], ["RULE_SET_INVALID", "SECLANG_DATA_FILE"]);
  assert.deepEqual(
    (await call("GET", "/v1/rule-sets")).body.items.map((x: { name: string }) => x.name),
    ["crs-4.28.0"],
  );
});

test("an uploaded rule set runs its policies; a change that breaks one of them, and deleting it while used, are refused", async () => {
  const { call } = await app();
  const up = await call("POST", "/v1/rule-sets", { ...tinyRules(), description: "test rules" });
  assert.equal(up.status, 201, JSON.stringify(up.body));
  assert.deepEqual(
    up.body.files.map((f: { path: string }) => f.path),
    ["palisade-engine.conf", "rules/a.conf", "rules/words.data"],
    "the control plane's engine configuration is added",
  );
  assert.equal(up.body.rules > 2, true);
  const pol = await call("POST", "/v1/policies", {
    name: "tiny-waf",
    type: "waf",
    config: { rule_set: "tiny", exclusions: [{ rule_ids: ["101"], target: "ARGS:q" }] },
  });
  assert.equal(pol.status, 201, JSON.stringify(pol.body));
  const without101 = {
    name: "tiny",
    files: [{ path: "rules/a.conf", content: `SecRule ARGS "@rx attack" "id:100,phase:2,deny,status:403"` }],
  };
  const put = await call("PUT", "/v1/rule-sets/tiny", without101);
  assert.deepEqual([put.status, put.body.error.field], [400, "files"]);
  assert.match(put.body.error.message, /waf policy tiny-waf: no rule of rule set tiny has id 101/);
  const del = await call("DELETE", "/v1/rule-sets/tiny");
  assert.deepEqual([del.status, del.body.error.code], [409, "RESOURCE_IN_USE"]);
  // A route an exclusion is scoped to cannot go while the exclusion names it.
  await call("PUT", "/v1/policies/tiny-waf", {
    name: "tiny-waf",
    type: "waf",
    config: { rule_set: "tiny", exclusions: [{ rule_ids: ["101"], routes: ["login"] }] },
  });
  const route = await call("DELETE", "/v1/routes/login");
  assert.deepEqual([route.status, route.body.error.code], [409, "RESOURCE_IN_USE"]);
  assert.match(route.body.error.message, /waf policy tiny-waf/);
});

test("one WAF per request: a route takes one waf policy, the global policies one", async () => {
  const { call } = await app();
  for (const name of ["w1", "w2"]) await call("POST", "/v1/policies", { name, type: "waf", config: {} });
  const route = await call("PUT", "/v1/routes/echo", {
    name: "echo",
    paths: ["/echo"],
    upstream: "up",
    policies: ["w1", "w2"],
  });
  assert.deepEqual([route.status, route.body.error.field], [400, "policies.1"]);
  const global = await call("PUT", "/v1/settings", { global_policies: ["w1", "w2"] });
  assert.deepEqual([global.status, global.body.error.field], [400, "global_policies.1"]);
  assert.equal((await call("PUT", "/v1/settings", { global_policies: ["w1"] })).status, 200);
  assert.equal(
    (await call("PUT", "/v1/routes/echo", { name: "echo", paths: ["/echo"], upstream: "up", policies: ["w2"] })).status,
    200,
    "a route's own waf policy beside the global one: it replaces the global one on that route",
  );
});

test("publishing compiles each waf policy once per rule set and settings; a broken rule set is refused at publish", async () => {
  const { call, store, publisher } = await app();
  await call("POST", "/v1/rule-sets", tinyRules());
  await call("POST", "/v1/policies", { name: "tw", type: "waf", config: { rule_set: "tiny", paranoia_level: 1 } });
  await call("PUT", "/v1/routes/echo", { name: "echo", paths: ["/echo"], upstream: "up", policies: ["tw"] });
  const before = { ...wafCompileStats };
  assert.equal((await call("POST", "/v1/config/versions", {})).status, 201);
  await call("PUT", "/v1/routes/login", { name: "login", paths: ["/login", "/signin"], upstream: "up" });
  assert.equal((await call("POST", "/v1/config/versions", {})).status, 201);
  assert.equal(wafCompileStats.compiles, before.compiles, "the policy's compile at write is reused at publish");
  // The rule set changes under the policy without the API (a restored database, another engine):
  // the publish compiles it and refuses, naming the policy and the rule.
  const tiny = (await store.getResource("rule-sets", "tiny"))!;
  const files = (tiny.body.files as Array<{ path: string; content_base64: string }>).map((f) =>
    f.path === "rules/a.conf"
      ? {
          path: f.path,
          content_base64: Buffer.from(`SecRule ARGS "@rx (?=x)" "id:100,phase:2,deny"`).toString("base64"),
        }
      : f,
  );
  await store.updateResource("rule-sets", tiny.id, "tiny", { ...tiny.body, files, content_hash: "f".repeat(64) });
  const latest = publisher.latest()!.version;
  const refused = await call("POST", "/v1/config/versions", {});
  assert.equal(refused.status, 400);
  assert.deepEqual(
    [refused.body.error.code, refused.body.error.field, refused.body.error.rule],
    [
      "RULE_SET_INVALID",
      "policies.tw.config.rule_set",
      { code: "SECLANG_REGEX_UNSUPPORTED", file: "rules/a.conf", line: 1, id: 100 },
    ],
  );
  assert.equal(publisher.latest()!.version, latest, "no version was written");
});

test("a one-route change with a waf policy in the config is a delta without the rule set", async () => {
  const { call, publisher } = await app();
  await call("POST", "/v1/policies", { name: "w", type: "waf", config: {} });
  await call("PUT", "/v1/routes/echo", { name: "echo", paths: ["/echo"], upstream: "up", policies: ["w"] });
  await call("POST", "/v1/config/versions", {});
  const v1 = publisher.latest()!;
  const full = publisher.planFor({ version: 0, hash: "" });
  assert.equal(full.kind, "full");
  const fullBytes = full.kind === "full" ? full.resources.reduce((n, r) => n + r.body.length, 0) : 0;
  assert.ok(fullBytes > 900_000, `a full update carries the rule set (${fullBytes} bytes)`);
  await call("PUT", "/v1/routes/login", { name: "login", paths: ["/login", "/signin"], upstream: "up" });
  await call("POST", "/v1/config/versions", {});
  const plan = publisher.planFor({ version: v1.version, hash: v1.hash });
  assert.equal(plan.kind, "delta");
  if (plan.kind !== "delta") return;
  const bytes = plan.changed.reduce((n, r) => n + r.body.length, 0);
  assert.deepEqual(
    plan.changed.map((r) => r.field),
    [4],
    "only the route travels",
  );
  assert.ok(bytes < 200, `${bytes} bytes`);
  // Two of the five resources change (more than half of them by count, not by bytes): still a delta.
  await call("PUT", "/v1/routes/login", { name: "login", paths: ["/login"], upstream: "up" });
  await call("PUT", "/v1/routes/echo", { name: "echo", paths: ["/echo", "/e"], upstream: "up", policies: ["w"] });
  await call("PUT", "/v1/upstreams/up", { ...upstream, targets: [{ host: "127.0.0.1", port: 9001 }] });
  await call("POST", "/v1/config/versions", {});
  const three = publisher.planFor({ version: v1.version, hash: v1.hash });
  assert.equal(three.kind, "delta");
  // The rule set leaves the config with its last policy.
  await call("PUT", "/v1/routes/echo", { name: "echo", paths: ["/echo"], upstream: "up" });
  await call("DELETE", "/v1/policies/w");
  await call("POST", "/v1/config/versions", {});
  assert.deepEqual(
    [...publisher.latest()!.resources.keys()].filter((k) => k.startsWith("rule_sets/")),
    [],
  );
  assert.ok(!publisher.latest()!.features.includes("rule_sets"));
});

test("rule lookup: by id prefix, by words of the message or a tag", async () => {
  const { call } = await app();
  const byId = (await call("GET", "/v1/rule-sets/crs-4.28.0/rules?q=942100")).body;
  assert.equal(byId.items[0].id, 942100);
  assert.equal(byId.items[0].paranoia_level, 1);
  assert.equal(byId.items[0].file, "rules/REQUEST-942-APPLICATION-ATTACK-SQLI.conf");
  const family = (await call("GET", "/v1/rule-sets/crs-4.28.0/rules?q=9421&limit=5")).body;
  assert.equal(family.items.length, 5);
  assert.ok(family.total > 5 && family.items.every((r: { id: number }) => String(r.id).startsWith("9421")));
  const words = (await call("GET", "/v1/rule-sets/crs-4.28.0/rules?q=sql%20libinjection")).body;
  assert.ok(words.items.some((r: { id: number }) => r.id === 942100));
  const tag = (await call("GET", "/v1/rule-sets/crs-4.28.0/rules?q=attack-xss")).body;
  assert.ok(
    tag.total > 10 &&
      tag.items.every((r: { tags: string[] }) => r.tags.some((t) => t.toLowerCase().includes("attack-xss"))),
  );
  assert.equal((await call("GET", "/v1/rule-sets/nope/rules")).status, 404);
  assert.equal((await call("GET", "/v1/rule-sets/crs-4.28.0/rules?limit=0")).body.error.field, "limit");
});

test("WAF figures by route: every node's interval counts summed, top rules with their message", async () => {
  const fleet = new FleetRegistry();
  const t = await testAdminApi({ fleet });
  await t.call("POST", "/v1/upstreams", upstream);
  await t.call("POST", "/v1/policies", { name: "w", type: "waf", config: {} });
  const echo = (await t.call("POST", "/v1/routes", { name: "echo", paths: ["/echo"], upstream: "up", policies: ["w"] }))
    .body;
  const w = (await t.call("GET", "/v1/policies/w")).body;
  const report = (inspected: number, blocked: number, rules: Array<[number, number]>) =>
    create(NodeReportSchema, {
      intervalMs: 5000,
      waf: [
        {
          routeId: echo.id,
          policyId: w.id,
          inspected: BigInt(inspected),
          matched: BigInt(blocked),
          blocked: BigInt(blocked),
          rules: rules.map(([ruleId, hits]) => ({ ruleId, hits: BigInt(hits), blocking: BigInt(hits) })),
          otherRuleHits: 1n,
        },
      ],
    });
  for (const n of ["a", "b"]) fleet.connected(n, "eu", 5000);
  fleet.report(
    "a",
    "eu",
    report(100, 3, [
      [942100, 3],
      [949110, 3],
    ]),
  );
  fleet.report("a", "eu", report(50, 1, [[942100, 1]]));
  fleet.report(
    "b",
    "eu",
    report(10, 2, [
      [941100, 2],
      [949110, 2],
    ]),
  );
  const r = (await t.call("GET", "/v1/security/waf?window_s=60")).body;
  assert.equal(r.nodes, 2);
  assert.equal(r.routes.length, 1);
  const route = r.routes[0];
  assert.deepEqual(
    [route.route_name, route.policy_name, route.inspected, route.blocked, route.nodes, route.other_rule_hits],
    ["echo", "w", 160, 6, 2, 3],
  );
  assert.deepEqual(
    route.top_rules.map((x: { id: number; hits: number }) => [x.id, x.hits]),
    [
      [949110, 5],
      [942100, 4],
      [941100, 2],
    ],
  );
  assert.match(route.top_rules[1].msg, /libinjection/);
  assert.equal((await t.call("GET", "/v1/security/waf?window_s=5")).body.error.field, "window_s");
});

test("after a control plane restart, a one-route change is still a delta without the rule set", async () => {
  const first = await app();
  await first.call("POST", "/v1/policies", { name: "w", type: "waf", config: {} });
  await first.call("PUT", "/v1/routes/echo", { name: "echo", paths: ["/echo"], upstream: "up", policies: ["w"] });
  await first.call("POST", "/v1/config/versions", {});
  const v1 = first.publisher.latest()!;
  // A new process over the same database: versions are decoded from the store.
  const again = await testAdminApi({ store: first.store, publisher: await Publisher.open(first.store) });
  await again.call("PUT", "/v1/routes/login", { name: "login", paths: ["/login", "/signin"], upstream: "up" });
  assert.equal((await again.call("POST", "/v1/config/versions", {})).status, 201);
  const plan = again.publisher.planFor({ version: v1.version, hash: v1.hash });
  assert.equal(plan.kind, "delta");
  if (plan.kind !== "delta") return;
  assert.deepEqual(
    plan.changed.map((r) => r.field),
    [4],
  );
});
