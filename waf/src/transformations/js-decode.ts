import type { ByteString } from "../bytes.js";
import { hasHexDigits, hexByte, isOctalDigit, unicodeEscapeByte } from "./char-class.js";
import { decodedEscape, decodeEscapes, NOT_AN_ESCAPE, octalValue } from "./escape-decode.js";

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
  return decodeEscapes(input, "\\", jsEscapeAt);
}

function jsEscapeAt(input: ByteString, i: number): number {
  if (i + 1 >= input.length) return NOT_AN_ESCAPE; // a lone backslash at the end stays
  const next = input.charCodeAt(i + 1);
  if (next === 117 && hasHexDigits(input, i + 2, 4)) return decodedEscape(6, unicodeEscapeByte(input, i + 2));
  if (next === 120 && hasHexDigits(input, i + 2, 2)) return decodedEscape(4, hexByte(input, i + 2));
  if (isOctalDigit(next)) {
    let digits = 1;
    while (digits < 3 && isOctalDigit(input.charCodeAt(i + 1 + digits))) digits++;
    if (digits === 3 && next > 51) digits = 2; // \400 and above would not fit a byte
    return decodedEscape(1 + digits, octalValue(input, i + 1, digits));
  }
  return decodedEscape(2, C_ESCAPES[next] ?? next);
}
