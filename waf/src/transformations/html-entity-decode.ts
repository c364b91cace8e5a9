import type { ByteString } from "../bytes.js";
import { isAlnum, isDigit, isHexDigit, NBSP } from "./char-class.js";

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
  let i = input.indexOf("&");
  if (i < 0) return input;
  const n = input.length;
  let out = "";
  let run = 0;
  while (i < n) {
    if (input.charCodeAt(i) !== 38) {
      i++;
      continue;
    }
    let byte = -1;
    let end = i + 1; // index after the entity's name or digits
    if (input.charCodeAt(end) === 35) {
      // &#…
      end++;
      const x = input.charCodeAt(end);
      if (x === 120 || x === 88) {
        const start = ++end;
        while (end < n && isHexDigit(input.charCodeAt(end))) end++;
        if (end > start) byte = numericEntityByte(input, start, end, 16);
      } else {
        const start = end;
        while (end < n && isDigit(input.charCodeAt(end))) end++;
        if (end > start) byte = numericEntityByte(input, start, end, 10);
      }
    } else {
      const start = end;
      while (end < n && isAlnum(input.charCodeAt(end))) end++;
      if (end > start && end - start <= 4) byte = NAMED[input.slice(start, end).toLowerCase()] ?? -1;
    }
    if (byte < 0) {
      i++; // not an entity: `&` is copied with the run, the bytes after it are scanned as usual
      continue;
    }
    out += input.slice(run, i) + String.fromCharCode(byte);
    if (input.charCodeAt(end) === 59) end++;
    run = i = end;
  }
  if (run === 0) return input;
  return out + input.slice(run);
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
