import type { ByteString } from "../bytes.js";
import { hasHexDigits, hexByte, isOctalDigit } from "./char-class.js";
import { decodedEscape, decodeEscapes, NOT_AN_ESCAPE, octalValue } from "./escape-decode.js";
import { C_ESCAPES } from "./js-decode.js";

/**
 * `t:escapeSeqDecode` (ModSecurity reference manual, "escapeSeqDecode"): decodes ANSI C escapes —
 * `\a \b \f \n \r \t \v \\ \? \' \"`, `\xHH` (`x` in either case) and octal `\O`…`\OOO` (the
 * value's lowest byte: `\777` → 0xFF). As ModSecurity's code does, a backslash before any other
 * byte (including a malformed `\x`) is dropped and the byte kept (`\z` → `z`, `\xZ` → `xZ`); the
 * manual's "invalid encodings are left in the output" holds for that byte. A lone `\` at the end
 * stays.
 */
export function escapeSeqDecode(input: ByteString): ByteString {
  return decodeEscapes(input, "\\", escapeSeqAt);
}

function escapeSeqAt(input: ByteString, i: number): number {
  if (i + 1 >= input.length) return NOT_AN_ESCAPE; // a lone backslash at the end stays
  const next = input.charCodeAt(i + 1);
  const simple = C_ESCAPES[next];
  if (simple !== undefined) return decodedEscape(2, simple);
  if ((next === 120 || next === 88) && hasHexDigits(input, i + 2, 2)) return decodedEscape(4, hexByte(input, i + 2));
  if (isOctalDigit(next)) {
    let digits = 1;
    while (digits < 3 && isOctalDigit(input.charCodeAt(i + 1 + digits))) digits++;
    return decodedEscape(1 + digits, octalValue(input, i + 1, digits) & 0xff);
  }
  return decodedEscape(2, next); // \\ \? \' \" and every unknown escape: the byte without the backslash
}
