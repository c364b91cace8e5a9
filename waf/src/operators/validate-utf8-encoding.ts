import type { OperatorFactory } from "./operator.js";

/**
 * Whether `value` (bytes) is well-formed UTF-8: no stray continuation byte, no truncated
 * sequence, no overlong form, no surrogate (U+D800–U+DFFF) and nothing above U+10FFFF
 * (RFC 3629 section 4).
 */
export function isValidUtf8(value: string): boolean {
  const n = value.length;
  let i = 0;
  while (i < n) {
    const b = value.charCodeAt(i);
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let cp: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      cp = b & 0x1f;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      cp = b & 0x0f;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      cp = b & 0x07;
      min = 0x10000;
    } else return false;
    if (i + need >= n) return false;
    for (let k = 1; k <= need; k++) {
      const c = value.charCodeAt(i + k);
      if ((c & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

/**
 * `@validateUtf8Encoding`: matches when the value is not well-formed UTF-8 (reference manual,
 * "validateUtf8Encoding"; CRS rule 920250, with `tx.crs_validate_utf8_encoding`).
 */
export const validateUtf8Encoding: OperatorFactory = () => ({
  name: "validateUtf8Encoding",
  evaluate: (value) => !isValidUtf8(value),
});
