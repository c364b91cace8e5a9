import { toClaimRules, toUnsafeIdentity } from "../identity.js";
import type { PolicyConfigInit, PolicyJson } from "../policy-type.js";

/** The proto `IntrospectionPolicy` of a stored `introspection` config. */
export function toIntrospectionPolicy(c: PolicyJson): PolicyConfigInit {
  return {
    case: "introspection",
    value: {
      endpoint: c.endpoint as string,
      clientId: c.client_id as string,
      clientSecret: c.client_secret as string,
      authMethod: (c.auth_method as string) ?? "",
      tokenTypeHint: (c.token_type_hint as string) ?? "",
      cacheTtlS: (c.cache_ttl_s as number) ?? 0,
      negativeCacheTtlS: (c.negative_cache_ttl_s as number) ?? 0,
      timeoutMs: (c.timeout_ms as number) ?? 0,
      disableCache: c.cache === false,
      issuers: (c.issuers as string[]) ?? [],
      audiences: (c.audiences as string[]) ?? [],
      claimRules: toClaimRules(c.claim_rules),
      claimsToHeaders: (c.claims_to_headers as Record<string, string>) ?? {},
      forwardToken: (c.forward_token as boolean) ?? false,
      unavailableStatus: (c.unavailable_status as number) ?? 0,
      requireConsumer: (c.require_consumer as boolean) ?? false,
      unsafeIdentity: toUnsafeIdentity(c.unsafe_identity),
    },
  };
}
