import { removeCommentsChar } from "./remove-comments-char.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("removeCommentsChar", removeCommentsChar, [
  ["", "", "empty input"],
  ["select 1", "select 1", "no marker"],
  ["un/**/ion", "union", "/* and */ go, the text between stays"],
  ["sel/*x*/ect", "selxect", "comment text is kept"],
  ["1--2#3", "123", "-- and #"],
  ["a<!--b-->c", "abc", "HTML comment markers"],
  ["a---b", "a-b", "--- is -- then -"],
  ["a-->b", "ab", "--> is one marker"],
  ["/*/", "/", "markers do not overlap"],
  ["*", "*", "a lone star stays"],
]);
