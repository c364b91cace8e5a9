import { transformationTable } from "./transformation-table.js";
import { uppercase } from "./uppercase.js";

transformationTable("uppercase", uppercase, [
  ["", "", "empty input"],
  ["abc XYZ", "ABC XYZ", "ASCII letters"],
  ["\xe0\xff", "\xe0\xff", "latin1 small letters are left as they are"],
]);
