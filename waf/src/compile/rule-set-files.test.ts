import { deepStrictEqual, equal, match, notEqual, ok, throws } from "node:assert/strict";
import { test } from "node:test";
import { WafError } from "../errors.js";
import { bundledRuleSetFiles, ParsedRuleSet, type RuleSetFile, ruleSetContentHash } from "./rule-set-files.js";
import { compileWaf } from "./waf.js";

const tiny = (rules: string, extra: RuleSetFile[] = []): RuleSetFile[] => [
  { path: "rules/a.conf", text: rules },
  { path: "rules/words.data", text: "union\nselect\n" },
  ...extra,
];

/** The WafError `fn` throws. */
function wafError(fn: () => unknown): WafError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WafError) return err;
    throw err;
  }
  throw new Error("no error");
}

test("the bundled rule set is Palisade's engine configuration, CRS 4.28.0 and its data files, Palisade's rules, hashed", () => {
  const files = bundledRuleSetFiles();
  const paths = files.map((f) => f.path);
  equal(paths[0], "palisade-engine.conf");
  ok(paths.includes("crs-setup.conf.example"));
  ok(paths.includes("rules/REQUEST-942-APPLICATION-ATTACK-SQLI.conf"));
  ok(paths.includes("rules/sql-errors.data"));
  equal(paths.at(-1), "extra/palisade-rules.conf", "Palisade's own rules come after CRS's");
  ok(!paths.some((p) => p.endsWith(".conf.example") && p.startsWith("rules/")), "exclusion templates are not loaded");
  const parsed = ParsedRuleSet.parse(files);
  equal(parsed.crsVersion, "4.28.0");
  match(parsed.contentHash, /^[0-9a-f]{64}$/);
  equal(parsed.contentHash, ruleSetContentHash([...files].reverse()), "the hash does not depend on order");
  const r942100 = parsed.rules().find((r) => r.id === 942100)!;
  equal(r942100.file, "rules/REQUEST-942-APPLICATION-ATTACK-SQLI.conf");
  equal(r942100.paranoiaLevel, 1);
  ok(r942100.tags.includes("attack-sqli"));
  match(r942100.msg, /SQL Injection Attack Detected via libinjection/);
  ok(
    parsed.rules().some((r) => r.id === 200002),
    "the engine configuration's rules are listed",
  );
});

test("the bundled rule set compiles for a policy exactly as compileWaf compiles the vendored CRS", () => {
  const options = { paranoiaLevel: 1, exclusions: [{ ruleIds: ["942*"], target: "ARGS:password" }] };
  const a = ParsedRuleSet.parse(bundledRuleSetFiles()).compile(options);
  const b = compileWaf(options);
  deepStrictEqual(
    [...a.rules()].map((r) => [r.id, r.phase, r.exclusions.length]),
    [...b.rules()].map((r) => [r.id, r.phase, r.exclusions.length]),
  );
});

test("a rule reads its data file from the rule set; the hash changes with any byte", () => {
  const files = tiny(`SecRule ARGS "@pmFromFile words.data" "id:10,phase:2,deny,status:403,msg:'word'"`);
  const rs = ParsedRuleSet.parse(files).compile();
  const tx = rs.newTransaction({
    method: "GET",
    target: "/?q=union",
    protocol: "HTTP/1.1",
    headers: [["Host", "a.test"]],
    remoteAddress: "203.0.113.5",
    remotePort: 1,
  });
  equal(tx.processRequestHeaders(), null);
  equal(tx.processRequestBody("")?.ruleId, 10);
  const changed = [...files];
  changed[1] = { path: "rules/words.data", text: "union\nselect\nfrom\n" };
  notEqual(ruleSetContentHash(files), ruleSetContentHash(changed));
});

test("bad rule sets are refused with the file, line and rule id", () => {
  const syntax = wafError(() =>
    ParsedRuleSet.parse(
      tiny(`SecRule ARGS "@rx a" "id:1,phase:2,pass"\n\nSecRule ARGS "@rx b" "id:2,phase:2,pasz"`),
    ).compile(),
  );
  equal(syntax.code, "SECLANG_UNKNOWN_ACTION");
  deepStrictEqual([syntax.file, syntax.line, syntax.ruleId], ["rules/a.conf", 3, 2]);
  const data = wafError(() =>
    ParsedRuleSet.parse(tiny(`SecRule ARGS "@pmFromFile nope.data" "id:7,phase:2,deny"`)).compile(),
  );
  deepStrictEqual([data.code, data.file, data.line], ["SECLANG_DATA_FILE", "rules/a.conf", 1]);
  const layout = wafError(() => ParsedRuleSet.parse(tiny("", [{ path: "../etc/passwd", text: "" }])));
  deepStrictEqual([layout.code, layout.file], ["WAF_OPTIONS", "../etc/passwd"]);
  const twice = wafError(() =>
    ParsedRuleSet.parse([
      ...tiny(""),
      { path: "crs-setup.conf", text: "" },
      { path: "crs-setup.conf.example", text: "" },
    ]),
  );
  match(twice.message, /not both/);
  throws(() => ParsedRuleSet.parse([{ path: "crs-setup.conf", text: "" }]), /needs rules/);
});

test("an exclusion whose target is not a variable is refused with the rule it was applied to", () => {
  const rs = ParsedRuleSet.parse(tiny(`SecRule ARGS "@rx a" "id:942100,phase:2,deny"`));
  const err = wafError(() => rs.compile({ exclusions: [{ ruleIds: ["942100"], target: "NOPE:x" }] }));
  deepStrictEqual([err.code, err.file, err.line, err.ruleId], ["SECLANG_UNKNOWN_VARIABLE", "rules/a.conf", 1, 942100]);
  match(err.message, /unknown variable NOPE/);
});
