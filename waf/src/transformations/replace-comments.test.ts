import { replaceComments } from "./replace-comments.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("replaceComments", replaceComments, [
  ["", "", "empty input"],
  ["select 1", "select 1", "no comment"],
  ["un/**/ion sel/*x*/ect", "un ion sel ect", "each comment becomes a space"],
  ["a/*1*//*2*/b", "a  b", "consecutive comments are not merged"],
  ["a /* open", "a  ", "an unterminated comment becomes a space"],
  ["a */ b", "a */ b", "a lone terminator stays"],
  ["/*/a", " ", "/*/ opens a comment that does not close"],
  ["a/**/", "a ", "comment at the end"],
]);
