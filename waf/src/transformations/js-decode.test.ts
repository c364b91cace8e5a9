import { jsDecode } from "./js-decode.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("jsDecode", jsDecode, [
  ["", "", "empty input"],
  ["no escapes", "no escapes", "nothing to decode"],
  ["\\x3cscript\\x3E", "<script>", "\\xHH in either digit case"],
  ["\\u003c\\u0041", "<A", "\\uHHHH keeps the lower byte"],
  ["\\uff1c\\uFF1E", "<>", "full-width ASCII becomes ASCII"],
  ["\\u2215", "\x15", "other code points keep the lower byte only"],
  ["\\U0041", "U0041", "upper-case \\U is not an escape: the backslash goes"],
  ["\\X41", "X41", "upper-case \\X is not an escape"],
  ["\\u00zz", "u00zz", "malformed \\u: backslash dropped, the rest kept"],
  ["\\x4", "x4", "malformed \\x at the end"],
  ["\\101\\60\\0", "A0\x00", "octal with three, two and one digits"],
  ["\\1014", "A4", "at most three octal digits"],
  ["\\477", "'7", "a first digit above 3 limits octal to two digits (\\47 = ')"],
  ["\\8", "8", "8 is not octal"],
  ["\\a\\b\\f\\n\\r\\t\\v", "\x07\x08\x0c\n\r\t\x0b", "C control escapes"],
  ["\\'\\\"\\\\\\/", "'\"\\/", "other escaped bytes lose the backslash"],
  ["abc\\", "abc\\", "a lone backslash at the end stays"],
  ["\\\\x41", "\\x41", "an escaped backslash does not start a new escape"],
]);
