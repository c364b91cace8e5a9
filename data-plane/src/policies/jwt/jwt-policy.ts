import { createHash } from "node:crypto";
import type { JwtPolicy } from "@palisade/proto";
import {
  createLocalJWKSet,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from "jose";
import { LRUCache } from "lru-cache";
import type { HeaderEdits, PolicyContext, PolicyDeny, PolicyInstance, PolicyOutcome, PolicyRequest } from "../types.js";
import { extractBearerToken } from "./extract-token.js";
import { HMAC_MIN_KEY_BYTES, type HmacKey, type JwtSettings, parseJwtConfig } from "./jwt-config.js";
import type { RemoteJwksCache } from "./remote-jwks.js";

/** Tuning for JWT policies (tests use `now`). */
export interface JwtPolicyOptions {
  /** Verified tokens kept, default 10,000. */
  readonly cacheMax?: number;
  /** Longest a verification result is reused, in ms, default 5 min; it never outlives `exp`. */
  readonly cacheTtlMs?: number;
  /** Clock in ms since the epoch, default `Date.now`. */
  readonly now?: () => number;
}

const DEFAULT_CACHE_MAX = 10_000;
const DEFAULT_CACHE_TTL_MS = 5 * 60_000;
const JWKS_WARN_EVERY_MS = 10_000;

// RFC 6750 §3: a request without credentials gets the challenge without an error code; a bad
// token gets error="invalid_token"; a malformed request (two credentials) error="invalid_request".
const CHALLENGE = 'Bearer realm="palisade"';
const MISSING: PolicyDeny = deny("AUTH_TOKEN_MISSING", CHALLENGE, "token_missing");
const MALFORMED: PolicyDeny = deny("AUTH_TOKEN_INVALID", `${CHALLENGE}, error="invalid_token"`, "token_malformed");
const AMBIGUOUS: PolicyDeny = deny("AUTH_AMBIGUOUS", `${CHALLENGE}, error="invalid_request"`, "token_ambiguous");

function deny(code: PolicyDeny["code"], challenge: string, reason: string): PolicyDeny {
  return Object.freeze({
    allow: false,
    code,
    responseHeaders: Object.freeze({ "www-authenticate": challenge }),
    reason,
  });
}

function invalid(reason: string): PolicyDeny {
  return { allow: false, code: "AUTH_TOKEN_INVALID", responseHeaders: MALFORMED.responseHeaders, reason };
}

interface CacheEntry {
  /** When the cached result stops being valid, in ms since the epoch. */
  readonly expiresAt: number;
  readonly outcome: PolicyOutcome;
}

/** Marks a failure to obtain keys (fetch error), as opposed to a bad token. */
class KeysUnavailable extends Error {
  override readonly name = "KeysUnavailable";
}

/**
 * Builds a JWT policy instance (RFC 7519 tokens as RFC 6750 bearer credentials, verified with jose).
 *
 * - Token: only from `Authorization: Bearer <token>` (see extract-token.ts).
 * - Keys: inline `jwks_json` (asymmetric keys through jose's local JWKS; `oct` keys for HS*
 *   looked up here, since jose's JWKS sets refuse secrets) or `jwks_url` (fetched lazily, cached;
 *   a fetch failure fails closed: 401). Token headers `jku`, `x5u`, `jwk`, `x5c` are never used;
 *   `kid` only selects among configured keys.
 * - Checks: `alg` against the allow-list (RFC 8725 §3.1), signature, `exp`/`nbf` with
 *   `leeway_s` (RFC 7519 §4.1.4, §4.1.5), `iss` and `aud` when configured (§4.1.1, §4.1.3).
 * - Allowed requests carry header edits: each `claims_to_headers` header set from the verified
 *   claim or removed when the claim is absent; `Authorization` removed unless `forward_token`.
 * - Results are cached by sha256 of the token until min(exp, now + 5 min).
 *
 * @throws PolicyConfigError when the config is invalid (no I/O happens here)
 */
export function createJwtPolicy(
  config: JwtPolicy,
  ctx: PolicyContext,
  remote: RemoteJwksCache,
  opts: JwtPolicyOptions = {},
): PolicyInstance {
  return new JwtPolicyInstance(parseJwtConfig(config), ctx, remote, opts);
}

class JwtPolicyInstance implements PolicyInstance {
  readonly type = "jwt";
  readonly id: string;
  #settings: JwtSettings;
  #getKey: JWTVerifyGetKey;
  #verifyOptions: JWTVerifyOptions;
  #baseEdits: Readonly<Record<string, null>>;
  #cache: LRUCache<string, CacheEntry>;
  #cacheTtlMs: number;
  #now: () => number;
  #warn: PolicyContext["warn"];
  #lastWarnAt = 0;

  readonly identityHeaders: readonly string[];

  constructor(settings: JwtSettings, ctx: PolicyContext, remote: RemoteJwksCache, opts: JwtPolicyOptions) {
    this.id = ctx.id;
    this.#settings = settings;
    this.#warn = ctx.warn;
    this.#now = opts.now ?? Date.now;
    this.#cacheTtlMs = opts.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    this.#cache = new LRUCache({ max: opts.cacheMax ?? DEFAULT_CACHE_MAX });
    this.#getKey = this.#keyResolver(settings, remote);
    this.#verifyOptions = {
      algorithms: [...settings.algorithms],
      issuer: settings.issuers.length > 0 ? [...settings.issuers] : undefined,
      audience: settings.audiences.length > 0 ? [...settings.audiences] : undefined,
      clockTolerance: settings.leewayS,
    };
    const now = opts.now;
    if (now !== undefined) {
      Object.defineProperty(this.#verifyOptions, "currentDate", { get: () => new Date(now()) });
    }
    const base: Record<string, null> = {};
    if (!settings.forwardToken) base.authorization = null;
    for (const [, header] of settings.claimHeaders) base[header] = null;
    this.#baseEdits = Object.freeze(base);
    this.identityHeaders = Object.freeze(settings.claimHeaders.map(([, header]) => header));
  }

  check(req: PolicyRequest): PolicyOutcome | Promise<PolicyOutcome> {
    const t = extractBearerToken(req.headers.authorization);
    if (t.kind !== "ok") return t.kind === "missing" ? MISSING : t.kind === "ambiguous" ? AMBIGUOUS : MALFORMED;
    const key = createHash("sha256").update(t.token).digest("base64url");
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      if (hit.expiresAt > this.#now()) return hit.outcome;
      this.#cache.delete(key);
    }
    return this.#verify(t.token, key);
  }

  async #verify(token: string, cacheKey: string): Promise<PolicyOutcome> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#getKey, this.#verifyOptions));
    } catch (err) {
      if (err instanceof KeysUnavailable) {
        this.#warnKeysUnavailable(err);
        return invalid("jwks_unavailable");
      }
      return invalid((err as { code?: string }).code ?? "verify_failed");
    }
    const outcome: PolicyOutcome = Object.freeze({ allow: true, upstreamHeaders: this.#edits(payload) });
    const now = this.#now();
    let expiresAt = now + this.#cacheTtlMs;
    // The cached result must die with the token: exp is in seconds (RFC 7519 §4.1.4).
    if (typeof payload.exp === "number") expiresAt = Math.min(expiresAt, payload.exp * 1000);
    if (expiresAt > now) this.#cache.set(cacheKey, { expiresAt, outcome });
    return outcome;
  }

  #edits(payload: JWTPayload): HeaderEdits {
    if (this.#settings.claimHeaders.length === 0) return this.#baseEdits;
    const edits: Record<string, string | null> = { ...this.#baseEdits };
    for (const [claim, header] of this.#settings.claimHeaders) edits[header] = claimHeaderValue(payload[claim]);
    return Object.freeze(edits);
  }

  #keyResolver(settings: JwtSettings, remote: RemoteJwksCache): JWTVerifyGetKey {
    const keys = settings.keys;
    if (keys.kind === "remote") {
      const getRemote = remote.get(keys.url);
      return async (header, token) => {
        try {
          return await getRemote(header, token);
        } catch (err) {
          // A key that is not in the set is a bad token; anything else (network, timeout, bad
          // JSON from the URL) means the keys cannot be had: fail closed, and say so in the log.
          if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
          if (err instanceof errors.JOSENotSupported) throw err;
          throw new KeysUnavailable((err as { code?: string }).code ?? (err as Error).name, { cause: err });
        }
      };
    }
    const local = keys.jwks.keys.length > 0 ? createLocalJWKSet(keys.jwks) : undefined;
    const hmac = keys.hmacKeys;
    return async (header, token) => {
      const alg = header.alg ?? "";
      if (alg.startsWith("HS")) return hmacKey(hmac, alg, header.kid);
      if (local === undefined) throw new errors.JWKSNoMatchingKey();
      return local(header, token);
    };
  }

  #warnKeysUnavailable(err: KeysUnavailable): void {
    const now = this.#now();
    if (now - this.#lastWarnAt < JWKS_WARN_EVERY_MS) return;
    this.#lastWarnAt = now;
    const url = this.#settings.keys.kind === "remote" ? this.#settings.keys.url : undefined;
    this.#warn({ policy: this.id, jwks_url: url, cause: err.message }, "jwks unavailable: rejecting tokens");
  }
}

/**
 * Selects the one `oct` key for an HMAC token: matching `kid` when the token has one, matching
 * `alg` when the key pins one, and long enough for the algorithm (RFC 7518 §3.2).
 * @throws JWKSNoMatchingKey when none or several keys qualify
 */
function hmacKey(keys: readonly HmacKey[], alg: string, kid: string | undefined): Uint8Array {
  let found: Uint8Array | undefined;
  const minBytes = HMAC_MIN_KEY_BYTES[alg] ?? Number.POSITIVE_INFINITY;
  for (const k of keys) {
    if (kid !== undefined && k.kid !== kid) continue;
    if (k.alg !== undefined && k.alg !== alg) continue;
    if (k.secret.byteLength < minBytes) continue;
    if (found !== undefined) throw new errors.JWKSNoMatchingKey("several oct keys match: the token needs a kid");
    found = k.secret;
  }
  if (found === undefined) throw new errors.JWKSNoMatchingKey();
  return found;
}

// Visible ASCII, space and tab: what a header value may safely carry (RFC 9110 §5.5, without
// obs-text). A claim with CR/LF or other control characters is dropped, never forwarded.
const SAFE_VALUE = /^[\t\x20-\x7e]*$/;

/**
 * The header value for a claim: strings as they are, numbers and booleans as text, arrays of
 * those joined with ", ", anything else as JSON. `null` (remove the header) when the claim is
 * absent or its text is not a safe header value.
 */
export function claimHeaderValue(value: unknown): string | null {
  let text: string;
  if (value === undefined || value === null) return null;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" || typeof value === "boolean") text = String(value);
  else if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number")) {
    text = value.join(", ");
  } else text = JSON.stringify(value);
  return SAFE_VALUE.test(text) ? text : null;
}
