/**
 * A byte string: a JS string whose char codes are all 0–255, one char per byte (latin1).
 *
 * SecLang is defined on bytes (ModSecurity and its transformations work on octets: `length`
 * counts bytes, `urlDecodeUni` yields bytes, `validateUtf8Encoding` checks byte sequences), so
 * every value the engine reads, transforms and matches is a byte string. Request bytes become
 * one with `latin1` decoding, which is loss-free; a regex sees each byte as the code point of
 * the same number (U+0000–U+00FF), as PCRE without UTF mode sees bytes.
 */
export type ByteString = string;

/** The bytes of a buffer as a byte string (latin1, loss-free). */
export function byteString(bytes: Uint8Array): ByteString {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** A JS (UTF-16) string as the byte string of its UTF-8 encoding. */
export function utf8Bytes(text: string): ByteString {
  return Buffer.from(text, "utf8").toString("latin1");
}
