import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Arg } from "./body-processor.js";
import { parseCookies } from "./cookies.js";

const rows: ReadonlyArray<readonly [headers: string[], cookies: Arg[], why: string]> = [
  [[], [], "no Cookie header"],
  [[""], [], "an empty Cookie header"],
  [
    ["a=1; b=2"],
    [
      ["a", "1"],
      ["b", "2"],
    ],
    "pairs separated by ; and a space",
  ],
  [
    ["a=1;b=2"],
    [
      ["a", "1"],
      ["b", "2"],
    ],
    "no space after ;",
  ],
  [
    ["a=1", "b=2"],
    [
      ["a", "1"],
      ["b", "2"],
    ],
    "several Cookie headers, in order",
  ],
  [
    [";;a=1;  ;b=2;"],
    [
      ["a", "1"],
      ["b", "2"],
    ],
    "empty pieces are skipped",
  ],
  [["flag"], [["flag", ""]], "a piece without = is a name with an empty value"],
  [["a=b=c"], [["a", "b=c"]], "later = belong to the value"],
  [["  a=1"], [["a", "1"]], "leading whitespace of a name goes"],
  [["a =1"], [["a ", "1"]], "trailing whitespace of a name stays"],
  [
    ["a= 1 ; b=2 "],
    [
      ["a", " 1 "],
      ["b", "2"],
    ],
    "values are not trimmed, except after the last pair",
  ],
  [["=x; b=2"], [["b", "2"]], "a piece with an empty name is skipped"],
  [["a=%3C"], [["a", "%3C"]], "values are not URL-decoded"],
  [
    ['$Version="1"; a=1'],
    [
      ["$Version", '"1"'],
      ["a", "1"],
    ],
    "RFC 2109 attributes are plain cookies (CRS 921250)",
  ],
  [["a=1\r\n"], [["a", "1"]], "trailing CR LF after the last pair goes"],
];

describe("Cookie header parser (REQUEST_COOKIES)", () => {
  for (const [headers, cookies, why] of rows) {
    test(why, () => assert.deepEqual(parseCookies(headers), cookies));
  }
});
