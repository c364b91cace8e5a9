import { hash } from "node:crypto";
import type { ByteString } from "../bytes.js";

/**
 * `t:sha1` (ModSecurity reference manual, "sha1"): the SHA-1 digest of the input bytes as 20 raw
 * bytes (pair with `t:hexEncode` for text, as CRS does in 901320 and 901410).
 */
export function sha1(input: ByteString): ByteString {
  return hash("sha1", Buffer.from(input, "latin1"), "binary");
}
