import type { ByteString } from "../bytes.js";

let scratch = Buffer.allocUnsafe(16 * 1024);

/**
 * A reusable output buffer of at least `size` bytes for the byte loops that build a new value:
 * writing bytes and reading them back once with {@link takeBytes} beats concatenating many small
 * strings. One buffer serves every transformation: a call fills it and reads it back before it
 * returns, and JavaScript runs one call at a time, so no two users ever overlap.
 */
export function scratchBuffer(size: number): Buffer {
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
  return scratch;
}

/** The first `length` bytes of a scratch buffer as a byte string (a copy). */
export function takeBytes(buffer: Buffer, length: number): ByteString {
  return buffer.toString("latin1", 0, length);
}
