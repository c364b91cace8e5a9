import type { ByteString } from "../bytes.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

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
  // Kept segments are written to `out` as they come; a back-reference rewinds to where the
  // segment it removes began (one pass, however many segments).
  const out = scratchBuffer(n + 1);
  let o = 0;
  if (absolute) out[o++] = 47;
  const starts: number[] = []; // per kept segment: where it (with its separator) begins in out
  const dotDot: boolean[] = [];
  let start = 0;
  for (let i = 0; i <= n; i++) {
    if (i < n && input.charCodeAt(i) !== 47) continue;
    const len = i - start;
    const dot1 = len >= 1 && input.charCodeAt(start) === 46;
    if (len === 0 || (len === 1 && dot1)) {
      start = i + 1;
      continue;
    }
    const isDotDot = len === 2 && dot1 && input.charCodeAt(start + 1) === 46;
    if (isDotDot && starts.length > 0 && !dotDot[dotDot.length - 1]) {
      o = starts.pop()!;
      dotDot.pop();
    } else if (!isDotDot || !absolute) {
      starts.push(o);
      dotDot.push(isDotDot);
      if (starts.length > 1) out[o++] = 47;
      for (let k = start; k < i; k++) out[o++] = input.charCodeAt(k);
    }
    start = i + 1;
  }
  if (starts.length > 0 && input.charCodeAt(n - 1) === 47) out[o++] = 47;
  const result = takeBytes(out, o);
  return result === input ? input : result;
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
