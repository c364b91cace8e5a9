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
 * what `escapeAt` decodes it to. Returns the input itself when there is no escape in it.
 */
export function decodeEscapes(input: ByteString, marker: string, escapeAt: EscapeAt): ByteString {
  let i = input.indexOf(marker);
  if (i < 0) return input;
  const code = marker.charCodeAt(0);
  const n = input.length;
  const out = scratchBuffer(n);
  out.write(input, 0, i, "latin1");
  let o = i;
  let changed = false;
  while (i < n) {
    const c = input.charCodeAt(i);
    const found = c === code ? escapeAt(input, i) : NOT_AN_ESCAPE;
    if (found < 0) {
      out[o++] = c;
      i++;
      continue;
    }
    if ((found & 256) !== 0) out[o++] = found & 255;
    i += found >>> 9;
    changed = true;
  }
  return changed ? takeBytes(out, o) : input;
}
