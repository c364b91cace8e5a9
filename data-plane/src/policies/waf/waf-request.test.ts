// The request a waf policy hands the engine, checked on the policy's own hooks with a real
// compiled rule set (the bundled CRS): what CRS's protocol rules see of the request line and Host.
import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { PolicySchema, RuleSetSchema, WafPolicySchema } from "@palisade/proto";
import { bundledRuleSetFiles, ruleSetContentHash } from "@palisade/waf";
import { compileRuleSets, compileWaf, WafCache } from "../../config/compile-waf.js";
import { TestExchange, type TestRequestInit } from "../test-request.js";
import { createWafPolicy } from "./waf-policy.js";

const cache = new WafCache();
const files = bundledRuleSetFiles();
const ruleSets = compileRuleSets(
  [
    create(RuleSetSchema, {
      id: "crs",
      name: "crs",
      contentHash: ruleSetContentHash(files),
      files: files.map((f) => ({ path: f.path, content: Buffer.from(f.text, "latin1") })),
    }),
  ],
  undefined,
  cache,
);
const message = create(PolicySchema, {
  id: "waf",
  name: "waf",
  config: { case: "waf", value: create(WafPolicySchema, { ruleSetId: "crs", mode: 2 }) },
});
const policy = createWafPolicy(compileWaf(message, ruleSets, cache).forRoute("r"), null);

/** The rule ids a request matched (detect mode: every phase runs, the event lists them). */
function matched(init: TestRequestInit): number[] {
  const ex = new TestExchange(init);
  assert.equal(policy.requestHeaders!(ex), undefined);
  assert.equal(policy.requestBody!(ex, Buffer.alloc(0), true), undefined);
  policy.log!(Object.assign(ex, { status: 200, errorCode: undefined }) as never);
  return ex.events.flatMap((e) => e.waf?.rules.map((r) => r.id) ?? []);
}

const CLIENT = { "user-agent": "curl/8.5.0", accept: "*/*" };

test("an HTTP/2 request's :authority is its Host (no 920280 'missing Host' on every HTTP/2 request)", () => {
  assert.deepEqual(matched({ httpVersion: "2.0", host: "api.example.test", headers: CLIENT }), []);
});

test("an HTTP/1.0 request without Host is still seen without one", () => {
  assert.ok(matched({ httpVersion: "1.0", headers: CLIENT }).includes(920280));
});

test("the raw request-target is what the engine reads: an encoded attack in the query is found", () => {
  const ids = matched({
    path: "/search",
    query: "?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    headers: { ...CLIENT, host: "api.example.test" },
  });
  assert.ok(ids.includes(941100), String(ids));
});
