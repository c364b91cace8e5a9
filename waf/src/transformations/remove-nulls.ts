import type { ByteString } from "../bytes.js";

/** `t:removeNulls` (ModSecurity reference manual, "removeNulls"): removes every NUL byte. */
export function removeNulls(input: ByteString): ByteString {
  return input.indexOf("\x00") < 0 ? input : input.replaceAll("\x00", "");
}
