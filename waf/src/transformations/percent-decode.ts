import type { ByteString } from "../bytes.js";
import { hasHexDigits, hexValue, unicodeEscapeByte } from "./char-class.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

/**
 * The `%` decoder behind `urlDecode` and `urlDecodeUni` (ModSecurity reference manual,
 * "urlDecode", "urlDecodeUni"): `%HH` becomes the byte, `+` becomes a space, and an invalid
 * escape (a non-hex digit, or fewer than two bytes left) is copied as it is without an error.
 * With `uni`, `%uHHHH` (either case of `u`) becomes one byte by {@link unicodeEscapeByte}; an
 * invalid `%u` escape is copied as it is. Returns the input itself when it has no `%` or `+`.
 */
export function percentDecode(input: ByteString, uni: boolean): ByteString {
  if (input.indexOf("%") < 0 && input.indexOf("+") < 0) return input;
  const n = input.length;
  const out = scratchBuffer(n);
  let o = 0;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c === 43) {
      out[o++] = 32;
      i++;
      continue;
    }
    if (c !== 37) {
      out[o++] = c;
      i++;
      continue;
    }
    const next = input.charCodeAt(i + 1);
    if (uni && (next === 117 || next === 85)) {
      if (hasHexDigits(input, i + 2, 4)) {
        out[o++] = unicodeEscapeByte(input, i + 2);
        i += 6;
      } else {
        out[o++] = 37; // `%u` stays as it is; decoding resumes after it
        out[o++] = next;
        i += 2;
      }
      continue;
    }
    const hi = hexValue(next);
    const lo = i + 2 < n ? hexValue(input.charCodeAt(i + 2)) : -1;
    if (hi >= 0 && lo >= 0) {
      out[o++] = (hi << 4) | lo;
      i += 3;
    } else {
      out[o++] = 37;
      i++;
    }
  }
  return takeBytes(out, o);
}
