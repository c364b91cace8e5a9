import { constants, createHmac, type KeyObject, timingSafeEqual, verify } from "node:crypto";
import type { SecurityReason } from "../../events/security-events.js";

/**
 * JWS compact serialization (RFC 7515 §7.1) parsing and signature verification with node:crypto
 * (synchronous, no WebCrypto round trip). The algorithm is never taken on trust from the token:
 * the caller passes the allow-list, and each key carries the algorithms it may verify, so `none`,
 * HMAC-with-a-public-key and family confusion cannot happen by construction (RFC 8725 §2.1, §3.1).
 * Header parameters that point at keys (`jku`, `x5u`, `jwk`, `x5c`) are never read; `kid` is
 * only a lookup key into the configured set.
 */

/** A JWS whose header passed the checks, signature not yet verified. */
export interface DecodedJws {
  readonly alg: string;
  /** The `kid` header, when present (always a string). */
  readonly kid: string | undefined;
  /** ASCII bytes of `BASE64URL(header) || '.' || BASE64URL(payload)` (RFC 7515 §5.2). */
  readonly signingInput: Buffer;
  readonly signature: Buffer;
  /** The payload segment, decoded only after the signature verified. */
  readonly payloadB64: string;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/** The 6-bit value of a base64url character (RFC 4648 §5), already checked against the alphabet. */
function sextet(c: number): number {
  if (c >= 0x61) return c - 0x61 + 26; // a-z
  if (c >= 0x41) return c === 0x5f ? 63 : c - 0x41; // A-Z, "_"
  return c === 0x2d ? 62 : c - 0x30 + 52; // "-", 0-9
}

/**
 * Whether a base64url segment (alphabet checked) is the one spelling of its bytes: unpadded
 * base64url (RFC 7515 §2) whose unused trailing bits are zero (RFC 4648 §3.5) and whose length
 * is not 1 mod 4 (6 bits make no byte). A decoder ignores those bits, so without this check
 * `…Q` and `…R` would be one signature with two spellings, and a cache or deny list keyed on
 * the token would see two tokens.
 */
export function isCanonicalBase64url(seg: string): boolean {
  const rest = seg.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  return (sextet(seg.charCodeAt(seg.length - 1)) & (rest === 2 ? 0x0f : 0x03)) === 0;
}
/** Longest protected header segment accepted, in characters. */
const MAX_HEADER_CHARS = 16 * 1024;

/**
 * Splits and checks a compact JWS: three canonical base64url segments, a JSON object header with a
 * string `alg` in `allowed`, a string `kid` if any, and no `crit` (RFC 7515 §4.1.11: this
 * verifier understands no extension, so any critical one must be refused).
 * @returns the decoded JWS, or the reason it is refused
 */
export function decodeJws(token: string, allowed: ReadonlySet<string>): DecodedJws | SecurityReason {
  const a = token.indexOf(".");
  const b = a === -1 ? -1 : token.indexOf(".", a + 1);
  if (b === -1 || token.indexOf(".", b + 1) !== -1) return "credential_malformed";
  const h = token.slice(0, a);
  const p = token.slice(a + 1, b);
  const s = token.slice(b + 1);
  if (h.length > MAX_HEADER_CHARS || !B64URL.test(h) || !B64URL.test(p) || (s !== "" && !B64URL.test(s))) {
    return "credential_malformed";
  }
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
  } catch {
    return "token_header_invalid";
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) return "token_header_invalid";
  const hdr = header as Record<string, unknown>;
  const alg = hdr.alg;
  if (typeof alg !== "string") return "token_header_invalid";
  if (!allowed.has(alg)) return "token_alg_not_allowed";
  if (hdr.crit !== undefined) return "token_header_invalid";
  const kid = hdr.kid;
  if (kid !== undefined && typeof kid !== "string") return "token_header_invalid";
  // One token, one spelling: the signature is not covered by itself, so a non-canonical
  // spelling of it would verify (header and payload spellings are covered, checked all the same).
  if (!isCanonicalBase64url(h) || !isCanonicalBase64url(p) || !isCanonicalBase64url(s)) return "credential_malformed";
  if (s === "") return "token_signature_invalid";
  return {
    alg,
    kid,
    signingInput: Buffer.from(token.slice(0, b), "latin1"),
    signature: Buffer.from(s, "base64url"),
    payloadB64: p,
  };
}

/**
 * Decodes the payload of a verified JWS.
 * @returns the claims object, or `undefined` when it is not a JSON object (RFC 7519 §7.2 step 10)
 */
export function decodePayload(payloadB64: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(payloadB64, "base64url").toString("utf8"));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const HASH: Readonly<Record<string, string>> = {
  HS256: "sha256",
  HS384: "sha384",
  HS512: "sha512",
  RS256: "sha256",
  RS384: "sha384",
  RS512: "sha512",
  PS256: "sha256",
  PS384: "sha384",
  PS512: "sha512",
  ES256: "sha256",
  ES384: "sha384",
  ES512: "sha512",
};

/** ECDSA signature length in bytes (R || S, RFC 7518 §3.4). */
const ECDSA_SIG_BYTES: Readonly<Record<string, number>> = { ES256: 64, ES384: 96, ES512: 132 };

/**
 * Verifies a JWS signature (RFC 7518 §3.2-§3.5, RFC 8037 §3.1). The caller has already checked
 * that `key` may be used with `alg`. Never throws: a key/algorithm mismatch is `false`.
 */
export function verifySignature(alg: string, key: KeyObject, input: Buffer, sig: Buffer): boolean {
  try {
    const family = alg.slice(0, 2);
    const hash = HASH[alg];
    if (family === "HS") {
      const mac = createHmac(hash!, key).update(input).digest();
      return mac.byteLength === sig.byteLength && timingSafeEqual(mac, sig);
    }
    if (family === "RS") return verify(hash!, input, { key, padding: constants.RSA_PKCS1_PADDING }, sig);
    if (family === "PS") {
      return verify(
        hash!,
        input,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        sig,
      );
    }
    if (family === "ES") {
      if (sig.byteLength !== ECDSA_SIG_BYTES[alg]) return false;
      return verify(hash!, input, { key, dsaEncoding: "ieee-p1363" }, sig);
    }
    if (alg === "EdDSA" || alg === "Ed25519") return verify(null, input, key, sig);
    return false;
  } catch {
    return false;
  }
}
