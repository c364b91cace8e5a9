import { deepStrictEqual, throws } from "node:assert/strict";
import { test } from "node:test";
import { compileRuleSet } from "./compiler.js";

const compile = (text: string) => compileRuleSet([{ file: "t.conf", text }]);

test("SecDefaultAction applies to the rules of its phase after it: block becomes its disruptive action", () => {
  const rs = compile(`
SecDefaultAction "phase:2,log,auditlog,deny,status:418"
SecRule ARGS "@rx a" "id:1,phase:2,block"
SecRule ARGS "@rx a" "id:2,phase:1,block"
SecRule ARGS "@rx a" "id:3,phase:2,pass,nolog"`);
  deepStrictEqual([rs.rule(1)!.disruptive.kind, rs.rule(1)!.status, rs.rule(1)!.log], ["deny", 418, true]);
  deepStrictEqual(rs.rule(2)!.disruptive.kind, "pass");
  deepStrictEqual([rs.rule(3)!.disruptive.kind, rs.rule(3)!.log], ["pass", false]);
});

test("chains are linked; phases split the rules; skipAfter resolves to the rule after the marker", () => {
  const rs = compile(`
SecRule ARGS "@rx a" "id:1,phase:2,pass,skipAfter:END"
SecRule ARGS "@rx b" "id:2,phase:2,pass,chain"
  SecRule ARGS "@rx c" "t:lowercase"
SecRule ARGS "@rx d" "id:3,phase:1,pass"
SecMarker END
SecRule ARGS "@rx e" "id:4,phase:2,pass"`);
  const p2 = rs.phase(2);
  deepStrictEqual(
    p2.rules.map((r) => r.id),
    [1, 2, 4],
  );
  deepStrictEqual(p2.rules[1]!.chain!.transformKey, "lowercase");
  deepStrictEqual(p2.skipAfterIndex[0], 2);
  deepStrictEqual(
    rs.phase(1).rules.map((r) => r.id),
    [3],
  );
});

test("t:none resets the chain; transformation names are case-insensitive", () => {
  const rs = compile('SecRule ARGS "@rx a" "id:1,t:lowercase,t:none,t:urlDecodeUni,t:LOWERCASE"');
  deepStrictEqual(rs.rule(1)!.transformKey, "urldecodeuni,lowercase");
});

test("SecRuleRemoveById/ByTag and SecRuleUpdateTargetById/ActionById apply at compile time", () => {
  const rs = compile(`
SecRule ARGS "@rx a" "id:1,tag:'attack-sqli'"
SecRule ARGS "@rx a" "id:2,tag:'attack-xss'"
SecRule ARGS "@rx a" "id:3"
SecRule ARGS "@rx a" "id:4,msg:'old'"
SecRuleRemoveByTag attack-xss
SecRuleRemoveById 3
SecRuleUpdateTargetById 1 "!ARGS:password"
SecRuleUpdateActionById 4 "msg:'new'"`);
  deepStrictEqual(
    [...rs.rules()].map((r) => r.id),
    [1, 4],
  );
  deepStrictEqual(rs.rule(1)!.exclusions, [{ variable: "ARGS", selector: { kind: "key", key: "password" } }]);
  deepStrictEqual(rs.rule(4)!.msg!.text, "new");
});

test("rules tagged above the detection paranoia level are dropped when asked", () => {
  const text = `
SecRule ARGS "@rx a" "id:1,tag:'paranoia-level/1'"
SecRule ARGS "@rx a" "id:2,tag:'paranoia-level/2'"`;
  deepStrictEqual(
    [...compileRuleSet([{ file: "t", text }], { detectionParanoiaLevel: 1 }).rules()].map((r) => r.id),
    [1],
  );
  deepStrictEqual(
    [...compileRuleSet([{ file: "t", text }]).rules()].map((r) => r.id),
    [1, 2],
  );
});

for (const [text, code, ruleId, line] of [
  ['\nSecRule ARGS "@frob a" "id:7"', "SECLANG_UNKNOWN_OPERATOR", 7, 2],
  ['SecRule NOPE "@rx a" "id:8"', "SECLANG_UNKNOWN_VARIABLE", 8, 1],
  ['SecRule ARGS "@rx a" "id:9,t:rot13"', "SECLANG_UNKNOWN_TRANSFORMATION", 9, 1],
  ['SecRule ARGS "@rx a" "id:10,frobnicate"', "SECLANG_UNKNOWN_ACTION", 10, 1],
  ['SecRule ARGS "@rx (?<=a)b" "id:11"', "SECLANG_REGEX_UNSUPPORTED", 11, 1],
  ['SecRule ARGS "@rx a" "id:12"\nSecRule ARGS "@rx b" "id:12"', "SECLANG_DUPLICATE_ID", 12, 2],
  ['SecRule ARGS "@rx a" "phase:2"', "SECLANG_MISSING_ID", undefined, 1],
  ['SecRule ARGS "@rx a" "id:13,skipAfter:NOWHERE"', "SECLANG_UNKNOWN_MARKER", 13, 1],
  ['SecRule ARGS "@rx a" "id:14,chain"', "SECLANG_BAD_CHAIN", undefined, 1],
  ['SecRule ARGS "@rx a" "id:15,phase:9"', "SECLANG_BAD_ACTION", 15, 1],
] as const)
  test(`${code}: the error names the rule and the line`, () => {
    throws(() => compile(text), { code, ruleId, line, file: "t.conf" });
  });
