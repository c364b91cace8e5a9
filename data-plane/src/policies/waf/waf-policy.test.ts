// The waf policy through the real request loop: a node's compile of real waf policies on the
// bundled CRS rule set, a proxy server and an upstream on loopback; what a client and an operator
// see (status, error body, what reached the upstream, security events, per-route counters).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, test } from "node:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { ecsJson, Redactor, toEcs } from "@palisade/events";
import {
  type Policy,
  PolicySchema,
  type RuleSet,
  RuleSetSchema,
  WafBodyLimitAction,
  WafErrorAction,
  WafMode,
  WafPolicySchema,
} from "@palisade/proto";
import { bundledRuleSetFiles, ruleSetContentHash } from "@palisade/waf";
import { compile } from "../../config/compile.js";
import { WafCache } from "../../config/compile-waf.js";
import { TableHolder } from "../../config/table-holder.js";
import { type SecurityEvent, SecurityEvents } from "../../events/security-events.js";
import { createMetricsRegistry } from "../../telemetry/metrics.js";
import { palisadeEventOf } from "../../telemetry/security-pipeline.js";
import { TrafficStats } from "../../telemetry/traffic-stats.js";
import { WafStats } from "../../telemetry/waf-stats.js";
import { route, snapshot, upstream } from "../../test/fixtures.js";
import { codeOf, type Reply, send, TestProxy, TestUpstream } from "../../test/harness.js";
import { createPolicyResources } from "../registry.js";

/** The bundled rule set (Palisade's engine configuration + CRS v4.28.0) as a node receives it. */
function crsRuleSet(id: string): RuleSet {
  const files = bundledRuleSetFiles();
  return create(RuleSetSchema, {
    id,
    name: id,
    contentHash: ruleSetContentHash(files),
    files: files.map((f) => ({ path: f.path, content: Buffer.from(f.text, "latin1") })),
  });
}

function waf(id: string, init: MessageInitShape<typeof WafPolicySchema> = {}): Policy {
  return create(PolicySchema, {
    id,
    name: id,
    config: { case: "waf", value: create(WafPolicySchema, { ruleSetId: "crs", ...init }) },
  });
}

const app = new TestUpstream("app");
const events = new SecurityEvents({ keepRecent: 1000 });
const stats = new TrafficStats();
const wafStats = new WafStats();
const proxy = new TestProxy({ events, stats });
const HOST = { host: "api.example.test", "user-agent": "palisade-test/1.0", accept: "application/json" };

before(async () => {
  await app.start();
  app.behaviour = (req, res) => {
    if (!req.url.startsWith("/resp/")) return undefined;
    res.setHeader("content-type", "text/html");
    res.end(req.url.includes("leak") ? "<p>You have an error in your SQL syntax; check the manual</p>" : "<p>ok</p>");
    return true;
  };
  const s = snapshot({
    upstreams: [upstream("app", [app.address])],
    policies: [
      waf("waf-block"),
      waf("waf-detect", { mode: WafMode.DETECT }),
      waf("waf-tuned", {
        exclusions: [
          { ruleIds: ["942*"], target: "ARGS:comment", routeIds: ["tuned"] },
          { tags: ["attack-xss"], routeIds: ["tuned"] },
        ],
        secretFields: ["ARGS:card_number"],
      }),
      waf("waf-limit", { requestBodyLimitBytes: 64n }),
      waf("waf-partial", {
        requestBodyLimitBytes: 64n,
        requestBodyLimitAction: WafBodyLimitAction.INSPECT_PARTIAL,
      }),
      waf("waf-resp", { responseInspection: true }),
      waf("waf-open", { errorAction: WafErrorAction.FAIL_OPEN }),
      waf("waf-sampled", { sampleBasisPoints: 1 }),
    ],
    routes: [
      route("block", "app", ["/block"], { policyIds: ["waf-block"] }),
      route("detect", "app", ["/detect"], { policyIds: ["waf-detect"] }),
      route("tuned", "app", ["/tuned"], { policyIds: ["waf-tuned"] }),
      route("untuned", "app", ["/untuned"], { policyIds: ["waf-tuned"] }),
      route("limit", "app", ["/limit"], { policyIds: ["waf-limit"] }),
      route("partial", "app", ["/partial"], { policyIds: ["waf-partial"] }),
      route("resp", "app", ["/resp"], { policyIds: ["waf-resp"] }),
      route("closed", "app", ["/closed"], { policyIds: ["waf-block"] }),
      route("open", "app", ["/open"], { policyIds: ["waf-open"] }),
      route("sampled", "app", ["/sampled"], { policyIds: ["waf-sampled"] }),
      route("plain", "app", ["/plain"]),
    ],
  });
  s.ruleSets = [crsRuleSet("crs")];
  proxy.holder.swap(
    compile(s, {
      policyTypes: new Set(["waf"]),
      resources: createPolicyResources({ wafStats }),
      upstreams: proxy.runtime,
      waf: new WafCache(),
    }),
  );
  await proxy.start();
});

after(async () => {
  await proxy.stop();
  await app.stop();
});

function get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return send(proxy.port, path, { headers: { ...HOST, ...headers } });
}

function post(path: string, body: string, type = "application/x-www-form-urlencoded"): Promise<Reply> {
  return send(proxy.port, path, { method: "POST", body, headers: { ...HOST, "content-type": type } });
}

/** The security events of one request (by its id), once delivered. */
async function eventsOf(r: Reply): Promise<SecurityEvent[]> {
  await new Promise((resolve) => setImmediate(resolve));
  const id = r.headers["x-request-id"] ?? (JSON.parse(r.body) as { error?: { request_id?: string } }).error?.request_id;
  return events.recent().filter((e) => e.requestId === id);
}

const SQLI = "/?id=1%27%20OR%20%271%27%3D%271";

test("block mode: an attack gets 403 WAF_BLOCKED with the event id and no rule detail; nothing reaches the upstream", async () => {
  const before = app.count("/block");
  const r = await get(`/block${SQLI}`);
  assert.equal(r.status, 403);
  assert.equal(codeOf(r), "WAF_BLOCKED");
  const body = JSON.parse(r.body) as { error: Record<string, string> };
  assert.match(body.error.event_id!, /^[0-9a-f-]{36}$/);
  assert.deepEqual(Object.keys(body.error).sort(), ["code", "event_id", "message", "request_id"]);
  assert.doesNotMatch(r.body, /942|sql|OWASP|score/i, "no rule detail on the wire");
  assert.equal(app.count("/block"), before, "nothing reached the upstream");
  const [e, ...more] = await eventsOf(r);
  assert.equal(more.length, 0, "one event per transaction");
  assert.equal(e?.id, body.error.event_id, "the body names the event");
  assert.equal(e?.type, "waf_blocked");
  assert.equal(e?.route, "block");
  assert.equal(e?.policy, "waf-block");
  assert.equal(e?.status, 403);
  assert.equal(e?.code, "WAF_BLOCKED");
  assert.equal(e?.clientAddress, "127.0.0.1");
  const w = e!.waf!;
  assert.equal(w.mode, "block");
  assert.equal(w.action, "deny");
  assert.equal(w.paranoiaLevel, 1);
  assert.equal(w.interruptingRuleId, 949110);
  assert.ok(w.anomalyScore.inbound >= 5, `inbound score ${w.anomalyScore.inbound}`);
  assert.deepEqual(w.threshold, { inbound: 5, outbound: 4 });
  assert.equal(w.ruleset.name, "OWASP_CRS");
  assert.equal(w.ruleset.version, "4.28.0");
  const sqli = w.rules.find((x) => x.id === 942100);
  assert.ok(sqli, `942100 among ${w.rules.map((x) => x.id)}`);
  assert.deepEqual(sqli.matchedVars, ["ARGS:id"]);
  assert.equal(sqli.severity, 2, "CRITICAL");
  assert.ok(sqli.tags.includes("attack-sqli"));
  assert.match(sqli.msg, /SQL Injection/);
});

test("a body that carries the attack is inspected before any byte goes upstream", async () => {
  const before = app.count("/block");
  const r = await post("/block/form", "comment=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E");
  assert.equal(r.status, 403);
  assert.equal(codeOf(r), "WAF_BLOCKED");
  const json = await post(
    "/block/json",
    JSON.stringify({ q: "1' UNION SELECT password FROM users--" }),
    "application/json",
  );
  assert.equal(json.status, 403);
  const [e] = await eventsOf(json);
  assert.ok(
    e?.waf?.rules.some((x) => x.matchedVars.includes("ARGS:json.q")),
    "JSON bodies are flattened as Coraza does",
  );
  assert.equal(app.count("/block"), before);
});

test("benign traffic passes untouched and makes no event", async () => {
  const r = await get("/block/items?page=2&sort=name");
  assert.equal(r.status, 200);
  assert.equal(r.body, "app:GET /block/items?page=2&sort=name");
  const p = await post("/block/items", JSON.stringify({ name: "chair", price: 12 }), "application/json");
  assert.equal(p.status, 200);
  assert.equal(app.seen.at(-1)?.body, JSON.stringify({ name: "chair", price: 12 }), "the body went upstream whole");
  assert.deepEqual(await eventsOf(r), []);
  assert.deepEqual(await eventsOf(p), []);
});

test("a body that does not parse as its content type is blocked (REQBODY_ERROR, rule 200002)", async () => {
  const before = app.count("/block");
  const r = await post("/block/json", '{"a": [1, 2', "application/json");
  assert.equal(r.status, 403);
  assert.equal(codeOf(r), "WAF_BLOCKED");
  const [e] = await eventsOf(r);
  assert.equal(e?.waf?.interruptingRuleId, 200002);
  assert.equal(app.count("/block"), before);
});

test("detect mode: the attack passes, the event says what would have stopped it", async () => {
  const r = await get(`/detect${SQLI}`);
  assert.equal(r.status, 200);
  assert.equal(app.seen.at(-1)?.url, `/detect${SQLI}`);
  const [e] = await eventsOf(r);
  assert.equal(e?.type, "waf_detected");
  assert.equal(e?.code, "");
  assert.equal(e?.status, 200);
  assert.equal(e?.waf?.mode, "detect");
  assert.equal(e?.waf?.action, "pass");
  assert.equal(e?.waf?.interruptingRuleId, 949110, "the rule that would have blocked");
  assert.ok(e?.waf?.rules.some((x) => x.id === 942100));
});

test("exclusions by rule id and target, and by tag, apply on the routes they name only", async () => {
  const comment = "/?comment=1%27%20OR%20%271%27%3D%271";
  assert.equal((await get(`/tuned${comment}`)).status, 200, "942* skip ARGS:comment on this route");
  assert.equal((await get(`/tuned/?q=1%27%20OR%20%271%27%3D%271`)).status, 403, "other arguments still checked");
  assert.equal((await get("/tuned/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")).status, 200, "attack-xss removed");
  assert.equal((await get(`/untuned${comment}`)).status, 403, "the same policy on another route");
  assert.equal((await get("/untuned/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")).status, 403);
});

test("secret values stay out of events: Authorization, cookies and configured fields", async () => {
  const r = await get("/untuned/?card_number=4111111111111111%27%20OR%201%3D1--&q=ok", {
    authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' OR 1=1--",
    cookie: "session=s3cr3t-cookie' UNION SELECT 1--",
  });
  assert.equal(r.status, 403);
  const [e] = await eventsOf(r);
  assert.ok(e?.waf);
  const text = JSON.stringify(e);
  for (const secret of ["4111111111111111", "eyJhbGciOiJIUzI1NiJ9", "s3cr3t-cookie"])
    assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  const names = e.waf.rules.flatMap((x) => x.matchedVars);
  assert.ok(names.includes("ARGS:card_number"), "the variable's name is kept");
  // What the node's security-event pipeline sends the control plane and the SIEM sinks.
  const ecs = ecsJson(toEcs(palisadeEventOf(e), { node: "n1", region: "r1", version: "test" }, new Redactor()));
  for (const secret of ["4111111111111111", "eyJhbGciOiJIUzI1NiJ9", "s3cr3t-cookie"]) assert.ok(!ecs.includes(secret));
  assert.match(ecs, /"action":"waf_blocked"/, "the ECS document of @palisade/events");
});

test("a WAF block reaches the pipeline as a waf event with the request's trace id, and counts as the waf policy's deny", async () => {
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  const deniesBefore = stats.counters().decisions["waf\0deny\0waf_blocked"] ?? 0;
  const r = await get(`/block${SQLI}`, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
  assert.equal(r.status, 403);
  const [e] = await eventsOf(r);
  assert.equal(e?.traceId, traceId);
  const shipped = palisadeEventOf(e!);
  assert.equal(shipped.category, "waf");
  assert.equal(
    shipped.id,
    (JSON.parse(r.body) as { error: { event_id: string } }).error.event_id,
    "the 403's event id",
  );
  const ecs = JSON.parse(ecsJson(toEcs(shipped, { node: "n1", region: "r1", version: "test" }, new Redactor())));
  assert.equal(ecs.trace.id, traceId);
  assert.equal(ecs.event.action, "waf_blocked");
  assert.equal(ecs.palisade.policy.type, "waf");
  assert.equal(stats.counters().decisions["waf\0deny\0waf_blocked"], deniesBefore + 1);
});

test("a body past the inspection limit: 413 by default, or inspected up to the limit", async () => {
  const big = `note=${"a".repeat(200)}`;
  const before = app.count("/limit");
  const r = await post("/limit/x", big);
  assert.equal(r.status, 413);
  assert.equal(codeOf(r), "PAYLOAD_TOO_LARGE");
  assert.equal(app.count("/limit"), before);
  const [e] = await eventsOf(r);
  assert.equal(e?.type, "request_too_large");
  assert.equal(e?.reason, "waf_body_too_large");
  const partial = await post("/partial/x", big);
  assert.equal(partial.status, 200, "inspect-partial passes a clean prefix");
  assert.equal(app.seen.at(-1)?.body, big, "and forwards the whole body");
  const attack = await post("/partial/x", `q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&note=${"a".repeat(200)}`);
  assert.equal(attack.status, 403, "an attack within the inspected prefix is still blocked");
});

test("response inspection: an answer that leaks an SQL error is replaced by 403", async () => {
  assert.equal((await get("/resp/fine")).status, 200);
  const r = await get("/resp/leak");
  assert.equal(r.status, 403);
  assert.equal(codeOf(r), "WAF_BLOCKED");
  assert.doesNotMatch(r.body, /SQL syntax/);
  const [e] = await eventsOf(r);
  assert.ok((e?.waf?.anomalyScore.outbound ?? 0) >= 4, "outbound score at the threshold");
  assert.ok(e?.waf?.rules.some((x) => x.matchedVars.includes("RESPONSE_BODY")));
});

/**
 * Makes rule 920100's operator (the request line's format: it reads REQUEST_LINE on every request
 * at PL1) throw once, in a route's real compiled rule set: a fault injected into the engine.
 */
function breakEngineOnce(routeId: string): void {
  const rules = proxy.holder.table!.routes.get(routeId)!.waf!.rules;
  // The engine calls evaluateValue when an operator has one (values with their cached forms), else evaluate.
  const op = rules.rule(920100)!.operator as unknown as {
    evaluate: (...args: unknown[]) => boolean;
    evaluateValue?: (...args: unknown[]) => boolean;
  };
  const real = op.evaluate;
  const realValue = op.evaluateValue;
  const fail = (): boolean => {
    op.evaluate = real;
    if (realValue) op.evaluateValue = realValue;
    throw new Error("injected engine fault");
  };
  op.evaluate = fail;
  if (realValue) op.evaluateValue = fail;
}

test("an engine exception fails closed by default (500 WAF_ERROR), open when configured; counted and recorded", async () => {
  breakEngineOnce("closed");
  const before = app.count("/closed");
  const r = await get("/closed/x");
  assert.equal(r.status, 500);
  assert.equal(codeOf(r), "WAF_ERROR");
  assert.equal(app.count("/closed"), before);
  const [e] = await eventsOf(r);
  assert.equal(e?.type, "waf_error");
  assert.equal(e?.waf?.action, "deny");
  assert.match(e?.waf?.error ?? "", /WAF_ENGINE_ERROR rule 920100/);
  assert.doesNotMatch(r.body, /injected|920100/, "no engine detail on the wire");
  breakEngineOnce("open");
  const open = await get("/open/x");
  assert.equal(open.status, 200, "fail open: the request goes on uninspected");
  const [o] = await eventsOf(open);
  assert.equal(o?.type, "waf_error");
  assert.equal(o?.waf?.action, "pass");
  assert.equal((await get("/closed/y")).status, 200, "the node keeps serving");
});

test("sampling: a request sampled out passes uninspected and is counted", async () => {
  const random = Math.random;
  Math.random = () => 0.999;
  try {
    assert.equal((await get(`/sampled${SQLI}`)).status, 200);
  } finally {
    Math.random = random;
  }
  Math.random = () => 0;
  try {
    assert.equal((await get(`/sampled${SQLI}`)).status, 403, "sampled in: inspected");
  } finally {
    Math.random = random;
  }
  const c = wafStats.wafRaw().find((x) => x.routeId === "sampled");
  assert.equal(c?.sampledOut, 1);
  assert.equal(c?.inspected, 1);
});

test("per-route counters and the traffic counters the rollout gate reads", async () => {
  const raw = wafStats.wafRaw();
  const block = raw.find((x) => x.routeId === "block")!;
  assert.equal(block.policyId, "waf-block");
  assert.ok(block.blocked >= 4, `blocked ${block.blocked}`);
  assert.ok(block.inspected > block.blocked);
  assert.equal(block.detected, 0);
  const hits = block.rules.find(([id]) => id === 942100);
  assert.ok(hits !== undefined && hits[1] >= 1 && hits[2] >= 1, "942100 hit, while blocking");
  const detect = raw.find((x) => x.routeId === "detect")!;
  assert.equal(detect.detected, 1);
  assert.equal(detect.blocked, 0);
  const closed = raw.find((x) => x.routeId === "closed")!;
  assert.equal(closed.engineErrors, 1);
  assert.ok(raw.find((x) => x.routeId === "limit")!.bodyOverLimit >= 1);
  assert.equal(
    raw.find((x) => x.routeId === "plain"),
    undefined,
    "a route without a WAF is not counted",
  );
  const counted = stats.counters().securityEvents;
  assert.ok((counted.waf_blocked ?? 0) >= 6, `waf_blocked ${counted.waf_blocked}`);
  assert.ok((counted.waf_detected ?? 0) >= 1);
  assert.equal(counted.waf_error, 2);
});

test("the node's palisade_waf_* metrics: outcomes per route, blocks by rule group, rule hits, inspection time; promtool accepts them", async () => {
  const text = await createMetricsRegistry({
    stats,
    holder: new TableHolder(),
    controlPlaneConnected: () => true,
    waf: wafStats,
  }).metrics();
  const value = (series: string) => {
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };
  const raw = wafStats.wafRaw();
  for (const route of ["block", "detect", "closed"]) {
    const r = raw.find((x) => x.routeId === route)!;
    const outcome = (o: string) => value(`palisade_waf_transactions_total{route="${route}",outcome="${o}"}`);
    assert.equal(outcome("blocked"), r.blocked, route);
    assert.equal(outcome("detected"), r.detected, route);
    assert.equal(outcome("error"), r.engineErrors, route);
    assert.equal(
      outcome("blocked") + outcome("detected") + outcome("error") + outcome("pass"),
      r.inspected,
      `${route}: every inspected request has one outcome`,
    );
  }
  assert.equal(value('palisade_waf_transactions_total{route="detect",outcome="detected"}'), 1);
  assert.equal(value('palisade_waf_transactions_total{route="closed",outcome="error"}'), 1);
  assert.ok(value('palisade_waf_blocks_total{route="block",rule_group="attack-sqli"}') >= 1);
  const block = raw.find((x) => x.routeId === "block")!;
  assert.equal(
    block.blockGroups.reduce((n, [, k]) => n + k, 0),
    block.blocked,
    "each block counted under one rule group",
  );
  const hits942100 = raw.reduce((n, r) => n + (r.rules.find(([id]) => id === 942100)?.[1] ?? 0), 0);
  assert.ok(hits942100 >= 1);
  assert.equal(value('palisade_waf_rule_hits_total{rule_id="942100"}'), hits942100);
  assert.doesNotMatch(
    text,
    /rule_id="(?!9\d{5}"|210\d{3}"|other")/,
    "rule ids bounded to CRS, Palisade's own and other",
  );
  const inspected = raw.reduce((n, r) => n + r.inspected, 0);
  assert.equal(value("palisade_waf_inspection_duration_seconds_count"), inspected);
  assert.equal(value('palisade_waf_inspection_duration_seconds_bucket{le="+Inf"}'), inspected);
  assert.ok(value("palisade_waf_inspection_duration_seconds_sum") > 0);
  const lint = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  assert.equal(lint.error, undefined, "promtool is installed by npm test (Debian package prometheus)");
  assert.equal(lint.status, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);
});
