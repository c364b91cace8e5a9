import type { ByteString } from "../bytes.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

/** Latin1 letters that `String.prototype.toLowerCase` would change (À–Þ). */
const LATIN1_UPPER = /[\xc0-\xde]/;
/** Bytes `String.prototype.toUpperCase` would change beyond a–z (µ, ß, à–ÿ), or turn into chars above 0xFF. */
const NON_ASCII = /[\x80-\xff]/;

/**
 * C's `tolower` over every byte in the "C" locale: A–Z → a–z, nothing else. Uses the engine's
 * `toLowerCase` when the input has no latin1 capital it would also change.
 */
export function asciiLowercase(input: ByteString): ByteString {
  return LATIN1_UPPER.test(input) ? flip(input, 65, 90) : input.toLowerCase();
}

/** C's `toupper` over every byte in the "C" locale: a–z → A–Z, nothing else. */
export function asciiUppercase(input: ByteString): ByteString {
  return NON_ASCII.test(input) ? flip(input, 97, 122) : input.toUpperCase();
}

/** Flips bit 0x20 of every byte in [lo, hi]. */
function flip(input: ByteString, lo: number, hi: number): ByteString {
  const n = input.length;
  const out = scratchBuffer(n);
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    out[i] = c >= lo && c <= hi ? c ^ 0x20 : c;
  }
  return takeBytes(out, n);
}
