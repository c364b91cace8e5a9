/**
 * The anomaly record: one fixed-size binary record per request, written by the proxy's `logging`
 * phase into the ring (ring.ts) and read by the detector worker. 80 bytes = 20 little-endian
 * 32-bit words; word `w` of slot `s` is `u32[s * RECORD_WORDS + w]`, the time is
 * `f64[s * RECORD_WORDS / 2]`.
 *
 * | word | field | unit / encoding |
 * | --- | --- | --- |
 * | 0–1 | time | ms, float64, on a monotonic clock (`performance.timeOrigin + performance.now()`) |
 * | 2 | route index | {@link Interner} index of the route id; 0 = no route matched |
 * | 3 | status, auth, method | bits 0–15 HTTP status; 16–23 {@link AuthOutcome}; 24–31 {@link METHOD} id |
 * | 4 | upstream, content type, flags | bits 0–15 upstream index; 16–23 content-type id (content-type.ts); 24–31 {@link RecordFlag}s |
 * | 5 | consumer index | {@link Interner} index of the consumer id; 0 = anonymous |
 * | 6 | credential hash | FNV-1a 32 of the credential's identifier (never the secret); 0 = none |
 * | 7–10 | client address | 128 bits, big-endian words; IPv4 as IPv4-mapped IPv6 (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2) |
 * | 11 | path hash | FNV-1a 32 of the canonical path (no query) |
 * | 12 | user-agent hash | FNV-1a 32 of the User-Agent (first 512 code units); 0 = none |
 * | 13 | object id | last all-digit path segment (≤ 4294967294); {@link NO_OBJECT_ID} = none |
 * | 14 | latency | µs, saturating at 2^32 − 1 |
 * | 15 | request bytes | body bytes received, saturating |
 * | 16 | response bytes | body bytes sent, saturating |
 * | 17–19 | reserved | 0 (room for a WAF score and a TLS fingerprint) |
 */

/** Bytes per record. */
export const RECORD_BYTES = 80;
/** 32-bit words per record. */
export const RECORD_WORDS = RECORD_BYTES / 4;

/** Word offsets of the fields (see the table above). */
export const W = {
  time: 0,
  route: 2,
  statusAuthMethod: 3,
  upstreamCtypeFlags: 4,
  consumer: 5,
  credential: 6,
  address: 7,
  pathHash: 11,
  uaHash: 12,
  objectId: 13,
  latencyUs: 14,
  requestBytes: 15,
  responseBytes: 16,
} as const;

/** Object id field value when the path has no all-digit segment. */
export const NO_OBJECT_ID = 0xffffffff;

/**
 * What authentication said about the request. `failed` is a 401 from an auth policy (no valid
 * credential: RFC 9110 §15.5.2), `denied` a 403 for a valid credential that lacks access.
 */
export const AuthOutcome = {
  /** The route has no authentication policy, or it did not run. */
  none: 0,
  /** A credential was presented and accepted. */
  ok: 1,
  /** Missing, malformed or wrong credential (401). */
  failed: 2,
  /** Valid credential, access refused (403). */
  denied: 3,
} as const;
/** One of {@link AuthOutcome}'s values. */
export type AuthOutcome = (typeof AuthOutcome)[keyof typeof AuthOutcome];

/** Record flag bits (word 4, bits 24–31). */
export const RecordFlag = {
  /** The client address field holds a parsed address (else it is all zero). */
  addressValid: 1,
} as const;

/** Method ids (RFC 9110 §9 methods; anything else is `other`). */
export const METHOD = ["", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"] as const;

/**
 * Method id of a method name, without allocating (`GET` → 1 … `OPTIONS` → 7, else 8).
 * Method names are case-sensitive (RFC 9110 §9.1).
 */
export function methodId(m: string): number {
  switch (m.length) {
    case 3:
      return m === "GET" ? 1 : m === "PUT" ? 4 : 8;
    case 4:
      return m === "HEAD" ? 2 : m === "POST" ? 3 : 8;
    case 5:
      return m === "PATCH" ? 5 : 8;
    case 6:
      return m === "DELETE" ? 6 : 8;
    case 7:
      return m === "OPTIONS" ? 7 : 8;
    default:
      return 8;
  }
}
