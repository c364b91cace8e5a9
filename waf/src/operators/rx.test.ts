import { operatorTable } from "./operator-test-kit.js";
import { rx } from "./rx.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "rx".
operatorTable("rx", rx, [
  ["(?i)union\\s+select", "1 UNION  select 2", true],
  ["(?i)union\\s+select", "union-select", false],
  ["^\\d+$", "123", true],
  ["^\\d+$", "12a", false],
  ["\\x{e2}\\x80", "\u00e2\u0080x", true],
  ["a\\z", "ba", true],
  ["a\\z", "ab", false],
  ["a\\Z", "ba\n", true],
  ["[\\s\\x0b]x", "\u000bx", true],
  ["a\\hb", "a\tb", true],
  ["(?i:AB)c", "abc", true],
  ["(?i:AB)c", "abC", false],
  ["x*+y", "xxy", true],
  ["(?>ab|a)c", "abc", true],
  ["^.*$", "anything", true],
  ["^$", "", true],
  ["^$", "x", false],
]);
