import { hash } from "node:crypto";
import type { JwtPolicy } from "@palisade/proto";
import { LRUCache } from "lru-cache";
import type { SecurityReason } from "../../events/security-events.js";
import { claimEdits, claimRulesPass } from "../auth/claims.js";
import type { ConsumerIndex } from "../auth/consumers.js";
import { type CredentialResult, cookieHeader, extractCredential, removeCookie } from "../auth/credential-sources.js";
import { CHALLENGES, deny, identityUnsafe, unavailable } from "../auth/deny.js";
import {
  type Authentication,
  type Authenticator,
  authenticationHook,
  type ConsumerRef,
  type CredentialEdits,
  type Policy,
  type PolicyExchange,
  type PolicyRequest,
  type PolicyTraits,
  type Refusal,
  type Verdict,
} from "../contract.js";
import type { PolicyContext } from "../factory.js";
import { decodeJws, decodePayload, verifySignature } from "./jws.js";
import { type JwtSettings, parseJwtConfig } from "./jwt-config.js";
import { KeySet, narrow, type VerificationKey } from "./keys.js";
import type { RemoteJwks, RemoteJwksCache } from "./remote-jwks.js";
import { checkRegisteredClaims } from "./validate-claims.js";

/** Tuning for JWT policies (tests use `now`). */
export interface JwtPolicyOptions {
  /** Verification results kept per policy, default 10,000. */
  readonly cacheMax?: number;
  /** Longest a verification result is reused, in ms, default 5 min; it never outlives `exp`. */
  readonly cacheTtlMs?: number;
  /** Clock in ms since the epoch, default `Date.now`. */
  readonly now?: () => number;
}

const DEFAULT_CACHE_MAX = 10_000;
const DEFAULT_CACHE_TTL_MS = 5 * 60_000;

const MISSING = deny("AUTH_TOKEN_MISSING", "credential_missing", CHALLENGES.bearer);
const AMBIGUOUS = deny("AUTH_AMBIGUOUS", "credential_ambiguous", CHALLENGES.bearerRequest);
const INVALID = new Map<SecurityReason, Refusal>();

function invalid(reason: SecurityReason, consumer: ConsumerRef | null = null): Refusal {
  if (consumer !== null) return deny("AUTH_TOKEN_INVALID", reason, CHALLENGES.bearerInvalid, consumer);
  let d = INVALID.get(reason);
  if (d === undefined) {
    d = deny("AUTH_TOKEN_INVALID", reason, CHALLENGES.bearerInvalid);
    INVALID.set(reason, d);
  }
  return d;
}

/** A verification result kept by token hash. */
interface CacheEntry {
  /** When the entry dies, ms since the epoch. */
  readonly expiresAt: number;
  /** The key that verified the token and the key-set generation then (remote sets change). */
  readonly keyId: string;
  readonly generation: number;
  /** A refusal that does not depend on where the token came from (403, disabled consumer), or null. */
  readonly denied: Refusal | null;
  /** The outcome for a token in the configured header (the common case), prebuilt. */
  readonly headerOutcome: Authentication | null;
  /** Claim header edits, to build the outcome for a cookie or query token. */
  readonly claimEdits: Readonly<Record<string, string | null>>;
  readonly consumer: ConsumerRef | null;
}

/**
 * Builds a JWT policy instance: RFC 7519 tokens as RFC 6750 bearer credentials, JWS signatures
 * verified synchronously with node:crypto (see jws.ts, keys.ts).
 *
 * - Token: from the configured header (`Authorization: Bearer`, or a raw token in a named
 *   header), a cookie, or a query parameter when enabled; in two places → 400 (see
 *   credential-sources.ts).
 * - Keys: inline JWKS and/or PEM keys, or a JWKS URL (remote-jwks.ts: HTTP cache lifetime,
 *   background refresh, rate-limited refetch on an unknown `kid`, last good set kept). A set
 *   never fetched fails closed: 401 (or 503 by choice).
 * - Checks: `alg` in the allow-list and fitting the key (RFC 8725 §3.1), signature, then
 *   validate-claims.ts (exp/nbf/iat with leeway, age, lifetime, iss, aud, required claims),
 *   the consumer the token maps to (disabled → 401), claim rules (→ 403 insufficient_scope).
 * - Allowed requests: each `claims_to_headers` header set from the verified claim or removed;
 *   a claim that is not a safe header value (claims.ts `identityHeaderValue`) refuses the token
 *   with 401 `AUTH_IDENTITY_UNSAFE` naming the claim, or drops its header with
 *   `unsafe_identity: drop_header`;
 *   the token removed from its header/cookie unless `forward_token`; a query token always removed.
 * - Results (including 403s) are cached by sha256 of the token until min(exp, 5 min, iat + max
 *   age), bounded LRU, unless `disable_cache`; a cached result dies when its key leaves the set.
 *
 * @throws PolicyConfigError when the config is invalid (no I/O happens here)
 */
export function createJwtPolicy(
  config: JwtPolicy,
  ctx: PolicyContext,
  remote: RemoteJwksCache,
  opts: JwtPolicyOptions = {},
): Policy {
  return new JwtAuthentication(parseJwtConfig(config), ctx, remote, opts);
}

class JwtAuthentication implements Policy, Authenticator {
  readonly type = "jwt";
  readonly id: string;
  readonly traits: PolicyTraits;
  readonly requestHeaders: (ex: PolicyExchange) => Verdict | Promise<Verdict>;
  #s: JwtSettings;
  #consumers: ConsumerIndex;
  #inline: KeySet | undefined;
  #remote: RemoteJwks | undefined;
  /** The remote set narrowed to this policy's algorithms, rebuilt when its generation changes. */
  #remoteView: KeySet | undefined;
  #cache: LRUCache<string, CacheEntry> | undefined;
  #cacheTtlMs: number;
  #now: () => number;
  #unavailable: Refusal;
  /** Header edits that remove the token and the identity headers (for auth-any). */
  #stripHeaders: Readonly<Record<string, string | null>>;

  constructor(s: JwtSettings, ctx: PolicyContext, remote: RemoteJwksCache, opts: JwtPolicyOptions) {
    this.id = ctx.id;
    this.#s = s;
    this.#consumers = ctx.consumers;
    this.#now = opts.now ?? Date.now;
    this.#cacheTtlMs = opts.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    if (s.cache) this.#cache = new LRUCache({ max: opts.cacheMax ?? DEFAULT_CACHE_MAX });
    if (s.keys.kind === "inline") this.#inline = s.keys.set;
    else this.#remote = remote.get(s.keys.url, s.keys.options);
    this.#unavailable = s.unavailableStatus === 503 ? unavailable("keys_unavailable") : invalid("keys_unavailable");
    const identityHeaders = Object.freeze(s.claimHeaders.map(([, h]) => h));
    this.traits = Object.freeze({ authenticates: this, identityHeaders });
    this.requestHeaders = authenticationHook(this);
    const strip: Record<string, null> = {};
    if (s.sources.header !== null) strip[s.sources.header] = null;
    for (const h of identityHeaders) strip[h] = null;
    this.#stripHeaders = Object.freeze(strip);
  }

  authenticate(req: PolicyRequest): Authentication | Refusal | Promise<Authentication | Refusal> {
    const cred = extractCredential(this.#s.sources, req);
    if (cred.kind !== "ok")
      return cred.kind === "missing"
        ? MISSING
        : cred.kind === "ambiguous"
          ? AMBIGUOUS
          : invalid("credential_malformed");
    const token = cred.value;
    if (this.#cache === undefined) return this.#verify(token, "", cred, req, false);
    // One-shot crypto.hash: about half the cost of createHash().update().digest() per request.
    const cacheKey = hash("sha256", token, "base64url");
    const hit = this.#cache.get(cacheKey);
    if (hit !== undefined) {
      if (hit.expiresAt > this.#now() && this.#keyStillValid(hit)) return this.#outcome(hit, cred, req);
      this.#cache.delete(cacheKey);
    }
    return this.#verify(token, cacheKey, cred, req, false);
  }

  withoutCredentials(req: PolicyRequest): CredentialEdits {
    const src = this.#s.sources;
    const edits: Record<string, string | null> = { ...this.#stripHeaders };
    const cookie = src.cookie === null ? undefined : cookieHeader(req.fields);
    if (cookie !== undefined) edits.cookie = removeCookie(cookie, src.cookie!);
    return { upstreamHeaders: edits, stripQuery: src.query === null ? null : [src.query] };
  }

  /** The keys to verify with now; `undefined` when a remote set was never fetched. */
  #keySet(): KeySet | undefined {
    if (this.#inline !== undefined) return this.#inline;
    const remote = this.#remote!;
    const keys = remote.use();
    if (keys === undefined) return undefined;
    const view = this.#remoteView;
    if (view !== undefined && view.generation === remote.generation) return view;
    const narrowed: VerificationKey[] = [];
    for (const k of keys) {
      const v = narrow(k, this.#s.algorithms);
      if (v !== undefined) narrowed.push(v);
    }
    this.#remoteView = new KeySet(narrowed, remote.generation);
    return this.#remoteView;
  }

  #keyStillValid(hit: CacheEntry): boolean {
    if (this.#remote === undefined) return true;
    const set = this.#keySet();
    return set !== undefined && (set.generation === hit.generation || set.has(hit.keyId));
  }

  #verify(
    token: string,
    cacheKey: string,
    cred: CredentialResult & { kind: "ok" },
    req: PolicyRequest,
    refetched: boolean,
  ): Authentication | Refusal | Promise<Authentication | Refusal> {
    const s = this.#s;
    const jws = decodeJws(token, s.algorithms);
    if (typeof jws === "string") return invalid(jws);
    const keys = this.#keySet();
    if (keys === undefined) {
      const fetching = refetched ? undefined : this.#remote!.firstFetch();
      if (fetching === undefined) return this.#unavailable;
      return fetching.then(() => this.#verify(token, cacheKey, cred, req, true));
    }
    const candidates = keys.candidates(jws.alg, jws.kid);
    if (candidates.length === 0) {
      // Key rotation: the IdP may have published a key we have not seen yet (C15).
      const fetching = refetched || this.#remote === undefined ? undefined : this.#remote.refetchForUnknownKid();
      if (fetching === undefined) return invalid("token_key_unknown");
      return fetching.then(() => this.#verify(token, cacheKey, cred, req, true));
    }
    let key: VerificationKey | undefined;
    for (const k of candidates) {
      if (verifySignature(jws.alg, k.key, jws.signingInput, jws.signature)) {
        key = k;
        break;
      }
    }
    if (key === undefined) return invalid("token_signature_invalid");
    const claims = decodePayload(jws.payloadB64);
    if (claims === undefined) return invalid("token_claims_invalid");
    const now = this.#now();
    const bad = checkRegisteredClaims(claims, s, now / 1000);
    if (bad !== undefined) return invalid(bad);

    const found = this.#consumers.byToken(claims);
    const consumer = found?.ref ?? null;
    let denied: Refusal | null = null;
    const edits: Record<string, string | null> = {};
    const unsafe = claimEdits(claims, s.claimHeaders, edits, s.dropUnsafeIdentity);
    if (found?.disabled) denied = invalid("consumer_disabled", consumer);
    else if (found === undefined && s.requireConsumer) denied = invalid("consumer_unknown");
    else if (!claimRulesPass(claims, s.claimRules)) {
      denied = deny("AUTH_FORBIDDEN", "claim_rule_failed", CHALLENGES.bearerScope, consumer);
    } else if (unsafe !== null) {
      // A verified identity the upstream cannot be given unchanged: never an authenticated
      // request without it (issue 13 point 3).
      denied = identityUnsafe(unsafe, CHALLENGES.bearerInvalid, consumer);
    }
    let headerOutcome: Authentication | null = null;
    if (denied === null && s.sources.header !== null) {
      const h: Record<string, string | null> = {
        [s.sources.header]: s.forwardToken ? (s.sources.header === "authorization" ? `Bearer ${token}` : token) : null,
        ...edits,
      };
      headerOutcome = Object.freeze({
        kind: "authentication",
        upstreamHeaders: Object.freeze(h),
        stripQuery: null,
        authMethod: "jwt",
        consumer,
      });
    }
    let expiresAt = now + this.#cacheTtlMs;
    // The cached result must die with the token: exp and iat are in seconds (RFC 7519 §4.1.4).
    if (typeof claims.exp === "number") expiresAt = Math.min(expiresAt, claims.exp * 1000);
    if (s.maxTokenAgeS > 0 && typeof claims.iat === "number") {
      expiresAt = Math.min(expiresAt, (claims.iat + s.maxTokenAgeS) * 1000);
    }
    const entry: CacheEntry = {
      expiresAt,
      keyId: key.id,
      generation: keys.generation,
      denied,
      headerOutcome,
      claimEdits: Object.freeze(edits),
      consumer,
    };
    if (this.#cache !== undefined && expiresAt > now) this.#cache.set(cacheKey, entry);
    return this.#outcome(entry, cred, req);
  }

  #outcome(e: CacheEntry, cred: CredentialResult & { kind: "ok" }, req: PolicyRequest): Authentication | Refusal {
    if (e.denied !== null) return e.denied;
    if (cred.from === "authorization" || cred.from === "header") return e.headerOutcome!;
    const s = this.#s;
    const edits: Record<string, string | null> = { ...e.claimEdits };
    if (cred.from === "cookie" && !s.forwardToken)
      edits.cookie = removeCookie(cookieHeader(req.fields), s.sources.cookie!);
    return {
      kind: "authentication",
      upstreamHeaders: edits,
      stripQuery: cred.from === "query" ? [s.sources.query!] : null,
      authMethod: "jwt",
      consumer: e.consumer,
    };
  }
}
