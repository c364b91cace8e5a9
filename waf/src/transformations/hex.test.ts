import { hexDecode } from "./hex-decode.js";
import { hexEncode } from "./hex-encode.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("hexEncode", hexEncode, [
  ["", "", "empty input"],
  ["xyz", "78797a", "the manual's example, lower case"],
  ["\x00\xff", "00ff", "every byte value"],
]);

transformationTable("hexDecode", hexDecode, [
  ["", "", "empty input"],
  ["78797a", "xyz", "lower case"],
  ["78797A", "xyz", "upper case"],
  ["78797", "xy", "a final odd digit is dropped"],
  ["00ff", "\x00\xff", "every byte value"],
  ["zz", "S", "no validation: ModSecurity's digit arithmetic (z → 35, 35 × 16 + 35 = 0x253 → 0x53) applies"],
]);
