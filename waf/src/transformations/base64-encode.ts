import type { ByteString } from "../bytes.js";

/** `t:base64Encode` (ModSecurity reference manual, "base64Encode"): RFC 4648 §4 base64 with `=` padding. */
export function base64Encode(input: ByteString): ByteString {
  return Buffer.from(input, "latin1").toString("base64");
}
