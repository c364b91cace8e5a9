import { escapeSeqDecode } from "./escape-seq-decode.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("escapeSeqDecode", escapeSeqDecode, [
  ["", "", "empty input"],
  ["plain", "plain", "nothing to decode"],
  ["\\a\\b\\f\\n\\r\\t\\v", "\x07\x08\x0c\n\r\t\x0b", "control escapes"],
  ["\\\\\\?\\'\\\"", "\\?'\"", "escaped punctuation"],
  ["\\x41\\X42", "AB", "hex in either case of x"],
  ["\\x4", "x4", "malformed hex: the backslash goes, the rest stays"],
  ["\\101\\60\\0", "A0\x00", "octal with three, two and one digits"],
  ["\\777", "\xff", "octal above 0xFF keeps the lowest byte"],
  ["\\1011", "A1", "at most three octal digits"],
  ["\\z", "z", "unknown escape: backslash dropped"],
  ["HELO\\r\\nMAIL", "HELO\r\nMAIL", "CRLF written as text"],
  ["abc\\", "abc\\", "a lone backslash at the end stays"],
]);
