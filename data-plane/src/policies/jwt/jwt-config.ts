import type { JwtPolicy } from "@palisade/proto";
import {
  type Claims,
  type CompiledClaimRule,
  checkIdentityHeader,
  compileClaimRules,
  dropsUnsafeIdentity,
  parseClaimHeaders,
  secondsOption,
} from "../auth/claims.js";
import type { CredentialSourcesSpec } from "../auth/credential-sources.js";
import { PolicyConfigError } from "../factory.js";
import {
  DEFAULT_ALGORITHMS,
  type ImportedKey,
  importJwk,
  importPem,
  KeySet,
  narrow,
  SUPPORTED_ALGORITHMS,
  type VerificationKey,
} from "./keys.js";
import type { RemoteJwksOptions } from "./remote-jwks.js";

export { DEFAULT_ALGORITHMS, SUPPORTED_ALGORITHMS };

/** Longest leeway a policy may allow, in seconds. */
export const MAX_LEEWAY_S = 300;
/** Keys an inline JWKS or PEM list may hold. */
export const MAX_INLINE_KEYS = 100;

/** Where verification keys come from. */
export type KeySource =
  | { readonly kind: "inline"; readonly set: KeySet }
  | { readonly kind: "remote"; readonly url: string; readonly options: RemoteJwksOptions };

/** A validated JWT policy config. Times in seconds unless named `…Ms`. */
export interface JwtSettings {
  readonly keys: KeySource;
  readonly algorithms: ReadonlySet<string>;
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  /** Clock tolerance for exp/nbf/iat, 0-300 s. */
  readonly leewayS: number;
  /** [claim name, lower-case header name] pairs. */
  readonly claimHeaders: readonly (readonly [string, string])[];
  readonly forwardToken: boolean;
  readonly sources: CredentialSourcesSpec;
  readonly expRequired: boolean;
  /** 0 = no limit. */
  readonly maxTokenAgeS: number;
  /** 0 = no limit. */
  readonly maxLifetimeS: number;
  readonly requiredClaims: readonly string[];
  readonly claimRules: readonly CompiledClaimRule[];
  /** 401 or 503. */
  readonly unavailableStatus: 401 | 503;
  readonly cache: boolean;
  readonly requireConsumer: boolean;
  /** A claim that is not a safe header value drops its header (`unsafe_identity: drop_header`) instead of refusing. */
  readonly dropUnsafeIdentity: boolean;
}

const TEN_YEARS_S = 10 * 365 * 86_400;
// RFC 6265 §4.1.1 cookie-name = token; query parameter names: no separators.
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;
const QUERY_NAME = /^[A-Za-z0-9._~-]{1,128}$/;

/**
 * Validates a `JwtPolicy` message (RFC 7519, RFC 7517, RFC 7518, RFC 8725). No I/O: a
 * `jwks_url` is only checked for shape here and fetched at request time.
 * @throws PolicyConfigError with a message naming the field (and never echoing key material)
 */
export function parseJwtConfig(cfg: JwtPolicy): JwtSettings {
  const algorithms = parseAlgorithms(cfg.algorithms);
  const wantsHmac = [...algorithms].some((a) => a.startsWith("HS"));
  const inline = cfg.jwksJson !== "" || cfg.pemKeys.length > 0;
  let keys: KeySource;
  if (inline && cfg.jwksUrl !== "") {
    throw new PolicyConfigError("set jwks_url, or inline keys (jwks_json / pem_keys), not both");
  } else if (inline) {
    keys = { kind: "inline", set: parseInlineKeys(cfg, algorithms) };
  } else if (cfg.jwksUrl !== "") {
    if (wantsHmac) throw new PolicyConfigError("algorithms: HMAC (HS*) needs inline oct keys in jwks_json");
    keys = { kind: "remote", url: parseHttpUrl("jwks_url", cfg.jwksUrl), options: remoteOptions(cfg) };
  } else {
    throw new PolicyConfigError("one of jwks_json, jwks_url and pem_keys is required");
  }
  for (const iss of cfg.issuers) if (iss === "") throw new PolicyConfigError("issuers: empty value");
  for (const aud of cfg.audiences) if (aud === "") throw new PolicyConfigError("audiences: empty value");
  if (cfg.leewayS > MAX_LEEWAY_S) throw new PolicyConfigError(`leeway_s: ${cfg.leewayS} is above ${MAX_LEEWAY_S}`);
  for (const c of cfg.requiredClaims) if (c === "") throw new PolicyConfigError("required_claims: empty claim name");
  const status = cfg.keysUnavailableStatus;
  if (status !== 0 && status !== 401 && status !== 503) {
    throw new PolicyConfigError(`keys_unavailable_status: ${status} is not 401 or 503`);
  }
  return {
    keys,
    algorithms,
    issuers: [...cfg.issuers],
    audiences: [...cfg.audiences],
    leewayS: cfg.leewayS,
    claimHeaders: parseClaimHeaders("claims_to_headers", cfg.claimsToHeaders),
    forwardToken: cfg.forwardToken,
    sources: parseSources(cfg),
    expRequired: !cfg.expOptional,
    maxTokenAgeS: secondsOption("max_token_age_s", cfg.maxTokenAgeS, 0, TEN_YEARS_S),
    maxLifetimeS: secondsOption("max_lifetime_s", cfg.maxLifetimeS, 0, TEN_YEARS_S),
    requiredClaims: [...cfg.requiredClaims],
    claimRules: compileClaimRules(cfg.claimRules),
    unavailableStatus: status === 503 ? 503 : 401,
    cache: !cfg.disableCache,
    requireConsumer: cfg.requireConsumer,
    dropUnsafeIdentity: dropsUnsafeIdentity(cfg.unsafeIdentity),
  };
}

function parseAlgorithms(list: readonly string[]): ReadonlySet<string> {
  if (list.length === 0) return new Set(DEFAULT_ALGORITHMS);
  const out = new Set<string>();
  for (const alg of list) {
    // RFC 8725 §3.1/§3.2: "none" would let anyone forge a token; refuse it however it is spelt.
    if (alg.toLowerCase() === "none") throw new PolicyConfigError('algorithms: "none" is never accepted');
    if (!SUPPORTED_ALGORITHMS.includes(alg)) throw new PolicyConfigError(`algorithms: unsupported algorithm "${alg}"`);
    out.add(alg);
  }
  return out;
}

function parseInlineKeys(cfg: JwtPolicy, algorithms: ReadonlySet<string>): KeySet {
  const imported: [string, ImportedKey][] = [];
  if (cfg.jwksJson !== "") {
    let doc: unknown;
    try {
      doc = JSON.parse(cfg.jwksJson);
    } catch {
      // Not the parser's message: it quotes the input, which is key material.
      throw new PolicyConfigError("jwks_json: not valid JSON");
    }
    const list = (doc as { keys?: unknown } | null)?.keys;
    if (typeof doc !== "object" || doc === null || !Array.isArray(list)) {
      throw new PolicyConfigError('jwks_json: expected a JWK Set {"keys": [...]} (RFC 7517 §5)');
    }
    if (list.length === 0) throw new PolicyConfigError("jwks_json: the key set is empty");
    for (const [i, jwk] of list.entries()) {
      const k = importJwk(jwk, true);
      if (typeof k === "string") throw new PolicyConfigError(`jwks_json: keys[${i}] ${k}`);
      imported.push([`jwks_json: keys[${i}]`, k]);
    }
  }
  for (const [i, p] of cfg.pemKeys.entries()) {
    if (p.alg !== "" && !SUPPORTED_ALGORITHMS.includes(p.alg)) {
      throw new PolicyConfigError(`pem_keys[${i}].alg: unsupported algorithm "${p.alg}"`);
    }
    const k = importPem(p.pem, p.kid === "" ? undefined : p.kid, p.alg === "" ? undefined : p.alg);
    if (typeof k === "string") throw new PolicyConfigError(`pem_keys[${i}]: ${k}`);
    imported.push([`pem_keys[${i}]`, k]);
  }
  if (imported.length > MAX_INLINE_KEYS) throw new PolicyConfigError(`at most ${MAX_INLINE_KEYS} inline keys`);
  const keys: VerificationKey[] = [];
  for (const [where, k] of imported) {
    const v = narrow(k, algorithms);
    if (v === undefined) {
      throw new PolicyConfigError(`${where} fits none of the allowed algorithms (${[...algorithms].join(", ")})`);
    }
    keys.push(v);
  }
  for (const alg of algorithms) {
    if (alg.startsWith("HS") && !keys.some((k) => k.algs.has(alg))) {
      throw new PolicyConfigError(`algorithms: ${alg} needs an oct key of at least its hash size in jwks_json`);
    }
  }
  return new KeySet(keys);
}

/**
 * Checks an absolute http(s) URL.
 * @returns the normalized URL
 * @throws PolicyConfigError naming `field`
 */
export function parseHttpUrl(field: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PolicyConfigError(`${field}: not an absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new PolicyConfigError(`${field}: scheme must be https or http`);
  }
  if (url.username !== "" || url.password !== "") throw new PolicyConfigError(`${field}: no credentials in the URL`);
  return url.href;
}

function remoteOptions(cfg: JwtPolicy): RemoteJwksOptions {
  const minTtlS = secondsOption("jwks_min_ttl_s", cfg.jwksMinTtlS, 60, 86_400);
  const maxTtlS = secondsOption("jwks_max_ttl_s", cfg.jwksMaxTtlS, 86_400, 7 * 86_400);
  if (minTtlS > maxTtlS) throw new PolicyConfigError("jwks_min_ttl_s: above jwks_max_ttl_s");
  const defaultTtlS = secondsOption("jwks_default_ttl_s", cfg.jwksDefaultTtlS, 600, 7 * 86_400);
  const cooldownS = secondsOption("jwks_cooldown_s", cfg.jwksCooldownS, 30, 3_600);
  const timeoutMs = cfg.jwksTimeoutMs === 0 ? 5_000 : cfg.jwksTimeoutMs;
  if (timeoutMs < 100 || timeoutMs > 60_000) {
    throw new PolicyConfigError(`jwks_timeout_ms: ${cfg.jwksTimeoutMs} is not 100-60000`);
  }
  return {
    minTtlMs: minTtlS * 1000,
    maxTtlMs: maxTtlS * 1000,
    defaultTtlMs: Math.min(maxTtlS, Math.max(minTtlS, defaultTtlS)) * 1000,
    cooldownMs: cooldownS * 1000,
    timeoutMs,
  };
}

function parseSources(cfg: JwtPolicy): CredentialSourcesSpec {
  const header = cfg.tokenHeader === "" ? "authorization" : cfg.tokenHeader.toLowerCase();
  if (header !== "authorization") checkIdentityHeader("token_header", cfg.tokenHeader);
  if (cfg.tokenCookie !== "" && !COOKIE_NAME.test(cfg.tokenCookie)) {
    throw new PolicyConfigError(`token_cookie: "${cfg.tokenCookie}" is not a cookie name`);
  }
  if (cfg.tokenQueryParam !== "" && !QUERY_NAME.test(cfg.tokenQueryParam)) {
    throw new PolicyConfigError(`token_query_param: "${cfg.tokenQueryParam}" is not a plain parameter name`);
  }
  return {
    header,
    cookie: cfg.tokenCookie === "" ? null : cfg.tokenCookie,
    query: cfg.tokenQueryParam === "" ? null : cfg.tokenQueryParam,
    tokenOnly: true,
  };
}

/** Re-exported for the policy: claims are a JSON object. */
export type { Claims };
