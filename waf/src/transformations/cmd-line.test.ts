import { cmdLine } from "./cmd-line.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("cmdLine", cmdLine, [
  ["", "", "empty input"],
  ["ls -la /tmp", "ls -la/tmp", "the space before / goes"],
  ["plain", "plain", "nothing to change"],
  ["c^o\"m'm\\and", "command", "\\ \" ' ^ are deleted"],
  ["CMD.EXE /C dir", "cmd.exe/c dir", "lower case, no space before /"],
  ["a,b;c", "a b c", "commas and semicolons become spaces"],
  ["a , ;\t\r\nb", "a b", "a run of separators is one space"],
  ["a ^ b", "a b", "deleted bytes do not break a run"],
  ["echo (x)", "echo(x)", "the space before ( goes"],
  ["a ,/b", "a/b", "a separator run before / goes"],
  ["a\x0bb\x0cc", "a\x0bb\x0cc", "\\v and \\f are not separators"],
  [" leading", " leading", "a leading space stays"],
  ["trailing; ", "trailing ", "a trailing run is one space"],
  ["\xc4", "\xc4", "latin1 capitals are not lowered"],
]);
