import { removeComments } from "./remove-comments.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("removeComments", removeComments, [
  ["", "", "empty input"],
  ["select 1", "select 1", "no comment"],
  ["un/**/ion", "union", "a block comment is removed, not replaced by a space"],
  ["a/*1*//*2*/b", "ab", "consecutive comments"],
  ["a<!-- x -->b", "ab", "HTML comment"],
  ["1 -- drop table", "1 ", "-- runs to the end"],
  ["1 # x\ny", "1 ", "# runs to the end, across lines"],
  ["a /* open", "a  ", "an unterminated block comment becomes a space"],
  ["a<!-- open", "a ", "an unterminated HTML comment becomes a space"],
  ["/**/--x", "", "a line comment right after a block comment"],
  ["a */ b", "a */ b", "a lone terminator stays"],
]);
