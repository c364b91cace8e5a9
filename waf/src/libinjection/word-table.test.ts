import assert from "node:assert/strict";
import { test } from "node:test";
import { WordTable } from "./word-table.js";

const table = new WordTable([
  ["SCRIPT", 1],
  ["UNION ALL", 2],
  ["ON", 3],
]);

test("WordTable: ASCII case folded, exact length, absent words 0", () => {
  assert.equal(table.get("<ScRiPt>", 1, 6), 1);
  assert.equal(table.get("scripts", 0, 7), 0);
  assert.equal(table.get("scrip", 0, 5), 0);
  assert.equal(table.get("on", 0, 2), 3);
  assert.equal(table.get("\u00f3n", 0, 2), 0); // only a–z fold
});

test("WordTable: two words joined by one space", () => {
  assert.equal(table.getPair("union", 0, 5, "  all", 2, 3), 2);
  assert.equal(table.getPair("union", 0, 5, "al", 0, 2), 0);
});

test("WordTable: NUL bytes of the input skipped on request", () => {
  assert.equal(table.getIgnoringNul("scr\u0000ipt", 0, 7), 1);
  assert.equal(table.getIgnoringNul("\u0000\u0000on", 0, 4), 3);
  assert.equal(table.get("scr\u0000ipt", 0, 7), 0);
});

test("WordTable: refuses a duplicate word and a value outside 1–255", () => {
  assert.throws(
    () =>
      new WordTable([
        ["A", 1],
        ["A", 2],
      ]),
    /twice/,
  );
  assert.throws(() => new WordTable([["A", 0]]), /value/);
});
