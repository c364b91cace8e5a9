import { transformationTable } from "./transformation-table.js";
import { urlEncode } from "./url-encode.js";

transformationTable("urlEncode", urlEncode, [
  ["", "", "empty input"],
  ["abcXYZ019*", "abcXYZ019*", "letters, digits and * stay"],
  ["a b", "a+b", "space is +"],
  ["a/b?c=d&e.f-g_h~", "a%2fb%3fc%3dd%26e%2ef%2dg%5fh%7e", "everything else is %hh, lower case"],
  ["\x00\xff", "%00%ff", "bytes"],
]);
