import type { ByteString } from "../bytes.js";
import { HEX_DIGITS } from "./char-class.js";

/**
 * `t:urlEncode` (ModSecurity reference manual, "urlEncode"): space → `+`; `*`, 0–9, A–Z, a–z
 * stay; every other byte → `%hh` with lower-case hex digits (ModSecurity's encoding set).
 */
export function urlEncode(input: ByteString): ByteString {
  let out = "";
  let run = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c === 42 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) continue;
    out += input.slice(run, i) + (c === 32 ? "+" : `%${HEX_DIGITS[c >> 4]}${HEX_DIGITS[c & 15]}`);
    run = i + 1;
  }
  if (run === 0) return input;
  return out + input.slice(run);
}
