import type { ByteString } from "../bytes.js";
import { trimLeft } from "./trim-left.js";
import { trimRight } from "./trim-right.js";

/** `t:trim` (ModSecurity reference manual, "trim"): removes C `isspace` bytes (SP \t \n \v \f \r) at both ends. */
export function trim(input: ByteString): ByteString {
  return trimRight(trimLeft(input));
}
