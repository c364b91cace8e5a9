import type { JwtPolicy } from "@palisade/proto";
import { base64url, type JSONWebKeySet, type JWK } from "jose";
import { PolicyConfigError } from "../types.js";

/** JWS algorithms this node verifies (RFC 7518 §3.1, RFC 8037 §3.1). `none` is never one of them. */
export const SUPPORTED_ALGORITHMS: readonly string[] = Object.freeze([
  "HS256",
  "HS384",
  "HS512",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
]);

/** The allow-list used when a policy lists no algorithm: every asymmetric one, never HMAC. */
export const DEFAULT_ALGORITHMS: readonly string[] = Object.freeze(
  SUPPORTED_ALGORITHMS.filter((a) => !a.startsWith("HS")),
);

/** Minimum HMAC key length in bytes per algorithm: the hash output size (RFC 7518 §3.2). */
export const HMAC_MIN_KEY_BYTES: Readonly<Record<string, number>> = Object.freeze({
  HS256: 32,
  HS384: 48,
  HS512: 64,
});

/** The JWK key type each algorithm family needs. */
function ktyFor(alg: string): string {
  if (alg.startsWith("HS")) return "oct";
  if (alg.startsWith("RS") || alg.startsWith("PS")) return "RSA";
  if (alg.startsWith("ES")) return "EC";
  return "OKP";
}

// Header names a claim may not be forwarded as: framing, hop-by-hop, the credential itself and
// the forwarding headers the proxy owns.
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "upgrade",
  "expect",
  "authorization",
  "proxy-authorization",
  "proxy-authenticate",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "x-forwarded-port",
  "x-forwarded-prefix",
  "x-real-ip",
  "x-request-id",
]);

// RFC 9110 §5.1 field-name = token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/** Where verification keys come from. */
export type KeySource =
  | { readonly kind: "inline"; readonly jwks: JSONWebKeySet; readonly hmacKeys: readonly HmacKey[] }
  | { readonly kind: "remote"; readonly url: string };

/** One inline `oct` JWK, decoded. */
export interface HmacKey {
  readonly kid: string | undefined;
  readonly alg: string | undefined;
  readonly secret: Uint8Array;
}

/** A validated JWT policy config. */
export interface JwtSettings {
  readonly keys: KeySource;
  readonly algorithms: readonly string[];
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  /** Clock tolerance for exp/nbf/iat, in seconds. */
  readonly leewayS: number;
  /** [claim name, lower-case header name] pairs. */
  readonly claimHeaders: readonly (readonly [string, string])[];
  readonly forwardToken: boolean;
}

/**
 * Validates a `JwtPolicy` message (RFC 7519, RFC 7517, RFC 7518). No I/O: a `jwks_url` is only
 * checked for shape here and fetched at request time.
 * @throws PolicyConfigError with a message naming the field (and never echoing key material)
 */
export function parseJwtConfig(cfg: JwtPolicy): JwtSettings {
  const algorithms = parseAlgorithms(cfg.algorithms);
  const wantsHmac = algorithms.some((a) => a.startsWith("HS"));
  let keys: KeySource;
  if (cfg.jwksJson !== "" && cfg.jwksUrl !== "") {
    throw new PolicyConfigError("set one of jwks_json and jwks_url, not both");
  } else if (cfg.jwksJson !== "") {
    keys = parseInlineJwks(cfg.jwksJson, algorithms);
  } else if (cfg.jwksUrl !== "") {
    if (wantsHmac) throw new PolicyConfigError("algorithms: HMAC (HS*) needs inline oct keys in jwks_json");
    keys = { kind: "remote", url: parseJwksUrl(cfg.jwksUrl) };
  } else {
    throw new PolicyConfigError("one of jwks_json and jwks_url is required");
  }
  for (const iss of cfg.issuers) if (iss === "") throw new PolicyConfigError("issuers: empty value");
  for (const aud of cfg.audiences) if (aud === "") throw new PolicyConfigError("audiences: empty value");
  return {
    keys,
    algorithms,
    issuers: [...cfg.issuers],
    audiences: [...cfg.audiences],
    leewayS: cfg.leewayS,
    claimHeaders: parseClaimHeaders(cfg.claimsToHeaders),
    forwardToken: cfg.forwardToken,
  };
}

function parseAlgorithms(list: readonly string[]): readonly string[] {
  if (list.length === 0) return DEFAULT_ALGORITHMS;
  const out: string[] = [];
  for (const alg of list) {
    // RFC 8725 §3.1/§3.2: "none" would let anyone forge a token; refuse it however it is spelt.
    if (alg.toLowerCase() === "none") throw new PolicyConfigError('algorithms: "none" is never accepted');
    if (!SUPPORTED_ALGORITHMS.includes(alg)) throw new PolicyConfigError(`algorithms: unsupported algorithm "${alg}"`);
    if (!out.includes(alg)) out.push(alg);
  }
  return out;
}

function parseInlineJwks(text: string, algorithms: readonly string[]): KeySource {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the input, which is key material.
    throw new PolicyConfigError("jwks_json: not valid JSON");
  }
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (typeof doc !== "object" || doc === null || !Array.isArray(keys)) {
    throw new PolicyConfigError('jwks_json: expected a JWK Set {"keys": [...]} (RFC 7517 §5)');
  }
  if (keys.length === 0) throw new PolicyConfigError("jwks_json: the key set is empty");
  const hmacKeys: HmacKey[] = [];
  const publicKeys: JWK[] = [];
  for (const [i, key] of keys.entries()) {
    if (typeof key !== "object" || key === null || typeof (key as JWK).kty !== "string") {
      throw new PolicyConfigError(`jwks_json: keys[${i}] is not a JWK (missing "kty")`);
    }
    const jwk = key as JWK;
    if (jwk.kty === "oct") {
      hmacKeys.push(parseOctKey(jwk, i));
    } else {
      // A verifier needs public keys only; private material in config is a leak waiting to happen.
      if (jwk.d !== undefined || (jwk as { priv?: unknown }).priv !== undefined) {
        throw new PolicyConfigError(`jwks_json: keys[${i}] holds private key material; publish the public key only`);
      }
      publicKeys.push(jwk);
    }
  }
  const ktys = new Set(keys.map((k: JWK) => k.kty));
  if (!algorithms.some((a) => ktys.has(ktyFor(a)))) {
    throw new PolicyConfigError(`jwks_json: no key fits the allowed algorithms (${algorithms.join(", ")})`);
  }
  if (algorithms.some((a) => a.startsWith("HS")) && hmacKeys.length === 0) {
    throw new PolicyConfigError("algorithms: HMAC (HS*) needs at least one oct key in jwks_json");
  }
  return { kind: "inline", jwks: { keys: publicKeys }, hmacKeys };
}

function parseOctKey(jwk: JWK, i: number): HmacKey {
  let secret: Uint8Array;
  try {
    if (typeof jwk.k !== "string" || jwk.k === "") throw new Error("no k");
    secret = base64url.decode(jwk.k);
  } catch {
    throw new PolicyConfigError(`jwks_json: keys[${i}] (oct) needs a base64url "k"`);
  }
  if (secret.byteLength < 32) {
    throw new PolicyConfigError(`jwks_json: keys[${i}] (oct) is shorter than 256 bits (RFC 7518 §3.2)`);
  }
  if (jwk.use !== undefined && jwk.use !== "sig") {
    throw new PolicyConfigError(`jwks_json: keys[${i}] has use "${jwk.use}", expected "sig"`);
  }
  return { kid: typeof jwk.kid === "string" ? jwk.kid : undefined, alg: jwk.alg, secret };
}

function parseJwksUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PolicyConfigError("jwks_url: not an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new PolicyConfigError("jwks_url: scheme must be https or http");
  }
  return url.href;
}

function parseClaimHeaders(map: Readonly<Record<string, string>>): readonly (readonly [string, string])[] {
  const out: [string, string][] = [];
  const seen = new Set<string>();
  for (const [claim, rawHeader] of Object.entries(map)) {
    const header = rawHeader.toLowerCase();
    if (claim === "") throw new PolicyConfigError("claims_to_headers: empty claim name");
    if (!TOKEN.test(header))
      throw new PolicyConfigError(`claims_to_headers: "${rawHeader}" is not a valid header name`);
    if (RESERVED_HEADERS.has(header) || header.startsWith("proxy-")) {
      throw new PolicyConfigError(`claims_to_headers: header "${rawHeader}" is reserved by the proxy`);
    }
    if (seen.has(header)) throw new PolicyConfigError(`claims_to_headers: header "${rawHeader}" is used twice`);
    seen.add(header);
    out.push([claim, header]);
  }
  return out;
}
