import type { ByteString } from "../bytes.js";
import { percentDecode } from "./percent-decode.js";

/**
 * `t:urlDecodeUni` (ModSecurity reference manual, "urlDecodeUni"): `urlDecode` plus the
 * Microsoft `%uHHHH` form. A `%u` code in U+FF01–U+FF5E (full-width ASCII) becomes the ASCII
 * byte (lower byte + 0x20); any other code keeps only its lower byte (`%u0041` → `A`,
 * `%u2215` → 0x15). Invalid `%u` escapes stay as they are. ModSecurity's optional
 * `SecUnicodeMapFile` code-page table is not supported: the manual's default applies.
 */
export function urlDecodeUni(input: ByteString): ByteString {
  return percentDecode(input, true);
}
