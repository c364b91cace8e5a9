/**
 * Byte classes and digit values shared by the transformations, in the C "POSIX" locale that
 * ModSecurity runs its byte loops in (`isspace`, `isxdigit`, `tolower` see ASCII only).
 */

const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[65 + c] = 10 + c;
  HEX[97 + c] = 10 + c;
}

/** Value 0–15 of an ASCII hex digit, or -1 (also for NaN, i.e. past the end of a string). */
export function hexValue(c: number): number {
  return c >= 0 && c < 256 ? HEX[c]! : -1;
}

/** True for 0-9, A-F, a-f. */
export function isHexDigit(c: number): boolean {
  return c >= 0 && c < 256 && HEX[c]! >= 0;
}

/** True when `count` hex digits start at `s[i]`. */
export function hasHexDigits(s: string, i: number, count: number): boolean {
  for (let k = 0; k < count; k++) if (!isHexDigit(s.charCodeAt(i + k))) return false;
  return true;
}

/** True for 0-7. */
export function isOctalDigit(c: number): boolean {
  return c >= 48 && c <= 55;
}

/** True for 0-9. */
export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** True for A-Z, a-z, 0-9 (C `isalnum`). */
export function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122);
}

/** C `isspace`: SP, \t, \n, \v, \f, \r. */
export function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** NBSP as one latin1 byte (0xA0), which ModSecurity counts as whitespace beside `isspace`. */
export const NBSP = 0xa0;

/** The byte two hex digits at `s[i]`, `s[i+1]` stand for; both must be hex digits. */
export function hexByte(s: string, i: number): number {
  return (HEX[s.charCodeAt(i)]! << 4) | HEX[s.charCodeAt(i + 1)]!;
}

/**
 * The byte of a 16-bit `%uHHHH` / `\uHHHH` escape as ModSecurity reduces it (reference manual,
 * `urlDecodeUni` and `jsDecode`): the lower byte, except that the full-width ASCII forms
 * U+FF01–U+FF5E become their ASCII counterparts (lower byte + 0x20).
 * `i` indexes the first of the four hex digits, which must all be valid.
 */
export function unicodeEscapeByte(s: string, i: number): number {
  const low = hexByte(s, i + 2);
  if (low > 0 && low < 0x5f && HEX[s.charCodeAt(i)] === 15 && HEX[s.charCodeAt(i + 1)] === 15) return low + 0x20;
  return low;
}

/** Char codes of the lower-case hex digits, indexed by nibble. */
export const HEX_DIGIT_CODES: readonly number[] = Array.from("0123456789abcdef", (d) => d.charCodeAt(0));
