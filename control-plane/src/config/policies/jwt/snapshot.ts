import { toClaimRules, toUnsafeIdentity } from "../identity.js";
import type { PolicyConfigInit, PolicyJson } from "../policy-type.js";

/** The proto `JwtPolicy` of a stored `jwt` config; optional fields become proto defaults (0, "", false), `leeway_s` 60. */
export function toJwtPolicy(c: PolicyJson): PolicyConfigInit {
  return {
    case: "jwt",
    value: {
      jwksJson: c.jwks ? JSON.stringify(c.jwks) : "",
      jwksUrl: (c.jwks_url as string) ?? "",
      pemKeys: ((c.pem_keys as Array<{ pem: string; kid?: string; alg?: string }>) ?? []).map((k) => ({
        pem: k.pem,
        kid: k.kid ?? "",
        alg: k.alg ?? "",
      })),
      algorithms: c.algorithms as string[],
      issuers: (c.issuers as string[]) ?? [],
      audiences: (c.audiences as string[]) ?? [],
      leewayS: (c.leeway_s as number) ?? 60,
      claimsToHeaders: (c.claims_to_headers as Record<string, string>) ?? {},
      forwardToken: (c.forward_token as boolean) ?? false,
      tokenHeader: (c.token_header as string) ?? "",
      tokenCookie: (c.token_cookie as string) ?? "",
      tokenQueryParam: (c.token_query_param as string) ?? "",
      expOptional: (c.exp_optional as boolean) ?? false,
      maxTokenAgeS: (c.max_token_age_s as number) ?? 0,
      maxLifetimeS: (c.max_lifetime_s as number) ?? 0,
      requiredClaims: (c.required_claims as string[]) ?? [],
      claimRules: toClaimRules(c.claim_rules),
      jwksMinTtlS: (c.jwks_min_ttl_s as number) ?? 0,
      jwksMaxTtlS: (c.jwks_max_ttl_s as number) ?? 0,
      jwksDefaultTtlS: (c.jwks_default_ttl_s as number) ?? 0,
      jwksCooldownS: (c.jwks_cooldown_s as number) ?? 0,
      jwksTimeoutMs: (c.jwks_timeout_ms as number) ?? 0,
      keysUnavailableStatus: (c.keys_unavailable_status as number) ?? 0,
      disableCache: c.cache === false,
      requireConsumer: (c.require_consumer as boolean) ?? false,
      unsafeIdentity: toUnsafeIdentity(c.unsafe_identity),
    },
  };
}
