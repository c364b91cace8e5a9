import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Arg } from "./body-processor.js";
import { parseQueryString } from "./query-string.js";
import { parseUrlencoded } from "./urlencoded.js";

const rows: ReadonlyArray<readonly [body: string, args: Arg[], why: string]> = [
  ["", [], "empty body: no arguments"],
  [
    "a=1&b=2",
    [
      ["a", "1"],
      ["b", "2"],
    ],
    "pairs in order",
  ],
  [
    "a=1&a=2",
    [
      ["a", "1"],
      ["a", "2"],
    ],
    "repeated names are all kept",
  ],
  ["a", [["a", ""]], "no = : a name with an empty value"],
  ["a=", [["a", ""]], "= with nothing after it"],
  ["=x", [["", "x"]], "empty names are kept"],
  [
    "a=1&&b=2",
    [
      ["a", "1"],
      ["", ""],
      ["b", "2"],
    ],
    "an empty piece between separators is an empty pair",
  ],
  ["a=1&", [["a", "1"]], "a final & adds nothing"],
  ["&", [["", ""]], "a lone & is one empty pair"],
  ["a=b=c", [["a", "b=c"]], "later = belong to the value"],
  ["a+b=c+d", [["a b", "c d"]], "+ is a space in names and values"],
  ["n%61me=%3Cscript%3E", [["name", "<script>"]], "names and values are URL-decoded"],
  ["a=%26b%3D", [["a", "&b="]], "decoded & and = do not split"],
  [
    "a=%zz&b=%2",
    [
      ["a", "%zz"],
      ["b", "%2"],
    ],
    "invalid escapes stay as they are",
  ],
  ["a=%u0041", [["a", "%u0041"]], "%u is not decoded (urlDecode, not urlDecodeUni)"],
  ["a=%00b", [["a", "\x00b"]], "NUL bytes decode"],
  ["a=1;b=2", [["a", "1;b=2"]], "; is not a separator"],
];

describe("URLENCODED body processor", () => {
  for (const [body, args, why] of rows) {
    test(why, () => {
      const parsed = parseUrlencoded(body);
      assert.deepEqual(parsed.args, args);
      assert.equal(parsed.error, null);
    });
  }

  test("URLENCODED_ERROR is set by an invalid escape, not by a valid one", () => {
    assert.equal(parseUrlencoded("a=%zz").urlencodedError, true);
    assert.equal(parseUrlencoded("a%2=b").urlencodedError, true);
    assert.equal(parseUrlencoded("a=%").urlencodedError, true);
    assert.equal(parseUrlencoded("a=%41+b").urlencodedError, false);
  });

  test("more arguments than maxArgs is an error; the first maxArgs are kept", () => {
    const parsed = parseUrlencoded("a=1&b=2&c=3", { maxArgs: 2 });
    assert.deepEqual(parsed.args, [
      ["a", "1"],
      ["b", "2"],
    ]);
    assert.match(parsed.error ?? "", /more than 2 arguments/);
    assert.equal(parseUrlencoded("a=1&b=2", { maxArgs: 2 }).error, null);
  });
});

describe("query string (ARGS_GET)", () => {
  test("parsed as a URLENCODED body", () => {
    for (const [body, args] of rows) assert.deepEqual(parseQueryString(body).args, args);
  });

  test("past maxArgs the rest is dropped and flagged, without an error", () => {
    const parsed = parseQueryString("a&b&c", 1);
    assert.deepEqual(parsed.args, [["a", ""]]);
    assert.equal(parsed.limitExceeded, true);
  });
});

describe("URLENCODED on large inputs", () => {
  // One search for `=` serves many pieces: searching again per piece would take quadratic time here.
  test("a 200 KB body of pairs without = parses", () => {
    const body = "a&".repeat(100_000);
    const parsed = parseUrlencoded(body, { maxArgs: 1_000_000 });
    assert.equal(parsed.args.length, 100_000);
    assert.deepEqual(parsed.args[0], ["a", ""]);
  });
});
