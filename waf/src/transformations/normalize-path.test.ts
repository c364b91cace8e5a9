import { normalizePath } from "./normalize-path.js";
import { transformationTable } from "./transformation-table.js";

transformationTable("normalizePath", normalizePath, [
  ["", "", "empty input"],
  ["/a/b/c.php", "/a/b/c.php", "nothing to normalise"],
  ["/a//b///c", "/a/b/c", "multiple slashes"],
  ["/a/./b/.", "/a/b", "self-references"],
  ["/a/b/../c", "/a/c", "a back-reference removes the segment before it"],
  ["/a/b/../../../etc/passwd", "/etc/passwd", "an absolute path cannot climb above /"],
  ["../../etc/passwd", "../../etc/passwd", "back-references at the start of a relative path stay"],
  ["a/../../b", "../b", "a relative path climbing past its start keeps the extra .."],
  ["./a", "a", "a leading ./ goes"],
  ["/a/b/..", "/a", "no trailing slash unless the input had one"],
  ["/a/b/../", "/a/", "a trailing slash stays"],
  ["/..", "/", "the root"],
  [".", "", "a lone self-reference"],
  ["/a/.../b", "/a/.../b", "... is a regular segment"],
  ["/a/..b/c", "/a/..b/c", "..b is a regular segment"],
  ["//etc/passwd", "/etc/passwd", "leading double slash"],
  ["/etc/./passwd%00", "/etc/passwd%00", "bytes are not decoded"],
]);
