import { lowercase } from "./lowercase.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("lowercase", lowercase, [
  ["", "", "empty input"],
  ["already lower 123", "already lower 123", "nothing to change"],
  ["SeLeCt * FROM T", "select * from t", "ASCII letters"],
  ["\xc0\xc9\xde", "\xc0\xc9\xde", "latin1 capitals are not letters in the C locale"],
  ["[@`{", "[@`{", "the bytes next to A–Z and a–z are untouched"],
]);
