import type { ByteString } from "../bytes.js";
import { hexByte, isHexDigit, isOctalDigit } from "./char-class.js";
import { C_ESCAPES } from "./js-decode.js";

/**
 * `t:escapeSeqDecode` (ModSecurity reference manual, "escapeSeqDecode"): decodes ANSI C escapes —
 * `\a \b \f \n \r \t \v \\ \? \' \"`, `\xHH` (`x` in either case) and octal `\O`…`\OOO` (the
 * value's lowest byte: `\777` → 0xFF). As ModSecurity's code does, a backslash before any other
 * byte (including a malformed `\x`) is dropped and the byte kept (`\z` → `z`, `\xZ` → `xZ`); the
 * manual's "invalid encodings are left in the output" holds for that byte. A lone `\` at the end
 * stays.
 */
export function escapeSeqDecode(input: ByteString): ByteString {
  let i = input.indexOf("\\");
  if (i < 0) return input;
  const n = input.length;
  let out = "";
  let run = 0;
  while (i < n) {
    if (input.charCodeAt(i) !== 92) {
      i++;
      continue;
    }
    if (i + 1 >= n) break; // a lone backslash at the end is copied with the run
    const next = input.charCodeAt(i + 1);
    let byte: number;
    let len = 2;
    const simple = C_ESCAPES[next];
    if (simple !== undefined) {
      byte = simple;
    } else if (
      (next === 120 || next === 88) &&
      isHexDigit(input.charCodeAt(i + 2)) &&
      isHexDigit(input.charCodeAt(i + 3))
    ) {
      byte = hexByte(input, i + 2);
      len = 4;
    } else if (isOctalDigit(next)) {
      let digits = 1;
      while (digits < 3 && isOctalDigit(input.charCodeAt(i + 1 + digits))) digits++;
      byte = Number.parseInt(input.slice(i + 1, i + 1 + digits), 8) & 0xff;
      len = 1 + digits;
    } else {
      byte = next; // \\ \? \' \" and every unknown escape: the byte without the backslash
    }
    out += input.slice(run, i) + String.fromCharCode(byte);
    run = i += len;
  }
  if (run === 0) return input;
  return out + input.slice(run);
}
