import type { ByteString } from "../bytes.js";
import { isSpace } from "./char-class.js";

/** `t:trimRight` (ModSecurity reference manual, "trimRight"): removes C `isspace` bytes (SP \t \n \v \f \r) at the end. */
export function trimRight(input: ByteString): ByteString {
  let end = input.length;
  while (end > 0 && isSpace(input.charCodeAt(end - 1))) end--;
  return end === input.length ? input : input.slice(0, end);
}
