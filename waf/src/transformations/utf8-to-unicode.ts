import type { ByteString } from "../bytes.js";
import { HEX_DIGIT_CODES } from "./char-class.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

/**
 * `t:utf8toUnicode` (ModSecurity reference manual, "utf8toUnicode"): every well-formed UTF-8
 * multi-byte sequence becomes the text `%uHHHH` (lower-case hex, at least four digits:
 * `é` → `%u00e9`, U+1F600 → `%u1f600`), which a following `t:urlDecodeUni` reduces to one byte;
 * CRS pairs the two so that full-width forms (`＜` → `%uff1c` → `<`) are matched as ASCII.
 * ASCII bytes are copied. Bytes that do not start a well-formed sequence (stray continuation
 * bytes, 0xF8–0xFF, a lead byte without its continuation bytes) are copied as they are.
 *
 * A sequence is well formed when a lead byte 110xxxxx / 1110xxxx / 11110xxx is followed by one,
 * two or three 10xxxxxx bytes (RFC 3629 §3 structure). Like ModSecurity, overlong forms and
 * surrogates are converted by value (`C0 AF` → `%u002f`), so an overlong `/` is still seen as
 * `/` after `urlDecodeUni`. Unlike ModSecurity's code, which drops NUL bytes and the lead byte of
 * a broken sequence and appends a stray lead byte after overlong forms, this copies them: the
 * manual documents none of those, and a transformation that deletes bytes hides evidence.
 */
export function utf8toUnicode(input: ByteString): ByteString {
  const n = input.length;
  let i = 0;
  while (i < n && input.charCodeAt(i) < 0x80) i++;
  if (i === n) return input;
  const out = scratchBuffer(3 * n); // 2 bytes → `%uHHHH` is the largest growth
  out.write(input.slice(0, i), 0, "latin1");
  let o = i;
  let changed = false;
  while (i < n) {
    const c = input.charCodeAt(i);
    const len = c < 0xc0 || c > 0xf7 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    let cp = c & (len === 2 ? 0x1f : len === 3 ? 0x0f : 0x07);
    let ok = len > 1 && i + len <= n;
    for (let k = 1; ok && k < len; k++) {
      const cont = input.charCodeAt(i + k);
      if ((cont & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (cont & 0x3f);
    }
    if (!ok) {
      // ASCII, a stray continuation byte, 0xF8–0xFF or a broken sequence's lead byte: copied
      out[o++] = c;
      i++;
      continue;
    }
    out[o++] = 0x25; // %
    out[o++] = 0x75; // u
    const digits = cp > 0xfffff ? 6 : cp > 0xffff ? 5 : 4;
    for (let d = digits - 1; d >= 0; d--) out[o++] = HEX_DIGIT_CODES[(cp >> (4 * d)) & 15]!;
    i += len;
    changed = true;
  }
  return changed ? takeBytes(out, o) : input;
}
