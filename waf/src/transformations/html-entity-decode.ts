import type { ByteString } from "../bytes.js";
import { hexValue, isAlnum, isDigit, isHexDigit, NBSP } from "./char-class.js";
import { decodedEscape, decodeEscapes, NOT_AN_ESCAPE } from "./escape-decode.js";

/** The named entities ModSecurity decodes (reference manual, "htmlEntityDecode"), by lower-case name. */
const NAMED: Readonly<Record<string, number>> = { quot: 0x22, amp: 0x26, lt: 0x3c, gt: 0x3e, nbsp: NBSP };

/**
 * `t:htmlEntityDecode` (ModSecurity reference manual, "htmlEntityDecode"):
 * - `&#xHH…` / `&#XHH…` and `&#DDD…`, the `;` optional: one byte per entity. Entities above 0xFF
 *   keep their lowest byte (`&#x100;` → 0x00, `&#60;` → `<`); a value past the signed 64-bit range
 *   saturates like C's `strtol` and gives 0xFF.
 * - `&quot &amp &lt &gt &nbsp` in any case, the `;` optional: `" & < >` and 0xA0. The name is the
 *   whole run of letters and digits after `&`, so `&ltx` is not `&lt` followed by `x`.
 * - Anything else (unknown names, `&#` without digits, a lone `&`) is copied as it is.
 */
export function htmlEntityDecode(input: ByteString): ByteString {
  return decodeEscapes(input, "&", entityAt);
}

function entityAt(input: ByteString, i: number): number {
  const n = input.length;
  let byte = -1;
  let end = i + 1; // index after the entity's name or digits
  if (input.charCodeAt(end) === 35) {
    // &#…
    end++;
    const x = input.charCodeAt(end);
    const hex = x === 120 || x === 88;
    if (hex) end++;
    const start = end;
    while (end < n && (hex ? isHexDigit(input.charCodeAt(end)) : isDigit(input.charCodeAt(end)))) end++;
    if (end > start) byte = numericEntityByte(input, start, end, hex ? 16 : 10);
  } else {
    const start = end;
    while (end < n && isAlnum(input.charCodeAt(end))) end++;
    if (end > start && end - start <= 4) byte = namedEntity(input, start, end);
  }
  if (byte < 0) return NOT_AN_ESCAPE; // `&` is copied, the bytes after it are scanned as usual
  if (input.charCodeAt(end) === 59) end++;
  return decodedEscape(end - i, byte);
}

/** The byte of a named entity s[start, end) (`quot`, `AMP`, …, any case), or -1. */
function namedEntity(s: string, start: number, end: number): number {
  let name = "";
  for (let i = start; i < end; i++) name += String.fromCharCode(s.charCodeAt(i) | 0x20);
  return NAMED[name] ?? -1;
}

/**
 * The byte C's `(unsigned char) strtol(digits, NULL, radix)` gives for s[start, end): the low
 * byte of the value, or 0xFF once the value passes LONG_MAX (2^63 - 1), where strtol saturates.
 * One pass over the digits: the low byte of a sum and product depends only on the operands' low
 * bytes, and the value is known to exceed LONG_MAX once it has more significant digits than
 * LONG_MAX or the same number and a greater value (compared on the digits).
 */
function numericEntityByte(s: string, start: number, end: number, radix: 10 | 16): number {
  while (start < end - 1 && s.charCodeAt(start) === 48) start++; // leading zeros
  const digits = end - start;
  const maxDigits = radix === 16 ? 16 : 19; // LONG_MAX is 7fffffffffffffff / 9223372036854775807
  if (digits > maxDigits) return 0xff;
  if (
    digits === maxDigits &&
    s.slice(start, end).toLowerCase() > (radix === 16 ? "7fffffffffffffff" : "9223372036854775807")
  )
    return 0xff;
  let low = 0;
  for (let i = start; i < end; i++) low = (low * radix + hexValue(s.charCodeAt(i))) & 0xff;
  return low;
}
