import type { ByteString } from "../bytes.js";
import { isSpace, NBSP } from "./char-class.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

/**
 * `t:compressWhitespace` (ModSecurity reference manual, "compressWhitespace"): every run of
 * whitespace (SP \f \t \n \r \v and 0xA0) becomes one space (0x20), at the ends too.
 */
export function compressWhitespace(input: ByteString): ByteString {
  const n = input.length;
  // Unchanged unless some whitespace is not a single SP.
  let i = 0;
  for (; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c === 32) {
      if (isWhite(input.charCodeAt(i + 1))) break;
    } else if (isWhite(c)) break;
  }
  if (i === n) return input;
  const out = scratchBuffer(n);
  let o = 0;
  let inRun = false;
  for (let k = 0; k < n; k++) {
    const c = input.charCodeAt(k);
    if (isWhite(c)) {
      if (!inRun) out[o++] = 32;
      inRun = true;
    } else {
      out[o++] = c;
      inRun = false;
    }
  }
  return takeBytes(out, o);
}

function isWhite(c: number): boolean {
  return isSpace(c) || c === NBSP;
}
