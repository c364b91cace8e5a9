import { compressWhitespace } from "./compress-whitespace.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("compressWhitespace", compressWhitespace, [
  ["", "", "empty input"],
  ["a b c", "a b c", "single spaces stay"],
  ["a  \t\n b", "a b", "a run becomes one space"],
  ["a\tb", "a b", "a single tab becomes a space"],
  ["a\xa0\xa0b", "a b", "NBSP counts as whitespace"],
  ["  a  ", " a ", "runs at the ends become one space, not removed"],
  ["a\x0b\x0cb", "a b", "\\v and \\f"],
  ["a\x00b", "a\x00b", "NUL is not whitespace"],
]);
