import type { ByteString } from "../bytes.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

/**
 * `t:hexDecode` (ModSecurity reference manual, "hexDecode"): the inverse of `hexEncode` — each
 * pair of hex digits becomes a byte (`78797A` → `xyz`); a final odd digit is dropped.
 * ModSecurity does not validate the digits; its arithmetic (`c >= 'A' ? (c & 0xDF) - 'A' + 10
 * : c - '0'`, low byte of `16 × hi + lo`) is applied to any pair, so results match it on
 * malformed input too.
 */
export function hexDecode(input: ByteString): ByteString {
  const pairs = input.length >> 1;
  const out = scratchBuffer(pairs);
  for (let k = 0; k < pairs; k++) {
    out[k] = ((digit(input.charCodeAt(2 * k)) << 4) + digit(input.charCodeAt(2 * k + 1))) & 0xff;
  }
  return takeBytes(out, pairs);
}

function digit(c: number): number {
  return c >= 65 ? (c & 0xdf) - 65 + 10 : c - 48;
}
