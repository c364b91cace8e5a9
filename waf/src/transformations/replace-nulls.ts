import type { ByteString } from "../bytes.js";
import { mapNulls } from "./remove-nulls.js";

/** `t:replaceNulls` (ModSecurity reference manual, "replaceNulls"): every NUL byte becomes a space. */
export function replaceNulls(input: ByteString): ByteString {
  return mapNulls(input, 32);
}
