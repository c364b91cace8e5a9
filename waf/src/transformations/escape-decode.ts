import type { ByteString } from "../bytes.js";
import { scratchBuffer, takeBytes } from "./scratch-buffer.js";

/**
 * What an escape decoder found at a marker byte: {@link NOT_AN_ESCAPE}, or how many input bytes
 * the escape spans and the byte it stands for ({@link decodedEscape}), or only its span when it
 * stands for nothing ({@link droppedEscape}). Packed in one number so the scan allocates nothing.
 */
export type EscapeAt = (input: ByteString, at: number) => number;

/** The marker byte is not an escape here: it is copied and the scan goes on after it. */
export const NOT_AN_ESCAPE = -1;

/** An escape spanning `length` bytes that decodes to `byte`. */
export function decodedEscape(length: number, byte: number): number {
  return length * 512 + 256 + byte;
}

/** An escape spanning `length` bytes that decodes to nothing. */
export function droppedEscape(length: number): number {
  return length * 512;
}

/**
 * The loop behind the escape decoders (`jsDecode`, `cssDecode`, `escapeSeqDecode`,
 * `htmlEntityDecode`): copies `input`, replacing each escape that starts at a `marker` byte by
 * what `escapeAt` decodes it to, into the shared scratch buffer (an escape never decodes to more
 * bytes than it spans), so the work is one pass with no string built per escape. Returns the
 * input itself when there is no escape in it.
 */
export function decodeEscapes(input: ByteString, marker: string, escapeAt: EscapeAt): ByteString {
  let i = input.indexOf(marker);
  if (i < 0) return input;
  const m = marker.charCodeAt(0);
  const n = input.length;
  let out: Buffer | null = null;
  let o = 0;
  let copied = 0; // input before this index is in `out`
  while (i < n) {
    const found = escapeAt(input, i);
    if (found < 0) {
      i = nextMarker(input, m, i + 1, n);
      continue;
    }
    if (out === null) out = scratchBuffer(n);
    o = copy(input, copied, i, out, o);
    if ((found & 256) !== 0) out[o++] = found & 255;
    copied = i + (found >>> 9);
    i = nextMarker(input, m, copied, n);
  }
  if (out === null) return input;
  o = copy(input, copied, n, out, o);
  return takeBytes(out, o);
}

/** The index of the next `m` byte at or after `from`, or `n`. */
function nextMarker(input: ByteString, m: number, from: number, n: number): number {
  for (let i = from; i < n; i++) if (input.charCodeAt(i) === m) return i;
  return n;
}

/** Copies input[from, to) into out at o; returns the new o. */
function copy(input: ByteString, from: number, to: number, out: Buffer, o: number): number {
  let k = o;
  for (let i = from; i < to; i++) out[k++] = input.charCodeAt(i);
  return k;
}

/** The value of 1–3 octal digits at input[from, from+count). */
export function octalValue(input: ByteString, from: number, count: number): number {
  let v = 0;
  for (let k = 0; k < count; k++) v = v * 8 + (input.charCodeAt(from + k) - 48);
  return v;
}
