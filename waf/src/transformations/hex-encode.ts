import type { ByteString } from "../bytes.js";

/** `t:hexEncode` (ModSecurity reference manual, "hexEncode"): each byte as two lower-case hex digits (`xyz` → `78797a`). */
export function hexEncode(input: ByteString): ByteString {
  return Buffer.from(input, "latin1").toString("hex");
}
