import type { ByteString } from "../bytes.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

/** Whether a byte is in the base64 alphabet of RFC 4648 §4 (`A–Z a–z 0–9 + /`, not the URL-safe `- _`). */
export function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

/** The 6-bit value of each base64 alphabet byte (RFC 4648 §4), -1 for the others. */
const SEXTET = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++)
  SEXTET["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)] = i;

/**
 * Decodes a string made only of base64 alphabet bytes (no padding): whole groups of four give
 * three bytes, a final group of two or three gives one or two, a lone final byte gives nothing
 * (the bits of a partial group that make no whole byte are dropped). One pass into the shared
 * scratch buffer: a CRS chain decodes every argument value this way, most of them short, where
 * `Buffer.from(…, "base64")` costs an allocation and two native calls.
 */
export function decodeBase64Alphabet(encoded: string): ByteString {
  const n = encoded.length - (encoded.length % 4 === 1 ? 1 : 0);
  const out = scratchBuffer((n >> 2) * 3 + 2);
  let o = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v =
      (SEXTET[encoded.charCodeAt(i)]! << 18) |
      (SEXTET[encoded.charCodeAt(i + 1)]! << 12) |
      (SEXTET[encoded.charCodeAt(i + 2)]! << 6) |
      SEXTET[encoded.charCodeAt(i + 3)]!;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 0xff;
    out[o++] = v & 0xff;
  }
  const rest = n - i;
  if (rest >= 2) {
    const v = (SEXTET[encoded.charCodeAt(i)]! << 18) | (SEXTET[encoded.charCodeAt(i + 1)]! << 12);
    out[o++] = v >> 16;
    if (rest === 3) out[o++] = ((v | (SEXTET[encoded.charCodeAt(i + 2)]! << 6)) >> 8) & 0xff;
  }
  return takeBytes(out, o);
}

/**
 * `t:base64Decode` (ModSecurity reference manual, "base64Decode"), with ModSecurity v2's decoder
 * (APR's `apr_base64_decode`): decodes the leading run of base64 alphabet bytes and stops at the
 * first byte outside it — padding `=`, whitespace, `-`/`_` or anything else — so `dGVzdA==` →
 * `test`, `dGVzdA` → `test`, `dGVz dA==` → `tes`, and input that starts with a non-alphabet byte
 * decodes to the empty string. A final partial group yields the whole bytes it holds.
 */
export function base64Decode(input: ByteString): ByteString {
  let end = 0;
  while (end < input.length && isBase64Char(input.charCodeAt(end))) end++;
  return decodeBase64Alphabet(end === input.length ? input : input.slice(0, end));
}
