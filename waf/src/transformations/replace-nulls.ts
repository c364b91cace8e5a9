import type { ByteString } from "../bytes.js";

/** `t:replaceNulls` (ModSecurity reference manual, "replaceNulls"): every NUL byte becomes a space. */
export function replaceNulls(input: ByteString): ByteString {
  return input.indexOf("\x00") < 0 ? input : input.replaceAll("\x00", " ");
}
