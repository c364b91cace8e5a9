import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { utf8Bytes } from "../bytes.js";
import type { Arg } from "./body-processor.js";
import { parseJson } from "./json.js";

const rows: ReadonlyArray<readonly [body: string, args: Arg[], why: string]> = [
  ["", [], "empty body: nothing, no error"],
  ["{}", [], "empty object"],
  [
    '{"a":1,"b":"x"}',
    [
      ["json.a", "1"],
      ["json.b", "x"],
    ],
    "members as json.<key>",
  ],
  ['{"d":{"a":{"b":1}}}', [["json.d.a.b", "1"]], "nested objects join keys with dots"],
  [
    '{"c":[1,2,3]}',
    [
      ["json.c", "3"],
      ["json.c.0", "1"],
      ["json.c.1", "2"],
      ["json.c.2", "3"],
    ],
    "an array: its length, then items by index",
  ],
  [
    '{"e":[{"a":1}]}',
    [
      ["json.e", "1"],
      ["json.e.0.a", "1"],
    ],
    "objects in arrays",
  ],
  [
    '{"f":[[["z"]]]}',
    [
      ["json.f", "1"],
      ["json.f.0", "1"],
      ["json.f.0.0", "1"],
      ["json.f.0.0.0", "z"],
    ],
    "nested arrays",
  ],
  [
    '[1,{"a":2}]',
    [
      ["json", "2"],
      ["json.0", "1"],
      ["json.1.a", "2"],
    ],
    "a top-level array is json",
  ],
  ['"just text"', [["json", "just text"]], "a top-level scalar"],
  ['{"e":[]}', [["json.e", "0"]], "an empty array has length 0"],
  [
    '{"t":true,"f":false,"n":null}',
    [
      ["json.t", "true"],
      ["json.f", "false"],
      ["json.n", ""],
    ],
    "literals; null is empty",
  ],
  [
    '{"n":-1.5e+10,"z":0}',
    [
      ["json.n", "-1.5e+10"],
      ["json.z", "0"],
    ],
    "numbers keep their text",
  ],
  [
    '{"a":1,"a":2}',
    [
      ["json.a", "1"],
      ["json.a", "2"],
    ],
    "repeated keys are all kept",
  ],
  ['{"s":"a\\"b\\\\c\\/d\\n\\t"}', [["json.s", 'a"b\\c/d\n\t']], "string escapes"],
  ['{"s":"\\u003cscript\\u003e"}', [["json.s", "<script>"]], "\\u escapes of ASCII"],
  [
    '{"s":"\\u00e9\\ud83d\\ude00"}',
    [["json.s", utf8Bytes("é😀")]],
    "\\u escapes become UTF-8, surrogate pairs combined",
  ],
  ['{"s":"\\ud800x"}', [["json.s", `${utf8Bytes("\ufffd")}x`]], "a lone surrogate becomes U+FFFD"],
  [`{"s":"${utf8Bytes("é")}\xff"}`, [["json.s", `${utf8Bytes("é")}\xff`]], "raw bytes are kept as they are"],
  [
    '{"a.b":1,"":2}',
    [
      ["json.a.b", "1"],
      ["json.", "2"],
    ],
    "keys are used as they are",
  ],
  [
    ' \r\n\t{ "a" : [ 1 , 2 ] } \n',
    [
      ["json.a", "2"],
      ["json.a.0", "1"],
      ["json.a.1", "2"],
    ],
    "whitespace around tokens",
  ],
  ['{"sqli":"1\' or 1=1 --"}', [["json.sqli", "1' or 1=1 --"]], "CRS sees the payload under json.sqli"],
];

describe("JSON body processor", () => {
  for (const [body, args, why] of rows) {
    test(why, () => {
      const parsed = parseJson(body);
      assert.equal(parsed.error, null);
      assert.deepEqual(parsed.args, args);
    });
  }

  const invalid: ReadonlyArray<readonly [body: string, why: string]> = [
    ["{", "unterminated object"],
    ['{"a":1,}', "trailing comma in an object"],
    ["[1,]", "trailing comma in an array"],
    ["{'a':1}", "single quotes"],
    ['{"a":01}', "leading zero"],
    ['{"a":1.}', "no digit after the point"],
    ['{"a":.5}', "no digit before the point"],
    ['{"a":"x\ny"}', "a raw control character in a string"],
    ['{"a":"\\x41"}', "an unknown escape"],
    ['{"a":"\\u12"}', "a short \\u escape"],
    ["{} {}", "two top-level values"],
    ["nul", "a truncated literal"],
    ["test", "plain text"],
    ["  ", "whitespace only"],
    ['{"a" 1}', "missing colon"],
    ["{1:2}", "a non-string key"],
    ["\xef\xbb\xbf{}", "a byte order mark is not JSON (RFC 8259 §8.1)"],
  ];
  for (const [body, why] of invalid) {
    test(`invalid: ${why}`, () => assert.match(parseJson(body).error ?? "", /^JSON parsing error: /));
  }

  test("args parsed before a syntax error are kept", () => {
    const parsed = parseJson('{"a":"<script>","b":');
    assert.deepEqual(parsed.args, [["json.a", "<script>"]]);
    assert.match(parsed.error ?? "", /premature end of input at byte 20/);
  });

  test("nesting deeper than maxDepth is an error", () => {
    assert.equal(parseJson('{"a":{"b":[1]}}', { maxDepth: 3 }).error, null);
    assert.match(parseJson('{"a":{"b":[1]}}', { maxDepth: 2 }).error ?? "", /nesting deeper than 2/);
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    assert.match(parseJson(deep).error ?? "", /nesting deeper than 512/);
  });

  test("more args than maxArgs is an error; the first maxArgs are kept", () => {
    const parsed = parseJson('{"a":1,"b":2,"c":3}', { maxArgs: 2 });
    assert.deepEqual(parsed.args, [
      ["json.a", "1"],
      ["json.b", "2"],
    ]);
    assert.match(parsed.error ?? "", /more than 2 arguments/);
  });
});
