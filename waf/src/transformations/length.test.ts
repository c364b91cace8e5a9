import { utf8Bytes } from "../bytes.js";
import { length } from "./length.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("length", length, [
  ["", "0", "empty input"],
  ["ABCDE", "5", "the manual's example"],
  [utf8Bytes("é€"), "5", "bytes, not characters (2 + 3 bytes of UTF-8)"],
  ["\x00\x00", "2", "NUL bytes count"],
]);
