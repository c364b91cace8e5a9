import { transformationTable } from "./transformation-table.js";
import { urlDecode } from "./url-decode.js";

transformationTable("urlDecode", urlDecode, [
  ["", "", "empty input"],
  ["plain text", "plain text", "nothing to decode"],
  ["a%20b%2fc", "a b/c", "%HH in either case"],
  ["a+b++c", "a b  c", "+ is a space"],
  ["%2", "%2", "one hex digit missing at the end: left as is"],
  ["%", "%", "lone % at the end"],
  ["%zz%41", "%zzA", "non-hex digits left as is, decoding goes on"],
  ["%%41", "%A", "the first % is invalid, the second decodes"],
  ["%u0041", "%u0041", "%u is not decoded by urlDecode"],
  ["%00x", "\x00x", "NUL byte"],
  ["%ff%FE", "\xff\xfe", "high bytes stay single bytes"],
  ["%252e", "%2e", "one pass only: double encoding decodes once"],
]);
