import { transformationTable } from "./transformation-table.js";
import { urlDecodeUni } from "./url-decode-uni.js";

transformationTable("urlDecodeUni", urlDecodeUni, [
  ["", "", "empty input"],
  ["a%20b+c", "a b c", "%HH and + as urlDecode"],
  ["%u0041%U0042", "AB", "%u in either case keeps the lower byte"],
  ["%uff1cscript%uFF1E", "<script>", "full-width < and > (U+FF1C, U+FF1E) become ASCII"],
  ["%uff01%uff5e", "!~", "the full-width range ends are U+FF01 and U+FF5E"],
  ["%uff00%uff5f", "\x00\x5f", "outside U+FF01–U+FF5E only the lower byte is kept"],
  ["%u2215", "\x15", "other code points: the lower byte, the higher byte is lost"],
  ["%u12", "%u12", "too few digits: %u left as is"],
  ["%u12zz%41", "%u12zzA", "invalid %u left as is, decoding goes on"],
  ["%u%41", "%uA", "the bytes after an invalid %u are decoded"],
  ["%2", "%2", "invalid %HH left as is"],
  ["%c0%af", "\xc0\xaf", "overlong UTF-8 bytes are just bytes"],
]);
