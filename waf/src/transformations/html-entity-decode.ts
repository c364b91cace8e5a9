import type { ByteString } from "../bytes.js";
import { isAlnum, isDigit, isHexDigit, NBSP } from "./char-class.js";
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
    if (end > start && end - start <= 4) byte = NAMED[input.slice(start, end).toLowerCase()] ?? -1;
  }
  if (byte < 0) return NOT_AN_ESCAPE; // `&` is copied, the bytes after it are scanned as usual
  if (input.charCodeAt(end) === 59) end++;
  return decodedEscape(end - i, byte);
}

const LONG_MAX = 0x7fffffffffffffffn;

/** The byte C's `(unsigned char) strtol(digits, NULL, radix)` gives for s[start, end). */
function numericEntityByte(s: string, start: number, end: number, radix: 10 | 16): number {
  while (start < end - 1 && s.charCodeAt(start) === 48) start++; // leading zeros
  if (end - start <= 12) return Number.parseInt(s.slice(start, end), radix) & 0xff;
  const value = BigInt(radix === 16 ? `0x${s.slice(start, end)}` : s.slice(start, end));
  if (value > LONG_MAX) return 0xff; // strtol saturates at LONG_MAX
  return Number(value & 0xffn);
}
