import type { ByteString } from "../bytes.js";
import { isSpace, NBSP } from "./char-class.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

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
  const out = scratchBuffer(n);
  let o = 0;
  for (let k = 0; k < n; k++) {
    const c = input.charCodeAt(k);
    if (!isWhite(c)) out[o++] = c;
  }
  return takeBytes(out, o);
}

function isWhite(c: number): boolean {
  return isSpace(c) || c === NBSP;
}
