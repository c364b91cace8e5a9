import type { ByteString } from "../bytes.js";
import { withParityBit } from "./parity-zero-7bit.js";

/**
 * `t:parityOdd7bit` (ModSecurity reference manual, "parityOdd7bit"): each byte's high bit
 * becomes the odd-parity bit of its low seven bits.
 */
export function parityOdd7bit(input: ByteString): ByteString {
  return withParityBit(input, "odd");
}
