import type { ByteString } from "../bytes.js";
import { withParityBit } from "./parity-zero-7bit.js";

/**
 * `t:parityEven7bit` (ModSecurity reference manual, "parityEven7bit"): each byte's high bit
 * becomes the even-parity bit of its low seven bits.
 */
export function parityEven7bit(input: ByteString): ByteString {
  return withParityBit(input, "even");
}
