import { NO_OBJECT_ID } from "./layout.js";

/**
 * String hashing for the hot path: FNV-1a 32 over UTF-16 code units (one xor and one multiply per
 * character, or per two for {@link fnv1a}; no allocation). FNV is not collision-resistant, which is fine here: the hashes feed
 * sketches and equality of paths and user agents, never an access decision.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Longest prefix of a user agent that is hashed (a longer one is cut, not rejected). */
export const MAX_HASHED_CHARS = 512;

/**
 * FNV-1a 32 of `s`'s first {@link MAX_HASHED_CHARS} code units, taken two at a time (one 32-bit
 * word per step: half the multiplies of byte-wise FNV), as an unsigned 32-bit number; 0 for
 * `undefined` or `""` (0 means "none" in the record).
 */
export function fnv1a(s: string | undefined): number {
  if (s === undefined || s.length === 0) return 0;
  let h = FNV_OFFSET ^ s.length;
  const n = Math.min(s.length, MAX_HASHED_CHARS);
  let i = 0;
  for (; i + 1 < n; i += 2) h = Math.imul(h ^ (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)), FNV_PRIME);
  if (i < n) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  h ^= h >>> 15;
  return h >>> 0 || 1;
}

/** Result of {@link hashPath}, written into a reused object (no allocation per call). */
export interface PathHash {
  /** FNV-1a 32 of the whole path. */
  hash: number;
  /** The last path segment made only of digits, or {@link NO_OBJECT_ID}. */
  objectId: number;
}

/**
 * Hashes a canonical path (no query) and picks its last all-digit segment as the object id, in
 * one pass: `/v1/users/1234/orders` → objectId 1234. Segments longer than 10 digits or above
 * 4294967294 are not ids. Writes into `out` and returns it.
 */
export function hashPath(path: string, out: PathHash): PathHash {
  let h = FNV_OFFSET;
  let id = NO_OBJECT_ID;
  let seg = 0;
  let digits = 0;
  let numeric = false;
  const n = path.length;
  for (let i = 0; i < n; i++) {
    const c = path.charCodeAt(i);
    h = Math.imul(h ^ c, FNV_PRIME);
    if (c === 0x2f /* / */) {
      if (numeric && digits > 0 && digits <= 10 && seg < NO_OBJECT_ID) id = seg;
      seg = 0;
      digits = 0;
      numeric = true;
    } else if (c >= 0x30 && c <= 0x39 && numeric) {
      seg = seg * 10 + (c - 0x30);
      digits++;
    } else {
      numeric = false;
    }
  }
  if (numeric && digits > 0 && digits <= 10 && seg < NO_OBJECT_ID) id = seg;
  out.hash = h >>> 0;
  out.objectId = id;
  return out;
}
