import type { ByteString } from "../bytes.js";

/** Whether a byte is in the base64 alphabet of RFC 4648 §4 (`A–Z a–z 0–9 + /`, not the URL-safe `- _`). */
export function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

/**
 * Decodes a string made only of base64 alphabet bytes (no padding): whole groups of four give
 * three bytes, a final group of two or three gives one or two, a lone final byte gives nothing.
 */
export function decodeBase64Alphabet(encoded: string): ByteString {
  const usable = encoded.length % 4 === 1 ? encoded.slice(0, -1) : encoded;
  return Buffer.from(usable, "base64").toString("latin1");
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
