import type { ByteString } from "../bytes.js";

/**
 * `t:hexDecode` (ModSecurity reference manual, "hexDecode"): the inverse of `hexEncode` — each
 * pair of hex digits becomes a byte (`78797A` → `xyz`); a final odd digit is dropped.
 * ModSecurity does not validate the digits; its arithmetic (`c >= 'A' ? (c & 0xDF) - 'A' + 10
 * : c - '0'`, low byte of `16 × hi + lo`) is applied to any pair, so results match it on
 * malformed input too.
 */
export function hexDecode(input: ByteString): ByteString {
  let out = "";
  for (let i = 0; i + 1 < input.length; i += 2) {
    out += String.fromCharCode(((digit(input.charCodeAt(i)) << 4) + digit(input.charCodeAt(i + 1))) & 0xff);
  }
  return out;
}

function digit(c: number): number {
  return c >= 65 ? (c & 0xdf) - 65 + 10 : c - 48;
}
