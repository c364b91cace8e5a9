import type { ByteString } from "../bytes.js";

/**
 * `t:normalizePath` (ModSecurity reference manual, "normalisePath"): removes multiple slashes,
 * self-references (`/./`) and back-references (`seg/../`) from a `/`-separated path.
 * - A back-reference removes the segment before it; with none left it is dropped in an absolute
 *   path (one cannot climb above `/`: `/../etc` → `/etc`) and kept at the start of a relative one
 *   (`../../etc` stays), as the manual says ("except when at the beginning of the input").
 * - A leading `./` goes (`./a` → `a`).
 * - The result ends with `/` only when the input did (`/a/b/..` → `/a`, `/a/b/../` → `/a/`).
 */
export function normalizePath(input: ByteString): ByteString {
  if (!hasDotSegmentOrEmptySegment(input)) return input;
  const n = input.length;
  const absolute = input.charCodeAt(0) === 47;
  const segments: string[] = [];
  let start = 0;
  for (let i = 0; i <= n; i++) {
    if (i < n && input.charCodeAt(i) !== 47) continue;
    const segment = input.slice(start, i);
    start = i + 1;
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (segments.length > 0 && segments[segments.length - 1] !== "..") segments.pop();
      else if (!absolute) segments.push("..");
      continue;
    }
    segments.push(segment);
  }
  let out = absolute ? `/${segments.join("/")}` : segments.join("/");
  if (segments.length > 0 && input.charCodeAt(n - 1) === 47) out += "/";
  return out === input ? input : out;
}

/** Whether `path` has an empty segment (`//`) or a segment that is `.` or `..`. */
function hasDotSegmentOrEmptySegment(path: string): boolean {
  if (path.indexOf("//") >= 0) return true;
  const n = path.length;
  for (let d = path.indexOf("."); d >= 0; d = path.indexOf(".", d + 1)) {
    if (d > 0 && path.charCodeAt(d - 1) !== 47) continue; // not the start of a segment
    let end = d + 1;
    if (end < n && path.charCodeAt(end) === 46) end++;
    if (end === n || path.charCodeAt(end) === 47) return true;
  }
  return false;
}
