import type { ByteString } from "../bytes.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

/** `t:replaceNulls` (ModSecurity reference manual, "replaceNulls"): every NUL byte becomes a space. */
export function replaceNulls(input: ByteString): ByteString {
  const first = input.indexOf("\x00");
  if (first < 0) return input;
  const n = input.length;
  const out = scratchBuffer(n);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c !== 0) out[o++] = c;
    else out[o++] = 32;
  }
  return takeBytes(out, o);
}
