import type { ByteString } from "../bytes.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

/**
 * `t:parityZero7bit` (ModSecurity reference manual, "parityZero7bit"): clears each byte's high
 * bit, so 7-bit data sent with even or odd parity reads as ASCII.
 */
export function parityZero7bit(input: ByteString): ByteString {
  return withParityBit(input, "zero");
}

/** Sets each byte's bit 7 to the even/odd parity bit of bits 0–6, or to zero. */
export function withParityBit(input: ByteString, parity: "even" | "odd" | "zero"): ByteString {
  const n = input.length;
  const out = scratchBuffer(n);
  let changed = false;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    let byte = c & 0x7f;
    if (parity !== "zero") {
      let ones = byte;
      ones ^= ones >> 4;
      ones ^= ones >> 2;
      ones ^= ones >> 1;
      if ((ones & 1) === (parity === "even" ? 1 : 0)) byte |= 0x80;
    }
    if (byte !== c) changed = true;
    out[i] = byte;
  }
  return changed ? takeBytes(out, n) : input;
}
