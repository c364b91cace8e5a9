import type { ApiKeyPolicy } from "@palisade/proto";
import { checkIdentityHeader } from "../auth/claims.js";
import type { ConsumerIndex } from "../auth/consumers.js";
import { type CredentialSourcesSpec, extractCredential } from "../auth/credential-sources.js";
import { CHALLENGES, deny } from "../auth/deny.js";
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

/** Header read when the policy names neither a header nor a query parameter. */
export const DEFAULT_API_KEY_HEADER = "x-api-key";

const QUERY_NAME = /^[A-Za-z0-9._~-]{1,128}$/;

const MISSING = deny("AUTH_KEY_MISSING", "credential_missing", CHALLENGES.apiKey);
const MALFORMED = deny("AUTH_KEY_INVALID", "credential_malformed", CHALLENGES.apiKey);
const AMBIGUOUS = deny("AUTH_AMBIGUOUS", "credential_ambiguous", null);
const UNKNOWN = deny("AUTH_KEY_INVALID", "key_unknown", CHALLENGES.apiKey);

/**
 * Builds an API-key policy: the key comes from a named header and/or a query parameter (one
 * place, one copy; in two places → 400), is hashed with SHA-256 and looked up among the
 * consumers' API-key credentials (consumers.ts: the node only holds hashes; constant-time
 * compare). Unknown key → 401 `AUTH_KEY_INVALID`; a disabled consumer's key → the same 401 (the
 * client learns nothing about the key's state; the security event names the consumer). Allowed
 * requests never carry the key upstream: the header is removed and the query parameter stripped.
 * No cache: one SHA-256 per request costs about a microsecond.
 * @throws PolicyConfigError when the header or parameter name is invalid
 */
export function createApiKeyPolicy(config: ApiKeyPolicy, ctx: PolicyContext): Policy {
  const header =
    config.header === "" ? (config.queryParam === "" ? DEFAULT_API_KEY_HEADER : null) : config.header.toLowerCase();
  if (header !== null && header !== DEFAULT_API_KEY_HEADER) checkIdentityHeader("header", config.header);
  if (config.queryParam !== "" && !QUERY_NAME.test(config.queryParam)) {
    throw new PolicyConfigError(`query_param: "${config.queryParam}" is not a plain parameter name`);
  }
  return new ApiKeyAuthentication(
    ctx.id,
    { header, cookie: null, query: config.queryParam === "" ? null : config.queryParam, tokenOnly: false },
    ctx.consumers,
  );
}

class ApiKeyAuthentication implements Policy, Authenticator {
  readonly type = "api-key";
  readonly id: string;
  readonly traits: PolicyTraits = Object.freeze({ authenticates: this });
  readonly requestHeaders: (ex: PolicyExchange) => Verdict | Promise<Verdict> = authenticationHook(this);
  #spec: CredentialSourcesSpec;
  #consumers: ConsumerIndex;
  #strip: CredentialEdits;

  constructor(id: string, spec: CredentialSourcesSpec, consumers: ConsumerIndex) {
    this.id = id;
    this.#spec = spec;
    this.#consumers = consumers;
    this.#strip = Object.freeze({
      upstreamHeaders: spec.header === null ? null : Object.freeze({ [spec.header]: null }),
      stripQuery: spec.query === null ? null : Object.freeze([spec.query]),
    });
  }

  authenticate(req: PolicyRequest): Authentication | Refusal {
    const cred = extractCredential(this.#spec, req);
    if (cred.kind !== "ok")
      return cred.kind === "missing" ? MISSING : cred.kind === "ambiguous" ? AMBIGUOUS : MALFORMED;
    const found = this.#consumers.byApiKey(cred.value);
    if (found === undefined) return UNKNOWN;
    if (found.disabled) return deny("AUTH_KEY_INVALID", "consumer_disabled", CHALLENGES.apiKey, found.ref);
    return { kind: "authentication", ...this.#strip, authMethod: "api-key", consumer: found.ref };
  }

  withoutCredentials(): CredentialEdits {
    return this.#strip;
  }
}
