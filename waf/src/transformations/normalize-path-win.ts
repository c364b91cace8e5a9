import type { ByteString } from "../bytes.js";
import { normalizePath } from "./normalize-path.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

/**
 * `t:normalizePathWin` (ModSecurity reference manual, "normalisePathWin"): every `\` becomes
 * `/`, then {@link normalizePath}.
 */
export function normalizePathWin(input: ByteString): ByteString {
  const first = input.indexOf("\\");
  if (first < 0) return normalizePath(input);
  // A byte loop: String.prototype.replaceAll is slow with many matches (tens of thousands).
  const n = input.length;
  const out = scratchBuffer(n);
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    out[i] = c === 92 ? 47 : c;
  }
  return normalizePath(takeBytes(out, n));
}
