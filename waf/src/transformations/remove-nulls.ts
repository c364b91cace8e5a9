import type { ByteString } from "../bytes.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

/** `t:removeNulls` (ModSecurity reference manual, "removeNulls"): removes every NUL byte. */
export function removeNulls(input: ByteString): ByteString {
  const first = input.indexOf("\x00");
  if (first < 0) return input;
  const n = input.length;
  const out = scratchBuffer(n);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c !== 0) out[o++] = c;
  }
  return takeBytes(out, o);
}
