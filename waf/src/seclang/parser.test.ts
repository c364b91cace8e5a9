import { deepStrictEqual, throws } from "node:assert/strict";
import { test } from "node:test";
import { parseActionList } from "./action-list.js";
import { logicalLines } from "./lexer.js";
import { IGNORED_DIRECTIVES, parseOperator, parseSecLang } from "./parser.js";
import { parseTargetList } from "./target-list.js";

const loc = { file: "t.conf", line: 1 };

test("continuation lines join as Apache joins them; the directive keeps its first line", () => {
  const lines = logicalLines('# c\n\nSecRule ARGS "@rx a" \\\n    "id:1,\\\n    pass"\nSecMarker END\r\n', "f.conf");
  deepStrictEqual(
    lines.map((l) => [l.loc.line, l.words]),
    [
      [3, ["SecRule", "ARGS", "@rx a", "id:1,    pass"]],
      [6, ["SecMarker", "END"]],
    ],
  );
});

test('quoted words: \\" is a quote, other backslashes stay (regexes reach the operator unchanged)', () => {
  const [l] = logicalLines('SecRule ARGS "@rx \\"\\x5c\\d" "id:1"', "f.conf");
  deepStrictEqual(l!.words[2], '@rx "\\x5c\\d');
});

for (const [text, expected] of [
  [
    "id:1,phase:2,t:none,t:lowercase",
    [
      ["id", "1"],
      ["phase", "2"],
      ["t", "none"],
      ["t", "lowercase"],
    ],
  ],
  [
    "msg:'a, b',pass",
    [
      ["msg", "a, b"],
      ["pass", undefined],
    ],
  ],
  [
    "setvar:'tx.x=+%{tx.y}',  chain",
    [
      ["setvar", "tx.x=+%{tx.y}"],
      ["chain", undefined],
    ],
  ],
  ["logdata:'it\\'s'", [["logdata", "it's"]]],
  ["ctl:ruleRemoveTargetById=942100;ARGS:password", [["ctl", "ruleRemoveTargetById=942100;ARGS:password"]]],
  [
    "ID:5,Phase:request",
    [
      ["id", "5"],
      ["phase", "request"],
    ],
  ],
] as const)
  test(`action list ${text}`, () => {
    deepStrictEqual(
      parseActionList(text, loc).map((a) => [a.name, a.value]),
      expected.map((e) => [...e]),
    );
  });

test("target list: negation, counting, keys, regex selectors with |, XML XPath", () => {
  deepStrictEqual(parseTargetList("ARGS|!ARGS:foo|&TX:x|REQUEST_COOKIES:/^(a|b)$/|XML:/*|args_names", loc), [
    { name: "ARGS", exclude: false, count: false, selector: null },
    { name: "ARGS", exclude: true, count: false, selector: { kind: "key", key: "foo" } },
    { name: "TX", exclude: false, count: true, selector: { kind: "key", key: "x" } },
    { name: "REQUEST_COOKIES", exclude: false, count: false, selector: { kind: "regex", source: "^(a|b)$" } },
    { name: "XML", exclude: false, count: false, selector: { kind: "key", key: "/*" } },
    { name: "ARGS_NAMES", exclude: false, count: false, selector: null },
  ]);
});

for (const [text, expected] of [
  ["@rx ^a", { name: "rx", negated: false, argument: "^a" }],
  ["!@within GET POST", { name: "within", negated: true, argument: "GET POST" }],
  ["^bare regex", { name: "rx", negated: false, argument: "^bare regex" }],
  ["@detectSQLi", { name: "detectsqli", negated: false, argument: "" }],
] as const)
  test(`operator ${text}`, () => deepStrictEqual(parseOperator(text), expected));

test("directives carry file and line; engine settings and ignored directives are kept apart", () => {
  const ds = parseSecLang(
    "SecRuleEngine DetectionOnly\n\nSecAuditEngine RelevantOnly\nSecRuleRemoveById 1-5 7\n",
    "x.conf",
  );
  deepStrictEqual(ds, [
    { kind: "setting", loc: { file: "x.conf", line: 1 }, name: "ruleEngine", args: ["DetectionOnly"] },
    { kind: "ignored", loc: { file: "x.conf", line: 3 }, name: "SecAuditEngine" },
    {
      kind: "removeById",
      loc: { file: "x.conf", line: 4 },
      ranges: [
        [1, 5],
        [7, 7],
      ],
    },
  ]);
  deepStrictEqual(IGNORED_DIRECTIVES.has("secauditlog"), true);
});

test("an unknown directive is an error with the file and line", () => {
  throws(() => parseSecLang("SecRuleEngine On\nSecFrobnicate 1\n", "y.conf"), {
    code: "SECLANG_UNKNOWN_DIRECTIVE",
    file: "y.conf",
    line: 2,
  });
});

test("a bad action list is an error naming the rule id", () => {
  throws(() => parseSecLang('SecRule ARGS "@rx a" "id:942999,msg:\'unterminated"', "z.conf"), {
    code: "SECLANG_SYNTAX",
    ruleId: 942999,
    line: 1,
  });
});
