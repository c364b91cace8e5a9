import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type EcsSecurityEvent, type ObserverInfo, toEcs } from "./ecs.js";
import { ecsJson } from "./ecs-json.js";
import {
  exampleAnomaly,
  exampleConfig,
  exampleDecision,
  exampleEvents,
  examplePolicyDenials,
  exampleWaf,
} from "./examples.js";
import { Redactor } from "./redact.js";

const observer: ObserverInfo = { node: "node-1", region: "eu-west", version: "0.1.0", configVersion: "42" };
const red = new Redactor();

// ECS 8.11 "ECS Categorization Fields": allowed values, and the event.type values each
// event.category allows.
const KINDS = ["alert", "asset", "enrichment", "event", "metric", "state", "pipeline_error", "signal"];
const TYPES_BY_CATEGORY: Record<string, string[]> = {
  authentication: ["start", "end", "info"],
  configuration: ["access", "change", "creation", "deletion", "info"],
  intrusion_detection: ["allowed", "denied", "info"],
  network: ["access", "allowed", "connection", "denied", "end", "info", "protocol", "start"],
  web: ["access", "error", "info"],
};

function walk(v: unknown, path: string, visit: (path: string, v: unknown) => void): void {
  visit(path, v);
  if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`, visit);
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, visit);
}

describe("toEcs", () => {
  for (const e of exampleEvents()) {
    it(`${e.category}/${"type" in e ? e.type : e.action}: ECS categorization values are allowed ones`, () => {
      const d = toEcs(e, observer, red);
      assert.ok(KINDS.includes(d.event.kind));
      assert.ok(["success", "failure", "unknown"].includes(d.event.outcome));
      for (const c of d.event.category) assert.ok(TYPES_BY_CATEGORY[c], `category ${c} is one we check`);
      for (const t of d.event.type) {
        assert.ok(
          d.event.category.some((c) => TYPES_BY_CATEGORY[c]!.includes(t)),
          `event.type ${t} is allowed by one of ${d.event.category.join(",")}`,
        );
      }
      assert.equal(d.event.id, e.id);
      assert.equal(d["@timestamp"], new Date(e.time).toISOString());
      assert.equal(d.observer.name, "node-1");
      assert.equal(d.labels.region, "eu-west");
      assert.equal(d.log.syslog.severity.code, d.event.severity);
      assert.ok(d.message.length > 0);
      // Wazuh's JSON decoder reads no array of objects: every array holds scalars.
      walk(d, "$", (p, v) => {
        if (Array.isArray(v)) for (const x of v) assert.notEqual(typeof x, "object", `${p} holds scalars only`);
      });
    });
  }

  it("a policy denial carries the request, the policy as rule.*, the consumer and trace as labels and trace.id", () => {
    const e = examplePolicyDenials().find((x) => x.type === "access_denied")!;
    const d = toEcs(e, observer, red);
    assert.deepEqual(d.source, { ip: "203.0.113.7", port: 51234 });
    assert.deepEqual(d.client, { ip: "203.0.113.7", port: 51234 });
    assert.deepEqual(d.url, { path: "/api/orders", domain: "api.example.com" });
    assert.deepEqual(d.http, {
      request: { method: "GET", id: "7f9c2a1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b" },
      response: { status_code: 403 },
    });
    assert.deepEqual(d.rule, {
      id: "jwt-orders",
      name: "claim_rule_failed",
      category: "jwt",
      ruleset: "palisade-policies",
      version: "42",
    });
    assert.deepEqual(d.labels, { node: "node-1", region: "eu-west", route: "orders", consumer: "mobile-app" });
    assert.deepEqual(d.trace, { id: "4bf92f3577b34da6a3ce929d0e0e4736" });
    assert.equal(d.event.action, "access_denied");
    assert.equal(d.event.code, "AUTH_FORBIDDEN");
    assert.equal(d.event.outcome, "failure");
    assert.equal(d.palisade.category, "policy_denial");
    assert.equal(d.palisade.reason, "claim_rule_failed");
  });

  it("default severities: notice for a denial, error when keys are unreachable, informational for CORS", () => {
    const sev = Object.fromEntries(examplePolicyDenials().map((e) => [e.type, toEcs(e, observer, red).event.severity]));
    assert.equal(sev.authentication_failed, 5);
    assert.equal(sev.auth_unavailable, 3);
    assert.equal(sev.cors_rejected, 6);
    assert.equal(toEcs({ ...exampleConfig("rejected"), severity: 2 }, observer, red).event.severity, 2);
  });

  it("a blocked WAF match is an alert with every rule id, message, tag and matched variable name; the interrupting rule is rule.*", () => {
    const d = toEcs(exampleWaf("deny"), observer, red);
    assert.equal(d.event.kind, "alert");
    assert.equal(d.event.action, "waf_blocked");
    assert.deepEqual(d.event.type, ["denied", "access"]);
    // The most severe matched rule: both are CRITICAL (2) in CRS.
    assert.equal(d.event.severity, 2);
    assert.deepEqual(d.rule, {
      id: "949110",
      name: "Inbound Anomaly Score Exceeded (Total Score: 10)",
      category: "attack-sqli",
      ruleset: "OWASP_CRS",
      version: "4.28.0",
    });
    const w = d.palisade.waf!;
    assert.deepEqual(w.rule_ids, [942100, 949110]);
    assert.deepEqual(w.rule_severities, ["critical", "critical"]);
    assert.ok(w.tags.includes("attack-sqli"));
    assert.deepEqual(w.matched_vars, ["ARGS:q", "TX:BLOCKING_INBOUND_ANOMALY_SCORE"]);
    assert.deepEqual(w.anomaly_score, { inbound: 10, outbound: 0 });
    assert.equal(w.interrupting_rule_id, 949110);
    assert.equal(w.mode, "block");
    assert.equal(d.url?.query, "q=1%27%20or%20%271%27%3D%271");
  });

  it("a detect-mode WAF match is allowed, its rule the most severe one, at the rule's severity", () => {
    const d = toEcs(exampleWaf("pass"), observer, red);
    assert.equal(d.event.action, "waf_detected");
    assert.deepEqual(d.event.type, ["allowed", "access"]);
    assert.equal(d.event.outcome, "success");
    assert.equal(d.event.severity, 2);
    assert.equal(d.rule?.id, "942100");
    assert.equal(d.rule?.category, "attack-sqli");
  });

  it("an anomaly about an address puts it in source.ip (so SIEM rules can correlate it with that client's WAF hits)", () => {
    const d = toEcs(exampleAnomaly(), observer, red);
    assert.equal(d.source?.ip, "203.0.113.7");
    assert.equal(d.rule?.name, "brute_force");
    assert.equal(d.palisade.anomaly?.explanation, "41 failed logins/min from 203.0.113.7 on route login, baseline 0.2");
    const dec = toEcs(exampleDecision("deny"), observer, red);
    assert.equal(dec.event.action, "client_denied");
    assert.equal(dec.source?.ip, "203.0.113.7");
    assert.equal(dec.palisade.decision?.ttl_s, 600);
  });

  it("a detect-mode decision says what would have been done: info, outcome unknown, would_deny, never denied", () => {
    const d = toEcs(exampleDecision("deny", { enforced: false }), observer, red);
    assert.equal(d.event.action, "would_deny");
    assert.deepEqual(d.event.type, ["info"]);
    assert.equal(d.event.outcome, "unknown");
    assert.equal(d.palisade.decision?.enforced, false);
    assert.match(
      d.message,
      /^would have denied address 203\.0\.113\.7 for 600 s \(detection, detect mode: not enforced\)/,
    );
    const t = toEcs(exampleDecision("throttle", { enforced: false }), observer, red);
    assert.equal(t.event.action, "would_throttle");
    assert.deepEqual(t.event.type, ["info"]);
    const enforced = toEcs(exampleDecision("deny"), observer, red);
    assert.deepEqual([enforced.event.type, enforced.event.outcome], [["denied"], "success"]);
  });

  it("config events: applied is informational, a NACK an error with its detail, last-known-good a warning", () => {
    const a = toEcs(exampleConfig("applied"), observer, red);
    const r = toEcs(exampleConfig("rejected"), observer, red);
    const l = toEcs(exampleConfig("last_known_good"), observer, red);
    assert.deepEqual([a.event.action, a.event.severity], ["config_applied", 6]);
    assert.deepEqual([r.event.action, r.event.severity, r.event.outcome], ["config_rejected", 3, "failure"]);
    assert.equal(r.palisade.config?.detail, "policy jwt-orders: remote JWKS URL is not https");
    assert.deepEqual([l.event.action, l.event.severity], ["config_last_known_good", 4]);
  });
});

describe("ecsJson", () => {
  it("is ASCII: characters above U+007E are \\u escapes and the JSON parses back to the same document", () => {
    const e = { ...examplePolicyDenials()[0]!, route: "bestellungen-übersicht", request: null };
    const doc = toEcs(e, observer, red);
    const json = ecsJson(doc);
    assert.ok(/^[\x20-\x7e]*$/.test(json), "printable ASCII only");
    assert.ok(json.includes("\\u00fc"));
    assert.deepEqual(JSON.parse(json), doc);
  });

  it("a document over the limit is shortened to valid JSON under it, marked truncated, identity fields kept", () => {
    const big = exampleWaf("deny");
    const many = Array.from({ length: 60 }, (_, i) => ({ ...big.rules[0]!, id: 942000 + i, logdata: "x".repeat(900) }));
    const rules = [...many, big.rules[1]!];
    const doc = toEcs({ ...big, rules }, observer, red);
    const full = ecsJson(doc);
    assert.ok(full.length > 8192);
    const json = ecsJson(doc, 4096);
    assert.ok(json.length <= 4096, `${json.length} bytes`);
    const back = JSON.parse(json) as EcsSecurityEvent;
    assert.equal(back.palisade.truncated, true);
    assert.equal(back.event.id, big.id);
    assert.equal(back.rule?.id, "949110");
    assert.equal(back.source?.ip, "203.0.113.7");
  });
});
