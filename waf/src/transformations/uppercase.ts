import type { ByteString } from "../bytes.js";
import { asciiUppercase } from "./ascii-case.js";

/**
 * `t:uppercase` (ModSecurity v3 reference manual, "uppercase"): a–z become A–Z; every other byte,
 * including latin1 letters, is left as it is.
 */
export function uppercase(input: ByteString): ByteString {
  return asciiUppercase(input);
}
