import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { LITERALS } from "../regex/literal-index.js";
import { CHAINS } from "../transformations/chain-trie.js";
import { TRANSFORMATIONS } from "../transformations/index.js";
import { ValueTable } from "./value.js";

const names = [...TRANSFORMATIONS.keys()];
/** Byte strings dense in what transformations act on (escapes, entities, case, spaces, comments). */
const value = fc
  .array(
    fc.oneof(
      fc.constantFrom("%", "+", "&", "#", ";", "\\", "/", ".", "*", "-", "'", '"', "^", ",", " ", "\t", "\0", "\xa0"),
      fc.constantFrom("A", "Z", "a", "x", "u", "0", "4", "1", "f", "F", "amp", "lt", "quot", "%41", "%u0041", "\\x41"),
      fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b)),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

test("a value through a chain node is the chain applied step by step (skipped steps and folds included)", () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 6 }), value, (chain, s) => {
      const node = CHAINS.node(
        chain,
        chain.map((n) => TRANSFORMATIONS.get(n)!),
      );
      let expected = s;
      for (const n of chain) expected = TRANSFORMATIONS.get(n)!(expected);
      const table = new ValueTable();
      const v = table.of(s);
      assert.equal(table.transform(v, node).s, expected, `${chain.join(",")} on ${JSON.stringify(s)}`);
      // Kept: the second call answers the same Val.
      assert.equal(table.transform(v, node), table.transform(v, node));
    }),
    { numRuns: 3000 },
  );
});

test("equal strings share one Val; a case fold shares its source's literal scan", () => {
  const table = new ValueTable();
  assert.equal(table.of("abc"), table.of(`ab${"c"}`));
  const lower = CHAINS.node(["lowercase"], [TRANSFORMATIONS.get("lowercase")!]);
  const v = table.of("SELECT Name FROM users");
  const folded = table.transform(v, lower);
  assert.equal(folded.s, "select name from users");
  assert.equal(folded.foldOf, v);
  assert.equal(folded.hits, v.hits);
  const own = LITERALS.scan(folded.s);
  assert.deepEqual([folded.hits.bytes, folded.hits.found], [own.bytes, own.found]);
  // A value without capitals is its own fold.
  assert.equal(table.transform(table.of("plain"), lower), table.of("plain"));
});
