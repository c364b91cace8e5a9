import { hash } from "node:crypto";
import type { ByteString } from "../bytes.js";

/** `t:md5` (ModSecurity reference manual, "md5"): the MD5 digest of the input bytes as 16 raw bytes. */
export function md5(input: ByteString): ByteString {
  return hash("md5", Buffer.from(input, "latin1"), "binary");
}
