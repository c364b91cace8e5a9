import { removeNulls } from "./remove-nulls.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("removeNulls", removeNulls, [
  ["", "", "empty input"],
  ["abc", "abc", "no NUL"],
  ["\x00a\x00\x00b\x00", "ab", "every NUL goes"],
  ["%00", "%00", "encoded NULs are text"],
]);
