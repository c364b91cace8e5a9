import { normalizePathWin } from "./normalize-path-win.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("normalizePathWin", normalizePathWin, [
  ["", "", "empty input"],
  ["c:\\windows\\system32", "c:/windows/system32", "backslashes become slashes"],
  ["\\a\\b\\..\\..\\..\\boot.ini", "/boot.ini", "then normalised as a path"],
  ["..\\..\\win.ini", "../../win.ini", "relative back-references stay"],
  ["/a\\./b", "/a/b", "mixed separators"],
]);
