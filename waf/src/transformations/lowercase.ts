import type { ByteString } from "../bytes.js";
import { asciiLowercase } from "./ascii-case.js";

/**
 * `t:lowercase` (ModSecurity reference manual, "lowercase": "using the current C locale", which
 * is "C"): A–Z become a–z; every other byte, including latin1 letters, is left as it is.
 */
export function lowercase(input: ByteString): ByteString {
  return asciiLowercase(input);
}
