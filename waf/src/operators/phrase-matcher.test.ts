import { deepStrictEqual } from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { PhraseMatcher } from "./phrase-matcher.js";

const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

test("PhraseMatcher finds a phrase exactly when a naive search does (dense and sparse rows)", () => {
  const alphabet = fc.constantFrom("a", "b", "c", "A", "-", "\u00e9");
  const word = fc.string({ unit: alphabet, minLength: 1, maxLength: 6 });
  fc.assert(
    fc.property(
      fc.array(word, { minLength: 1, maxLength: 12 }),
      fc.string({ unit: alphabet, maxLength: 40 }),
      fc.constantFrom(1, 8, 1 << 20),
      (phrases, value, denseCells) => {
        const m = new PhraseMatcher(phrases, { denseCells });
        const expected = phrases.some((p) => lower(value).includes(lower(p)));
        deepStrictEqual(m.first(value) !== null, expected);
        const found: number[] = [];
        m.markAll(
          value,
          new Int32Array(8),
          Int32Array.from(m.phrases, (_, i) => i),
          found,
          new Int32Array(m.phrases.length),
          1,
        );
        deepStrictEqual(
          new Set(found.map((i) => m.phrases[i])),
          new Set(phrases.map(lower).filter((p) => lower(value).includes(p))),
        );
      },
    ),
    { seed: 14, numRuns: 400 },
  );
});

test("PhraseMatcher reports the phrase that ends first", () => {
  const m = new PhraseMatcher(["he", "she", "hers"]);
  deepStrictEqual(m.first("USHERS"), "she");
  deepStrictEqual(m.first("nothing"), null);
});
