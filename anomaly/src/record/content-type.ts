/**
 * Content-type ids (one byte in the record): 0 = no body type, 1–15 the common media types,
 * 16–255 a hash of any other media type (so a type a route has never seen still shows up as
 * "new"; two rare types may share an id, 1 in 240). The media type is the part before `;`,
 * compared case-insensitively (RFC 9110 §8.3.1).
 */
export const CONTENT_TYPES: readonly string[] = [
  "",
  "application/json",
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "application/xml",
  "text/xml",
  "text/plain",
  "application/octet-stream",
  "application/graphql",
  "application/grpc",
  "application/x-protobuf",
  "application/msgpack",
  "text/html",
  "text/csv",
  "application/problem+json",
  "application/ld+json",
];

const FNV_PRIME = 0x01000193;

/** FNV-1a of the media type of a header value, lower-cased, up to `;` or whitespace; 0 when empty. */
function mediaTypeHash(value: string): number {
  let h = 0x811c9dc5;
  let started = false;
  const n = Math.min(value.length, 128);
  for (let i = 0; i < n; i++) {
    let c = value.charCodeAt(i);
    if (c === 0x3b /* ; */) break;
    if (c === 0x20 || c === 0x09) {
      if (started) break;
      continue;
    }
    started = true;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return started ? h >>> 0 || 1 : 0;
}

const KNOWN = new Map<number, number>();
for (let i = 1; i < CONTENT_TYPES.length; i++) KNOWN.set(mediaTypeHash(CONTENT_TYPES[i]!), i);

/**
 * Content-type id of a `Content-Type` header value, without allocating: the media type is hashed
 * lower-cased up to `;` or whitespace. `undefined` or empty → 0.
 */
export function contentTypeId(value: string | undefined): number {
  if (value === undefined || value.length === 0) return 0;
  if (value === "application/json") return 1; // most API bodies: skip the scan
  const hash = mediaTypeHash(value);
  if (hash === 0) return 0;
  const known = KNOWN.get(hash);
  return known ?? 16 + (hash % 240);
}

/** A readable name for a content-type id: the media type, or `other#<id>` for hashed ones. */
export function contentTypeName(id: number): string {
  return id < CONTENT_TYPES.length ? CONTENT_TYPES[id] || "none" : `other#${id}`;
}
