import { removeWhitespace } from "./remove-whitespace.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("removeWhitespace", removeWhitespace, [
  ["", "", "empty input"],
  ["abc", "abc", "no whitespace"],
  [" a\tb\nc\x0bd\x0ce\rf ", "abcdef", "every C isspace byte"],
  ["a\xa0b", "ab", "NBSP 0xA0"],
  ["a\xc2\xa0b", "a\xc2b", "UTF-8 NBSP: the 0xC2 lead byte stays (ModSecurity v2)"],
  ["a\x00b\x1cc", "a\x00b\x1cc", "other control bytes stay"],
]);
