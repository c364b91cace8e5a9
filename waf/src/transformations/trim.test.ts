import { transformationTable } from "./transformation-table.js";
import { trim } from "./trim.js";
import { trimLeft } from "./trim-left.js";
import { trimRight } from "./trim-right.js";

transformationTable("trim", trim, [
  ["", "", "empty input"],
  ["a b", "a b", "nothing to trim"],
  [" \t\n\x0b\x0c\ra b \r\n", "a b", "every C isspace byte at both ends"],
  ["\xa0a\xa0", "\xa0a\xa0", "NBSP is not trimmed"],
  ["   ", "", "only whitespace"],
]);

transformationTable("trimLeft", trimLeft, [
  ["  a  ", "a  ", "the start only"],
  ["a", "a", "nothing to trim"],
]);

transformationTable("trimRight", trimRight, [
  ["  a  ", "  a", "the end only"],
  ["a", "a", "nothing to trim"],
]);
