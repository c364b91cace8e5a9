import type { ByteString } from "../bytes.js";

/**
 * `t:length` (ModSecurity reference manual, "length"): the input's length in bytes, as a decimal
 * string (`ABCDE` → `5`). A byte string has one char per byte, so its length is the byte count.
 */
export function length(input: ByteString): ByteString {
  return String(input.length);
}
