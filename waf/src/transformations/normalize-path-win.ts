import type { ByteString } from "../bytes.js";
import { normalizePath } from "./normalize-path.js";

/**
 * `t:normalizePathWin` (ModSecurity reference manual, "normalisePathWin"): every `\` becomes
 * `/`, then {@link normalizePath}.
 */
export function normalizePathWin(input: ByteString): ByteString {
  return normalizePath(input.indexOf("\\") < 0 ? input : input.replaceAll("\\", "/"));
}
