import { sqlHexDecode } from "./sql-hex-decode.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("sqlHexDecode", sqlHexDecode, [
  ["", "", "empty input"],
  ["select 1", "select 1", "nothing to decode"],
  ["0x414243", "ABC", "the manual's example"],
  ["select 0X41 from", "select A from", "upper-case X, text around"],
  ["0x4142434", "ABC4", "a final odd digit stays"],
  ["0x", "0x", "no digits"],
  ["0x4", "0x4", "one digit is not a pair"],
  ["0xzz", "0xzz", "not hex"],
  ["100x41", "10A", "a 0 inside a number starts a literal too, as in ModSecurity"],
]);
