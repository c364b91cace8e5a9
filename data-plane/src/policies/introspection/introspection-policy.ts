import { hash } from "node:crypto";
import type { IntrospectionPolicy } from "@palisade/proto";
import { LRUCache } from "lru-cache";
import type { Dispatcher } from "undici";
import type { SecurityReason } from "../../events/security-events.js";
import {
  type Claims,
  type CompiledClaimRule,
  claimEdits,
  claimRulesPass,
  compileClaimRules,
  dropsUnsafeIdentity,
  parseClaimHeaders,
  secondsOption,
} from "../auth/claims.js";
import type { ConsumerIndex } from "../auth/consumers.js";
import { type CredentialSourcesSpec, extractCredential } from "../auth/credential-sources.js";
import { CHALLENGES, deny, identityUnsafe, unavailable } from "../auth/deny.js";
import { requestJson } from "../auth/http-json.js";
import {
  type Authentication,
  type Authenticator,
  authenticationHook,
  type CredentialEdits,
  type Policy,
  type PolicyExchange,
  type PolicyRequest,
  type PolicyTraits,
  type Refusal,
  type Verdict,
} from "../contract.js";
import { PolicyConfigError, type PolicyContext } from "../factory.js";
import { parseHttpUrl } from "../jwt/jwt-config.js";
import { checkRegisteredClaims } from "../jwt/validate-claims.js";

/** Shared resources of introspection policies. */
export interface IntrospectionResources {
  /** The agent for calls to introspection endpoints. */
  readonly dispatcher: Dispatcher;
  /** Clock in ms since the epoch (tests), default `Date.now`. */
  readonly now?: () => number;
}

/** Largest introspection answer read, bytes. */
export const MAX_INTROSPECTION_BYTES = 64 * 1024;
/** Distinct tokens being introspected at once per policy; beyond it requests fail closed. */
export const MAX_INFLIGHT = 256;
const CACHE_MAX = 10_000;

const SOURCES: CredentialSourcesSpec = { header: "authorization", cookie: null, query: null, tokenOnly: true };
const MISSING = deny("AUTH_TOKEN_MISSING", "credential_missing", CHALLENGES.bearer);
const AMBIGUOUS = deny("AUTH_AMBIGUOUS", "credential_ambiguous", CHALLENGES.bearerRequest);
const MALFORMED = deny("AUTH_TOKEN_INVALID", "credential_malformed", CHALLENGES.bearerInvalid);

interface Settings {
  readonly endpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly post: boolean;
  readonly tokenTypeHint: string;
  readonly cacheTtlMs: number;
  readonly negativeTtlMs: number;
  readonly timeoutMs: number;
  readonly cache: boolean;
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  readonly claimRules: readonly CompiledClaimRule[];
  readonly claimHeaders: readonly (readonly [string, string])[];
  readonly forwardToken: boolean;
  readonly unavailable: Refusal;
  readonly requireConsumer: boolean;
  /** A claim that is not a safe header value drops its header instead of refusing (`unsafe_identity`). */
  readonly dropUnsafeIdentity: boolean;
}

function parseConfig(c: IntrospectionPolicy): Settings {
  if (c.endpoint === "") throw new PolicyConfigError("endpoint is required");
  if (c.clientId === "") throw new PolicyConfigError("client_id is required");
  if (c.clientSecret === "") throw new PolicyConfigError("client_secret is required");
  const method = c.authMethod === "" ? "client_secret_basic" : c.authMethod;
  if (method !== "client_secret_basic" && method !== "client_secret_post") {
    throw new PolicyConfigError(`auth_method: "${c.authMethod}" is not client_secret_basic or client_secret_post`);
  }
  const timeoutMs = c.timeoutMs === 0 ? 5_000 : c.timeoutMs;
  if (timeoutMs < 100 || timeoutMs > 60_000) throw new PolicyConfigError(`timeout_ms: ${c.timeoutMs} is not 100-60000`);
  const status = c.unavailableStatus;
  if (status !== 0 && status !== 401 && status !== 503) {
    throw new PolicyConfigError(`unavailable_status: ${status} is not 401 or 503`);
  }
  return {
    endpoint: parseHttpUrl("endpoint", c.endpoint),
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    post: method === "client_secret_post",
    tokenTypeHint: c.tokenTypeHint,
    cacheTtlMs: secondsOption("cache_ttl_s", c.cacheTtlS, 300, 86_400) * 1000,
    negativeTtlMs: secondsOption("negative_cache_ttl_s", c.negativeCacheTtlS, 10, 3_600) * 1000,
    timeoutMs,
    cache: !c.disableCache,
    issuers: [...c.issuers],
    audiences: [...c.audiences],
    claimRules: compileClaimRules(c.claimRules),
    claimHeaders: parseClaimHeaders("claims_to_headers", c.claimsToHeaders),
    forwardToken: c.forwardToken,
    unavailable:
      status === 503
        ? unavailable("introspection_unavailable")
        : deny("AUTH_TOKEN_INVALID", "introspection_unavailable", CHALLENGES.bearerInvalid),
    requireConsumer: c.requireConsumer,
    dropUnsafeIdentity: dropsUnsafeIdentity(c.unsafeIdentity),
  };
}

/** RFC 6749 §2.3.1 / Appendix B: client id and secret are form-encoded before Basic encoding. */
function formEncode(s: string): string {
  return encodeURIComponent(s).replaceAll("%20", "+");
}

interface CacheEntry {
  readonly expiresAt: number;
  readonly outcome: Authentication | Refusal;
}

/**
 * Builds an OAuth 2.0 token introspection policy (RFC 7662) for opaque bearer tokens:
 * the token (from `Authorization: Bearer`, RFC 6750 §2.1) is POSTed to the endpoint as
 * `token=…&token_type_hint=…` with the gateway's client credentials (`client_secret_basic` or
 * `client_secret_post`, RFC 6749 §2.3.1). `"active": true` is required (§2.2); the answer's
 * `exp`/`nbf`/`iat`, `iss` and `aud` are checked when present or configured, the consumer is
 * resolved from `iss` + `sub` or a claim (JWT identities), claim rules give 403.
 * Caching by token hash: active answers until min(`exp`, cache TTL), inactive ones for the
 * negative TTL; concurrent requests with one token share one call. An endpoint that cannot be
 * asked (down, timeout, non-200, not JSON, no boolean `active`) fails closed: 401 (or 503).
 * @throws PolicyConfigError when the config is invalid
 */
export function createIntrospectionPolicy(
  config: IntrospectionPolicy,
  ctx: PolicyContext,
  resources: IntrospectionResources,
): Policy {
  return new IntrospectionAuthentication(parseConfig(config), ctx, resources);
}

class IntrospectionAuthentication implements Policy, Authenticator {
  readonly type = "introspection";
  readonly id: string;
  readonly traits: PolicyTraits;
  readonly requestHeaders: (ex: PolicyExchange) => Verdict | Promise<Verdict>;
  #s: Settings;
  #consumers: ConsumerIndex;
  #dispatcher: Dispatcher;
  #now: () => number;
  #cache: LRUCache<string, CacheEntry> | undefined;
  #inflight = new Map<string, Promise<Authentication | Refusal>>();
  #auth: string;
  #strip: CredentialEdits;

  constructor(s: Settings, ctx: PolicyContext, r: IntrospectionResources) {
    this.id = ctx.id;
    this.#s = s;
    this.#consumers = ctx.consumers;
    this.#dispatcher = r.dispatcher;
    this.#now = r.now ?? Date.now;
    if (s.cache) this.#cache = new LRUCache({ max: CACHE_MAX });
    this.#auth = `Basic ${Buffer.from(`${formEncode(s.clientId)}:${formEncode(s.clientSecret)}`).toString("base64")}`;
    const identityHeaders = Object.freeze(s.claimHeaders.map(([, h]) => h));
    this.traits = Object.freeze({ authenticates: this, identityHeaders });
    this.requestHeaders = authenticationHook(this);
    const strip: Record<string, null> = { authorization: null };
    for (const h of identityHeaders) strip[h] = null;
    this.#strip = Object.freeze({ upstreamHeaders: Object.freeze(strip), stripQuery: null });
  }

  authenticate(req: PolicyRequest): Authentication | Refusal | Promise<Authentication | Refusal> {
    const cred = extractCredential(SOURCES, req);
    if (cred.kind !== "ok")
      return cred.kind === "missing" ? MISSING : cred.kind === "ambiguous" ? AMBIGUOUS : MALFORMED;
    const token = cred.value;
    const key = hash("sha256", token, "base64url");
    const hit = this.#cache?.get(key);
    if (hit !== undefined) {
      if (hit.expiresAt > this.#now()) return hit.outcome;
      this.#cache!.delete(key);
    }
    const running = this.#inflight.get(key);
    if (running !== undefined) return running;
    if (this.#inflight.size >= MAX_INFLIGHT) return this.#s.unavailable;
    const p = this.#introspect(token, key).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, p);
    return p;
  }

  withoutCredentials(): CredentialEdits {
    return this.#strip;
  }

  async #introspect(token: string, key: string): Promise<Authentication | Refusal> {
    const s = this.#s;
    const form = new URLSearchParams({ token });
    if (s.tokenTypeHint !== "") form.set("token_type_hint", s.tokenTypeHint);
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (s.post) {
      form.set("client_id", s.clientId);
      form.set("client_secret", s.clientSecret);
    } else {
      headers.authorization = this.#auth;
    }
    let answer: unknown;
    try {
      const r = await requestJson(this.#dispatcher, s.endpoint, {
        method: "POST",
        headers,
        body: form.toString(),
        timeoutMs: s.timeoutMs,
        maxBytes: MAX_INTROSPECTION_BYTES,
      });
      if (r.status !== 200) return s.unavailable;
      answer = r.json;
    } catch {
      return s.unavailable;
    }
    if (typeof answer !== "object" || answer === null || Array.isArray(answer)) return s.unavailable;
    const claims = answer as Claims;
    if (typeof claims.active !== "boolean") return s.unavailable;
    const now = this.#now();
    if (!claims.active) return this.#remember(key, inactive("token_inactive"), now + s.negativeTtlMs);
    const bad = checkRegisteredClaims(
      claims,
      {
        issuers: s.issuers,
        audiences: s.audiences,
        leewayS: 0,
        expRequired: false,
        maxTokenAgeS: 0,
        maxLifetimeS: 0,
        requiredClaims: [],
      },
      now / 1000,
    );
    if (bad !== undefined) return this.#remember(key, inactive(bad), now + s.negativeTtlMs);
    const found = this.#consumers.byToken(claims);
    const consumer = found?.ref ?? null;
    let outcome: Authentication | Refusal;
    if (found?.disabled) outcome = deny("AUTH_TOKEN_INVALID", "consumer_disabled", CHALLENGES.bearerInvalid, consumer);
    else if (found === undefined && s.requireConsumer) outcome = inactive("consumer_unknown");
    else if (!claimRulesPass(claims, s.claimRules)) {
      outcome = deny("AUTH_FORBIDDEN", "claim_rule_failed", CHALLENGES.bearerScope, consumer);
    } else {
      const edits: Record<string, string | null> = { authorization: s.forwardToken ? `Bearer ${token}` : null };
      const unsafe = claimEdits(claims, s.claimHeaders, edits, s.dropUnsafeIdentity);
      outcome =
        unsafe !== null
          ? identityUnsafe(unsafe, CHALLENGES.bearerInvalid, consumer)
          : Object.freeze({
              kind: "authentication",
              upstreamHeaders: Object.freeze(edits),
              stripQuery: null,
              authMethod: "introspection",
              consumer,
            });
    }
    let expiresAt = now + s.cacheTtlMs;
    if (typeof claims.exp === "number") expiresAt = Math.min(expiresAt, claims.exp * 1000);
    return this.#remember(key, outcome, expiresAt);
  }

  #remember(key: string, outcome: Authentication | Refusal, expiresAt: number): Authentication | Refusal {
    if (this.#cache !== undefined && expiresAt > this.#now()) this.#cache.set(key, { expiresAt, outcome });
    return outcome;
  }
}

const INACTIVE = new Map<SecurityReason, Refusal>();
function inactive(reason: SecurityReason): Refusal {
  let d = INACTIVE.get(reason);
  if (d === undefined) {
    d = deny("AUTH_TOKEN_INVALID", reason, CHALLENGES.bearerInvalid);
    INACTIVE.set(reason, d);
  }
  return d;
}
