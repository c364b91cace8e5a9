import type { ByteString } from "../bytes.js";
import { percentDecode } from "./percent-decode.js";

/**
 * `t:urlDecode` (ModSecurity reference manual, "urlDecode"): `%HH` → byte, `+` → space; invalid
 * encodings (non-hex digits, one or two bytes missing at the end) are left as they are, no error.
 */
export function urlDecode(input: ByteString): ByteString {
  return percentDecode(input, false);
}
