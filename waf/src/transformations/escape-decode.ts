import type { ByteString } from "../bytes.js";

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
 * what `escapeAt` decodes it to. Jumps from marker to marker with `indexOf` and copies the text
 * between as slices, since escapes are rare in most values. Returns the input itself when there
 * is no escape in it.
 */
export function decodeEscapes(input: ByteString, marker: string, escapeAt: EscapeAt): ByteString {
  let i = input.indexOf(marker);
  if (i < 0) return input;
  let out = "";
  let run = 0; // start of the text not yet copied to `out`
  while (i >= 0) {
    const found = escapeAt(input, i);
    if (found < 0) {
      i = input.indexOf(marker, i + 1);
      continue;
    }
    out += input.slice(run, i);
    if ((found & 256) !== 0) out += String.fromCharCode(found & 255);
    run = i + (found >>> 9);
    i = input.indexOf(marker, run);
  }
  if (run === 0) return input;
  return out + input.slice(run);
}
