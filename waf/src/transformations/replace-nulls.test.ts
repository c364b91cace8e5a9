import { replaceNulls } from "./replace-nulls.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("replaceNulls", replaceNulls, [
  ["", "", "empty input"],
  ["abc", "abc", "no NUL"],
  ["\x00a\x00\x00b", " a  b", "every NUL becomes one space"],
]);
