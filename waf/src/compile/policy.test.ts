import { deepStrictEqual, ok, throws } from "node:assert/strict";
import { test } from "node:test";
import type { RequestInput } from "../engine/input.js";
import { policySecLang } from "./policy.js";
import { compileWaf } from "./waf.js";

const form = (body: string): [RequestInput, string] => [
  {
    method: "POST",
    target: "/login",
    protocol: "HTTP/1.1",
    headers: [
      ["Host", "api.example.test"],
      ["User-Agent", "curl/8.5.0"],
      ["Accept", "*/*"],
      ["Content-Type", "application/x-www-form-urlencoded"],
      ["Content-Length", String(body.length)],
    ],
    remoteAddress: "203.0.113.50",
    remotePort: 40000,
  },
  body,
];

test("policy options become crs-setup SecActions and exclusion directives", () => {
  const { setup, exclusions } = policySecLang({
    mode: "detect",
    paranoiaLevel: 2,
    inboundAnomalyThreshold: 10,
    allowedMethods: ["GET", "POST", "PUT"],
    restrictedHeaders: ["proxy", "x-http-method-override"],
    requestBodyLimit: 65536,
    requestBodyLimitAction: "inspect-partial",
    exclusions: [{ ruleIds: ["942*"], target: "ARGS:password" }, { tags: ["attack-xss"] }, { ruleIds: ["920350"] }],
  });
  ok(setup.includes("SecRuleEngine DetectionOnly"));
  ok(setup.includes("setvar:'tx.blocking_paranoia_level=2'"));
  ok(setup.includes("setvar:'tx.inbound_anomaly_score_threshold=10'"));
  ok(setup.includes("setvar:'tx.allowed_methods=GET POST PUT'"));
  ok(setup.includes("setvar:'tx.restricted_headers_basic=/proxy/ /x-http-method-override/'"));
  ok(setup.includes("SecRequestBodyLimitAction ProcessPartial"));
  deepStrictEqual(exclusions.trim().split("\n"), [
    'SecRuleUpdateTargetById 942000-942999 "!ARGS:password"',
    "SecRuleRemoveByTag attack-xss",
    "SecRuleRemoveById 920350",
  ]);
});

for (const [options, field] of [
  [{ paranoiaLevel: 5 }, "paranoiaLevel"],
  [{ paranoiaLevel: 3, detectionParanoiaLevel: 2 }, "detectionParanoiaLevel"],
  [{ allowedMethods: ["GET", "BAD METHOD"] }, "allowedMethods"],
  [{ exclusions: [{ ruleIds: ["94x"] }] }, "exclusions.0.ruleIds"],
  [{ exclusions: [{ ruleIds: ["942100"], target: 'ARGS:a" "id:1' }] }, "exclusions.0.target"],
  [{ exclusions: [{}] }, "exclusions.0"],
] as const)
  test(`a bad policy option is refused naming ${field}`, () => {
    throws(
      () => policySecLang(options),
      (e: Error & { code?: string }) => e.code === "WAF_OPTIONS" && e.message.startsWith(field),
    );
  });

test("an exclusion by rule family and target (ARGS:password for 942*) lets that argument through, not others", () => {
  const rs = compileWaf({ exclusions: [{ ruleIds: ["942*"], target: "ARGS:password" }] });
  const run = (body: string) => {
    const [req, b] = form(body);
    const tx = rs.newTransaction(req);
    return tx.processRequestHeaders() ?? tx.processRequestBody(b);
  };
  deepStrictEqual(run("user=eve&password=x%27%20OR%201%3D1--"), null);
  deepStrictEqual(run("user=x%27%20OR%201%3D1--&password=secret")?.status, 403);
});

test("detect mode reports what block mode stops", () => {
  const [req, body] = form("q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
  const block = compileWaf({ mode: "block" }).newTransaction(req);
  deepStrictEqual((block.processRequestHeaders() ?? block.processRequestBody(body))?.ruleId, 949110);
  const detect = compileWaf({ mode: "detect" }).newTransaction(req);
  deepStrictEqual(detect.processRequestHeaders() ?? detect.processRequestBody(body), null);
  deepStrictEqual(detect.detectedInterruption?.ruleId, 949110);
  ok(detect.anomalyScores().inbound >= 5);
});
