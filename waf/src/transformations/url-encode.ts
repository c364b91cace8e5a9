import type { ByteString } from "../bytes.js";
import { HEX_DIGIT_CODES } from "./char-class.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

/**
 * `t:urlEncode` (ModSecurity reference manual, "urlEncode"): space → `+`; `*`, 0–9, A–Z, a–z
 * stay; every other byte → `%hh` with lower-case hex digits (ModSecurity's encoding set).
 */
export function urlEncode(input: ByteString): ByteString {
  const n = input.length;
  const out = scratchBuffer(3 * n);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c === 42 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
      out[o++] = c;
    } else if (c === 32) {
      out[o++] = 43;
    } else {
      out[o++] = 37;
      out[o++] = HEX_DIGIT_CODES[c >> 4]!;
      out[o++] = HEX_DIGIT_CODES[c & 15]!;
    }
  }
  return o === n && input.indexOf(" ") < 0 ? input : takeBytes(out, o);
}
