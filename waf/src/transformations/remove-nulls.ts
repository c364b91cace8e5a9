import type { ByteString } from "../bytes.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

/** `t:removeNulls` (ModSecurity reference manual, "removeNulls"): removes every NUL byte. */
export function removeNulls(input: ByteString): ByteString {
  return mapNulls(input, -1);
}

/**
 * `input` with every NUL byte replaced by `byte`, or removed when `byte` is negative; the input
 * itself when it has none. One pass into the scratch buffer (`replaceAll` is slow on many matches).
 */
export function mapNulls(input: ByteString, byte: number): ByteString {
  if (input.indexOf("\x00") < 0) return input;
  const n = input.length;
  const out = scratchBuffer(n);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c !== 0) out[o++] = c;
    else if (byte >= 0) out[o++] = byte;
  }
  return takeBytes(out, o);
}
