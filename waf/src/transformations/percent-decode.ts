import type { ByteString } from "../bytes.js";
import { hexByte, isHexDigit, unicodeEscapeByte } from "./char-class.js";

/**
 * The `%` decoder behind `urlDecode` and `urlDecodeUni` (ModSecurity reference manual,
 * "urlDecode", "urlDecodeUni"): `%HH` becomes the byte, `+` becomes a space, and an invalid
 * escape (a non-hex digit, or fewer than two bytes left) is copied as it is without an error.
 * With `uni`, `%uHHHH` (either case of `u`) becomes one byte by {@link unicodeEscapeByte}; an
 * invalid `%u` escape is copied as it is. Returns the input itself when nothing was decoded.
 */
export function percentDecode(input: ByteString, uni: boolean): ByteString {
  const n = input.length;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c === 37 || c === 43) break;
    i++;
  }
  if (i === n) return input;
  let out = "";
  let run = 0; // start of the literal run not yet copied to `out`
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c === 43) {
      out += `${input.slice(run, i)} `;
      run = ++i;
    } else if (c === 37) {
      const next = input.charCodeAt(i + 1);
      if (uni && (next === 117 || next === 85)) {
        if (
          i + 5 < n &&
          isHexDigit(input.charCodeAt(i + 2)) &&
          isHexDigit(input.charCodeAt(i + 3)) &&
          isHexDigit(input.charCodeAt(i + 4)) &&
          isHexDigit(input.charCodeAt(i + 5))
        ) {
          out += input.slice(run, i) + String.fromCharCode(unicodeEscapeByte(input, i + 2));
          run = i += 6;
        } else {
          i += 2; // `%u` stays as it is; decoding resumes after it
        }
      } else if (i + 2 < n && isHexDigit(next) && isHexDigit(input.charCodeAt(i + 2))) {
        out += input.slice(run, i) + String.fromCharCode(hexByte(input, i + 1));
        run = i += 3;
      } else {
        i++;
      }
    } else {
      i++;
    }
  }
  if (run === 0) return input;
  return out + input.slice(run);
}
