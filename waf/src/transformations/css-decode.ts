import type { ByteString } from "../bytes.js";
import { hexByte, hexValue, isHexDigit, isSpace } from "./char-class.js";
import { decodedEscape, decodeEscapes, droppedEscape } from "./escape-decode.js";

/**
 * `t:cssDecode` (ModSecurity reference manual, "cssDecode"; CSS 2.1 §4.1.3 escapes), using at
 * most the last two hex digits of an escape:
 * - `\` + 1–6 hex digits: one digit is its value (`\9` → 0x09); 2–3 digits give the byte of the
 *   last two; 4 digits, and 5–6 digits with leading zeros, give the last two too, except that
 *   full-width ASCII U+FF01–U+FF5E becomes ASCII (`\ff1c` → `<`). One whitespace byte after the
 *   escape is part of it and dropped.
 * - `\` + newline: both dropped (a CSS line continuation).
 * - `\` + any other byte: that byte (`ja\vascript` → `javascript`).
 * - A lone `\` at the end is dropped.
 */
export function cssDecode(input: ByteString): ByteString {
  return decodeEscapes(input, "\\", cssEscapeAt);
}

function cssEscapeAt(input: ByteString, at: number): number {
  const n = input.length;
  const i = at + 1; // past the backslash
  if (i >= n) return droppedEscape(1);
  let digits = 0;
  while (digits < 6 && i + digits < n && isHexDigit(input.charCodeAt(i + digits))) digits++;
  if (digits === 0) return input.charCodeAt(i) === 10 ? droppedEscape(2) : decodedEscape(2, input.charCodeAt(i));
  const last = i + digits; // index after the digits
  let byte: number;
  if (digits === 1) {
    byte = hexValue(input.charCodeAt(i));
  } else {
    byte = hexByte(input, last - 2);
    const fullWidthCheck =
      digits === 4 ||
      (digits === 5 && input.charCodeAt(i) === 48) ||
      (digits === 6 && input.charCodeAt(i) === 48 && input.charCodeAt(i + 1) === 48);
    if (
      fullWidthCheck &&
      byte > 0 &&
      byte < 0x5f &&
      hexValue(input.charCodeAt(last - 3)) === 15 &&
      hexValue(input.charCodeAt(last - 4)) === 15
    ) {
      byte += 0x20;
    }
  }
  const space = last < n && isSpace(input.charCodeAt(last)) ? 1 : 0;
  return decodedEscape(1 + digits + space, byte);
}
