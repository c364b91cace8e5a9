/**
 * Integer hash mixing for the sketches: MurmurHash3's 32-bit finalizer (fmix32), which turns a
 * word into a uniformly mixed word in 5 operations, and a combiner for several words. The
 * sketches get their independent hash functions by seeding this with the row number.
 */

/** MurmurHash3 fmix32 of `h` (unsigned result). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Mixed hash of two words with a seed (unsigned). */
export function hash2(a: number, b: number, seed: number): number {
  return fmix32(Math.imul(fmix32((a ^ seed) >>> 0) ^ b, 0x9e3779b1) ^ seed);
}
