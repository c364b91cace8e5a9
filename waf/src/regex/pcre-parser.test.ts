import { deepStrictEqual, throws } from "node:assert/strict";
import { test } from "node:test";
import { parsePcre } from "./pcre-parser.js";

// Constructs no linear-time engine can run are refused with the reason (issue 14 point 2: a
// regex that cannot be translated is reported at load, never dropped).
for (const [pattern, reason] of [
  ["a(?=b)", "look-ahead"],
  ["a(?!b)", "look-ahead"],
  ["(?<=a)b", "look-behind"],
  ["(?<!a)b", "look-behind"],
  ["(a)\\1", "back-reference"],
  ["\\k<x>", "back-reference"],
  ["\\Gabc", "\\G"],
  ["\\p{L}", "Unicode properties"],
  ["a{1001}", "repetition count over 1000"],
  ["(ab", "unterminated group"],
  ["ab)", "unbalanced )"],
  ["[a-", "unterminated character class"],
] as const)
  test(`${pattern} is refused: ${reason}`, () => {
    throws(
      () => parsePcre(pattern),
      (e: Error) => e.message.includes(reason),
    );
  });

test("flags: (?i) scopes to its group, (?i:…) to its body, letters fold", () => {
  const p = parsePcre("a(?i:b)c");
  deepStrictEqual(p.root.kind, "seq");
  const items = (p.root as unknown as { items: Array<{ kind: string; body?: { fold?: boolean }; fold?: boolean }> })
    .items;
  deepStrictEqual(items[0]!.fold, false);
  deepStrictEqual(items[1]!.body!.fold, true);
  deepStrictEqual(items[2]!.fold, false);
});

test("possessive quantifiers and atomic groups are read approximately and reported", () => {
  deepStrictEqual(parsePcre("a++b(?>c|d)").approximations.length, 2);
});

test("capturing groups are counted, named ones included", () => {
  deepStrictEqual(parsePcre("(a)(?:b)(?<n>c)(?P<m>d)").groups, 3);
});
