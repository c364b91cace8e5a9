import { deepStrictEqual, ok } from "node:assert/strict";
import { test } from "node:test";
import { compileRuleSet } from "../compile/compiler.js";
import type { Operator } from "../operators/operator.js";
import type { RequestInput } from "./input.js";

const compile = (text: string) => compileRuleSet([{ file: "t.conf", text }]);
const get = (target: string, headers: Array<[string, string]> = [["Host", "example.test"]]): RequestInput => ({
  method: "GET",
  target,
  protocol: "HTTP/1.1",
  headers,
  remoteAddress: "203.0.113.7",
  remotePort: 5000,
});

test("deny interrupts with its status in On mode; DetectionOnly reports the same match and lets it pass", () => {
  const rules = 'SecRule ARGS:q "@rx attack" "id:1,phase:1,deny,status:403,msg:\'bad %{MATCHED_VAR_NAME}\'"';
  const on = compile(`SecRuleEngine On\n${rules}`).newTransaction(get("/?q=attack"));
  deepStrictEqual(on.processRequestHeaders(), { action: "deny", status: 403, ruleId: 1, phase: 1 });
  deepStrictEqual(on.processRequestBody(), { action: "deny", status: 403, ruleId: 1, phase: 1 });
  deepStrictEqual(on.matchedRules[0]!.msg, "bad ARGS:q");
  const detect = compile(`SecRuleEngine DetectionOnly\n${rules}`).newTransaction(get("/?q=attack"));
  deepStrictEqual(detect.processRequestHeaders(), null);
  deepStrictEqual(detect.detectedInterruption?.ruleId, 1);
  deepStrictEqual(
    detect.matchedRules.map((r) => r.id),
    [1],
  );
});

test("setvar =, +=, -=, ! and macros; &TX counts; TX keys are case-insensitive", () => {
  const tx = compile(`
SecAction "id:1,phase:1,pass,nolog,setvar:tx.score=5,setvar:tx.score=+3,setvar:tx.score=-1,setvar:tx.gone=1,setvar:!tx.gone,setvar:'tx.copy=%{TX.SCORE}'"
SecRule &TX:gone "@eq 0" "id:2,phase:1,pass,setvar:tx.none_left=yes"`).newTransaction(get("/"));
  tx.processRequestHeaders();
  deepStrictEqual(
    [tx.txValue("score"), tx.txValue("copy"), tx.txValue("gone"), tx.txValue("none_left")],
    ["7", "7", undefined, "yes"],
  );
});

test("capture sets TX:0–9; logdata expands them at match time", () => {
  const tx = compile(
    `SecRule REQUEST_HEADERS:User-Agent "@rx (\\w+)/(\\d+)" "id:1,phase:1,pass,capture,logdata:'%{TX.0} %{tx.1} %{TX.2}'"`,
  ).newTransaction(get("/", [["User-Agent", "curl/8"]]));
  tx.processRequestHeaders();
  deepStrictEqual(tx.matchedRules[0]!.logdata, "curl/8 curl 8");
});

test("chain: every link must match; MATCHED_VARS holds the previous link's matches", () => {
  const rs = compile(`
SecRule ARGS "@rx a" "id:1,phase:1,pass,chain"
  SecRule MATCHED_VARS "@rx b" "setvar:tx.hit=1"`);
  const both = rs.newTransaction(get("/?x=ab&y=a"));
  both.processRequestHeaders();
  deepStrictEqual(both.txValue("hit"), "1");
  deepStrictEqual(
    both.matchedRules[0]!.matches.map((m) => m.name),
    ["ARGS:x", "ARGS:y", "ARGS:x"],
  );
  const one = rs.newTransaction(get("/?y=a"));
  one.processRequestHeaders();
  deepStrictEqual([one.txValue("hit"), one.matchedRules.length], [undefined, 0]);
});

test("skipAfter jumps past the marker; skip jumps rules", () => {
  const tx = compile(`
SecAction "id:1,phase:1,pass,nolog,skipAfter:END"
SecAction "id:2,phase:1,pass,nolog,setvar:tx.skipped=no"
SecMarker END
SecAction "id:3,phase:1,pass,nolog,skip:1"
SecAction "id:4,phase:1,pass,nolog,setvar:tx.skipped2=no"
SecAction "id:5,phase:1,pass,nolog,setvar:tx.ran=yes"`).newTransaction(get("/"));
  tx.processRequestHeaders();
  deepStrictEqual([tx.txValue("skipped"), tx.txValue("skipped2"), tx.txValue("ran")], [undefined, undefined, "yes"]);
});

test("exclusions: !ARGS:key in the rule, ctl:ruleRemoveTargetById and ctl:ruleRemoveById at run time", () => {
  const rs = compile(`
SecRule REQUEST_URI "@beginsWith /login" "id:10,phase:1,pass,nolog,ctl:ruleRemoveTargetById=100;ARGS:password,ctl:ruleRemoveById=101"
SecRule ARGS|!ARGS:token "@rx '" "id:100,phase:1,pass"
SecRule ARGS "@rx '" "id:101,phase:1,pass"`);
  const login = rs.newTransaction(get("/login?password=it's&token='"));
  login.processRequestHeaders();
  deepStrictEqual(
    login.matchedRules.map((r) => r.id),
    [],
  );
  const other = rs.newTransaction(get("/other?password=it's&token='"));
  other.processRequestHeaders();
  deepStrictEqual(
    other.matchedRules.map((r) => [r.id, r.matches.map((m) => m.name)]),
    [
      [100, ["ARGS:password"]],
      [101, ["ARGS:password", "ARGS:token"]],
    ],
  );
});

test("allow stops the transaction's rules (logging excepted); allow:phase only the phase", () => {
  const rs = compile(`
SecRule REQUEST_METHOD "@streq GET" "id:1,phase:1,allow:phase,nolog"
SecAction "id:2,phase:1,pass,setvar:tx.p1=ran"
SecAction "id:3,phase:2,pass,setvar:tx.p2=ran"
SecRule REQUEST_METHOD "@streq HEAD" "id:4,phase:2,allow,nolog"
SecAction "id:5,phase:3,pass,setvar:tx.p3=ran"`);
  const tx = rs.newTransaction(get("/"));
  tx.processRequestHeaders();
  tx.processRequestBody();
  deepStrictEqual([tx.txValue("p1"), tx.txValue("p2")], [undefined, "ran"]);
  const head = rs.newTransaction({ ...get("/"), method: "HEAD" });
  head.processRequestHeaders();
  head.processRequestBody();
  head.processResponseHeaders({ status: 200, headers: [] });
  deepStrictEqual(head.txValue("p3"), undefined);
});

test("request body: URLENCODED args; JSON through ctl:requestBodyProcessor; REQUEST_BODY follows forceRequestBodyVariable", () => {
  const rs = compile(`
SecRule REQUEST_HEADERS:Content-Type "@rx ^application/json" "id:1,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRule ARGS_POST:json.user.name "@streq eve" "id:2,phase:2,pass"
SecRule ARGS_POST:a "@streq 1" "id:3,phase:2,pass"
SecRule REQUEST_BODY "@contains eve" "id:4,phase:2,pass"
SecRule REQBODY_PROCESSOR "@streq JSON" "id:5,phase:2,pass"`);
  const json = rs.newTransaction({ ...get("/"), method: "POST", headers: [["Content-Type", "application/json"]] });
  json.processRequestHeaders();
  json.processRequestBody('{"user":{"name":"eve"}}');
  deepStrictEqual(
    json.matchedRules.map((r) => r.id),
    [2, 5],
  );
  const form = rs.newTransaction({
    ...get("/"),
    method: "POST",
    headers: [["Content-Type", "application/x-www-form-urlencoded"]],
  });
  form.processRequestHeaders();
  form.processRequestBody("a=1&b=eve");
  deepStrictEqual(
    form.matchedRules.map((r) => r.id),
    [3, 4],
  );
});

test("a body over SecRequestBodyLimit is refused with 413 (Reject) or inspected up to the limit (ProcessPartial)", () => {
  const rules = 'SecRequestBodyNoFilesLimit 8\nSecRule REQUEST_BODY "@contains attack" "id:1,phase:2,deny"';
  const reject = compile(`SecRequestBodyLimitAction Reject\n${rules}`).newTransaction({ ...get("/"), method: "POST" });
  reject.processRequestHeaders();
  deepStrictEqual(reject.processRequestBody("0123456789"), { action: "deny", status: 413, ruleId: 0, phase: 2 });
  const partial = compile(`SecRequestBodyLimitAction ProcessPartial\n${rules}`).newTransaction({
    ...get("/"),
    method: "POST",
  });
  partial.processRequestHeaders();
  deepStrictEqual(partial.processRequestBody("01234567attack"), null);
});

test("response phases: RESPONSE_STATUS, and RESPONSE_BODY for the configured media types only", () => {
  const rs = compile(`
SecResponseBodyAccess On
SecResponseBodyMimeType application/json
SecRule RESPONSE_STATUS "@eq 500" "id:1,phase:3,pass"
SecRule RESPONSE_BODY "@contains secret" "id:2,phase:4,pass"`);
  const tx = rs.newTransaction(get("/"));
  tx.processRequestHeaders();
  tx.processRequestBody();
  tx.processResponseHeaders({ status: 500, headers: [["Content-Type", "application/json; charset=utf-8"]] });
  tx.processResponseBody('{"secret":1}');
  deepStrictEqual(
    tx.matchedRules.map((r) => r.id),
    [1, 2],
  );
  const png = rs.newTransaction(get("/"));
  png.processResponseHeaders({ status: 200, headers: [["Content-Type", "image/png"]] });
  png.processResponseBody("secret");
  deepStrictEqual(png.matchedRules.length, 0);
});

test("an exception inside the engine is caught and reported, never thrown", () => {
  const rs = compile('SecRule ARGS "@contains x" "id:77,phase:1,pass"');
  const op = rs.rule(77)!.operator as { evaluate: Operator["evaluate"] };
  op.evaluate = () => {
    throw new Error("boom");
  };
  const tx = rs.newTransaction(get("/?a=x"));
  deepStrictEqual(tx.processRequestHeaders(), null);
  deepStrictEqual(tx.error?.code, "WAF_ENGINE_ERROR");
  deepStrictEqual(tx.error?.ruleId, 77);
  ok(tx.error?.message.includes("boom"));
});

test("initcol opens a node-local collection shared by later transactions", () => {
  const rs = compile(`
SecAction "id:1,phase:1,pass,nolog,initcol:ip=%{REMOTE_ADDR},setvar:ip.hits=+1"
SecRule IP:hits "@ge 2" "id:2,phase:1,pass"`);
  const first = rs.newTransaction(get("/"));
  first.processRequestHeaders();
  const second = rs.newTransaction(get("/"));
  second.processRequestHeaders();
  deepStrictEqual([first.matchedRules.length, second.matchedRules.map((r) => r.id)], [0, [2]]);
});
