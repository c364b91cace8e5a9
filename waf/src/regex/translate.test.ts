import { deepStrictEqual } from "node:assert/strict";
import { test } from "node:test";
import { toRe2 } from "./translate.js";

// PCRE → RE2 rewrites (see translate.ts); everything else is kept as written.
for (const [pcre, re2] of [
  ["a\\sb", "(?sm)a[\\t-\\r ]b"],
  ["[\\s,]", "(?sm)[\\t-\\r ,]"],
  ["a\\hb", "(?sm)a[\\t \\x{a0}]b"],
  ["end\\Z", "(?sm)end(?:\\n?\\z)"],
  ["x*+y", "(?sm)x*y"],
  ["(?>ab)", "(?sm)(?:ab)"],
  ["a(?#comment)b", "(?sm)ab"],
  ["\\Qa.b\\E", "(?sm)a\\x{2e}b"],
  ["\\x{e2}\\x80", "(?sm)\\x{e2}\\x80"],
  ["(?i)a\\+b", "(?sm)(?i)a\\+b"],
  ["\\*+", "(?sm)\\*+"],
] as const)
  test(`${pcre} → ${re2}`, () => deepStrictEqual(toRe2(pcre), re2));
