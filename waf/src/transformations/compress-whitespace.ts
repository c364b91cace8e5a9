import type { ByteString } from "../bytes.js";
import { isSpace, NBSP } from "./char-class.js";

/**
 * `t:compressWhitespace` (ModSecurity reference manual, "compressWhitespace"): every run of
 * whitespace (SP \f \t \n \r \v and 0xA0) becomes one space (0x20), at the ends too.
 */
export function compressWhitespace(input: ByteString): ByteString {
  const n = input.length;
  let out = "";
  let run = 0;
  let changed = false;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (!isSpace(c) && c !== NBSP) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < n && (isSpace(input.charCodeAt(end)) || input.charCodeAt(end) === NBSP)) end++;
    if (end - i > 1 || c !== 32) {
      out += `${input.slice(run, i)} `;
      run = end;
      changed = true;
    }
    i = end;
  }
  if (!changed) return input;
  return out + input.slice(run);
}
