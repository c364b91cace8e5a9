import type { ByteString } from "../bytes.js";

/**
 * Flips bit 0x20 of every byte in [lo, hi] (an ASCII letter range), as C's `tolower`/`toupper`
 * do in the "C" locale. Returns the input itself when no byte is in the range.
 * (`String.prototype.toLowerCase` would also map latin1 letters such as À.)
 */
export function flipAsciiCase(input: ByteString, lo: number, hi: number): ByteString {
  const n = input.length;
  let from = 0;
  while (from < n) {
    const c = input.charCodeAt(from);
    if (c >= lo && c <= hi) break;
    from++;
  }
  if (from === n) return input;
  let out = "";
  let run = 0;
  for (let i = from; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c >= lo && c <= hi) {
      out += input.slice(run, i) + String.fromCharCode(c ^ 0x20);
      run = i + 1;
    }
  }
  return out + input.slice(run);
}
