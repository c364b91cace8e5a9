import type { ByteString } from "../bytes.js";
import { isSpace } from "./char-class.js";

/** `t:trimLeft` (ModSecurity reference manual, "trimLeft"): removes C `isspace` bytes (SP \t \n \v \f \r) at the start. */
export function trimLeft(input: ByteString): ByteString {
  let i = 0;
  while (i < input.length && isSpace(input.charCodeAt(i))) i++;
  return i === 0 ? input : input.slice(i);
}
