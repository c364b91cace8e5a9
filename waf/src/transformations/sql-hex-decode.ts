import type { ByteString } from "../bytes.js";
import { hexByte, isHexDigit } from "./char-class.js";

/**
 * `t:sqlHexDecode` (ModSecurity reference manual, "sqlHexDecode"): SQL hex literals `0xHH…`
 * (`x` in either case) become their bytes (`0x414243` → `ABC`); decoding takes whole pairs, so a
 * final odd digit stays as text. `0x` not followed by at least one pair stays as it is.
 */
export function sqlHexDecode(input: ByteString): ByteString {
  const n = input.length;
  let out = "";
  let run = 0;
  let i = input.indexOf("0");
  while (i >= 0 && i + 3 < n) {
    const x = input.charCodeAt(i + 1);
    if ((x === 120 || x === 88) && isHexDigit(input.charCodeAt(i + 2)) && isHexDigit(input.charCodeAt(i + 3))) {
      out += input.slice(run, i);
      let j = i + 2;
      while (j + 1 < n && isHexDigit(input.charCodeAt(j)) && isHexDigit(input.charCodeAt(j + 1))) {
        out += String.fromCharCode(hexByte(input, j));
        j += 2;
      }
      run = j;
      i = input.indexOf("0", j);
    } else {
      i = input.indexOf("0", i + 1);
    }
  }
  if (run === 0) return input;
  return out + input.slice(run);
}
