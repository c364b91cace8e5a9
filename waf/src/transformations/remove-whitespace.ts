import type { ByteString } from "../bytes.js";
import { isSpace, NBSP } from "./char-class.js";

/**
 * `t:removeWhitespace` (ModSecurity reference manual, "removeWhitespace"): removes every C
 * `isspace` byte (SP \t \n \v \f \r) and the non-breaking space 0xA0, as ModSecurity v2 does.
 * (ModSecurity v3 also removes every 0xC2 byte, to catch UTF-8 `C2 A0`; that would split other
 * UTF-8 characters, and CRS runs `utf8toUnicode` first where it cares, so v2's set is kept.)
 */
export function removeWhitespace(input: ByteString): ByteString {
  const n = input.length;
  let i = 0;
  while (i < n && !isWhite(input.charCodeAt(i))) i++;
  if (i === n) return input;
  let out = "";
  let run = 0;
  for (; i < n; i++) {
    if (isWhite(input.charCodeAt(i))) {
      out += input.slice(run, i);
      run = i + 1;
    }
  }
  return out + input.slice(run);
}

function isWhite(c: number): boolean {
  return isSpace(c) || c === NBSP;
}
