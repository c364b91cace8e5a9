import type { ByteString } from "../bytes.js";
import { hexByte, isHexDigit, isOctalDigit, unicodeEscapeByte } from "./char-class.js";

/** Bytes of the single-letter C escapes jsDecode and escapeSeqDecode know (`\n` → 0x0A, …). */
export const C_ESCAPES: Readonly<Record<number, number>> = {
  97: 0x07, // \a
  98: 0x08, // \b
  102: 0x0c, // \f
  110: 0x0a, // \n
  114: 0x0d, // \r
  116: 0x09, // \t
  118: 0x0b, // \v
};

/**
 * `t:jsDecode` (ModSecurity reference manual, "jsDecode"): decodes JavaScript escapes.
 * - `\uHHHH` (lower-case `u`): one byte by the manual's rule — U+FF01–U+FF5E (full-width ASCII)
 *   become ASCII, any other code keeps only its lower byte.
 * - `\xHH` (lower-case `x`): the byte.
 * - `\O`, `\OO`, `\OOO` octal: the byte; three digits are taken only while the value fits a byte
 *   (a first digit above 3 limits the escape to two digits).
 * - `\a \b \f \n \r \t \v`: the control byte; `\` before any other byte (including a malformed
 *   `\u`/`\x`) is dropped and the byte kept (`\'` → `'`, `\\` → `\`).
 * - A lone `\` at the end stays.
 */
export function jsDecode(input: ByteString): ByteString {
  let i = input.indexOf("\\");
  if (i < 0) return input;
  const n = input.length;
  let out = "";
  let run = 0;
  while (i < n) {
    if (input.charCodeAt(i) !== 92) {
      i++;
      continue;
    }
    if (i + 1 >= n) break; // a lone backslash at the end is copied with the run
    const next = input.charCodeAt(i + 1);
    let byte: number;
    let len: number;
    if (
      next === 117 &&
      i + 5 < n &&
      isHexDigit(input.charCodeAt(i + 2)) &&
      isHexDigit(input.charCodeAt(i + 3)) &&
      isHexDigit(input.charCodeAt(i + 4)) &&
      isHexDigit(input.charCodeAt(i + 5))
    ) {
      byte = unicodeEscapeByte(input, i + 2);
      len = 6;
    } else if (
      next === 120 &&
      i + 3 < n &&
      isHexDigit(input.charCodeAt(i + 2)) &&
      isHexDigit(input.charCodeAt(i + 3))
    ) {
      byte = hexByte(input, i + 2);
      len = 4;
    } else if (isOctalDigit(next)) {
      let digits = 1;
      while (digits < 3 && isOctalDigit(input.charCodeAt(i + 1 + digits))) digits++;
      if (digits === 3 && next > 51) digits = 2; // \400 and above would not fit a byte
      byte = Number.parseInt(input.slice(i + 1, i + 1 + digits), 8);
      len = 1 + digits;
    } else {
      byte = C_ESCAPES[next] ?? next;
      len = 2;
    }
    out += input.slice(run, i) + String.fromCharCode(byte);
    run = i += len;
  }
  if (run === 0) return input;
  return out + input.slice(run);
}
