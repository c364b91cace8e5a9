import { createHash } from "node:crypto";
import type { ByteString } from "../bytes.js";

/** `t:md5` (ModSecurity reference manual, "md5"): the MD5 digest of the input bytes as 16 raw bytes. */
export function md5(input: ByteString): ByteString {
  return createHash("md5").update(input, "latin1").digest().toString("latin1");
}
