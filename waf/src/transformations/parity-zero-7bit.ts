import type { ByteString } from "../bytes.js";

/**
 * `t:parityZero7bit` (ModSecurity reference manual, "parityZero7bit"): clears each byte's high
 * bit, so 7-bit data sent with even or odd parity reads as ASCII.
 */
export function parityZero7bit(input: ByteString): ByteString {
  return withParityBit(input, "zero");
}

/** Sets each byte's bit 7 to the even/odd parity bit of bits 0–6, or to zero. */
export function withParityBit(input: ByteString, parity: "even" | "odd" | "zero"): ByteString {
  let out = "";
  let changed = false;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    let low = c & 0x7f;
    if (parity !== "zero") {
      let ones = low;
      ones ^= ones >> 4;
      ones ^= ones >> 2;
      ones ^= ones >> 1;
      const odd = (ones & 1) === 1;
      if (odd === (parity === "even")) low |= 0x80;
    }
    if (low !== c) changed = true;
    out += String.fromCharCode(low);
  }
  return changed ? out : input;
}
