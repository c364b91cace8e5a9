import { cssDecode } from "./css-decode.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("cssDecode", cssDecode, [
  ["", "", "empty input"],
  ["color: red", "color: red", "nothing to decode"],
  ["ja\\vascript", "javascript", "a backslash before a non-hex byte is dropped"],
  ["\\3c script", "<script", "two hex digits and the one whitespace after them"],
  ["\\3c  x", "< x", "only one whitespace byte is consumed"],
  ["\\9", "\x09", "one hex digit is its value"],
  ["\\03c", "<", "three digits: the last two"],
  ["\\003c", "<", "four digits: the last two"],
  ["\\ff1c", "<", "four digits: full-width < becomes ASCII"],
  ["\\0ff1c\\00ff1e", "<>", "five or six digits with leading zeros: full-width check too"],
  ["\\1ff1c", "\x1c", "five digits without a leading zero: just the last two"],
  ["\\00003cx", "<x", "at most six digits"],
  ["\\0000003c", "\x003c", "a seventh hex digit is not part of the escape"],
  ["a\\\nb", "ab", "an escaped newline is a line continuation"],
  ["a\\\r\nb", "a\r\nb", "only LF is a continuation: \\ + CR keeps the CR"],
  ["abc\\", "abc", "a lone backslash at the end is dropped"],
  ["\\\\", "\\", "an escaped backslash"],
  ["\\3c\t", "<", "a tab after the escape is consumed"],
]);
