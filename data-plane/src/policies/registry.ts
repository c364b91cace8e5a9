import type { Policy } from "@palisade/proto";
import { createCorsPolicy } from "./cors/cors-policy.js";
import { createHeadersPolicy } from "./headers/headers-policy.js";
import { createIpRestrictionPolicy } from "./ip-restriction/ip-restriction-policy.js";
import { createJwtPolicy, type JwtPolicyOptions } from "./jwt/jwt-policy.js";
import { RemoteJwksCache } from "./jwt/remote-jwks.js";
import { createLocalLimiterStore } from "./rate-limit/ipc-limiter.js";
import type { LimiterStore } from "./rate-limit/limiter-store.js";
import { createRateLimitPolicy } from "./rate-limit/rate-limit-policy.js";
import { RedisConnections } from "./rate-limit/redis-limiter.js";
import { createRequestSizePolicy } from "./request-size/request-size-policy.js";
import type { PolicyContext, PolicyInstance } from "./types.js";

/** The `Policy.config` oneof cases this build knows. */
type PolicyCase = NonNullable<Policy["config"]["case"]>;

/** Policy type name (as in `--policies` and the hello's `policy_types`) for each oneof case. */
const TYPE_OF_CASE: Readonly<Record<PolicyCase, string>> = {
  jwt: "jwt",
  ipRestriction: "ip_restriction",
  rateLimit: "rate_limit",
  requestSize: "request_size",
  cors: "cors",
  headers: "headers",
};

/** Every policy type built into this node (`--policies bundled`). */
export const BUNDLED_POLICY_TYPES: readonly string[] = Object.freeze(Object.values(TYPE_OF_CASE));

/** Policy types that authenticate (a CORS preflight skips them; they carry no credentials). */
export const AUTHENTICATION_POLICY_TYPES: ReadonlySet<string> = new Set([
  "jwt",
  "api_key",
  "mtls",
  "introspection",
  "auth_any",
]);

/** Shared, long-lived state policies reuse across compiles (no I/O until a request needs it). */
export interface PolicyResources {
  /** Remote JWKS fetchers by URL, so a re-publish does not drop the fetched keys. */
  readonly remoteJwks: RemoteJwksCache;
  /** Options for JWT policies (cache size, clock), mostly for tests. */
  readonly jwt?: JwtPolicyOptions;
  /** Node-local rate-limit counts (kept across config versions: a re-publish resets no limit). */
  readonly localLimits: LimiterStore;
  /** Redis connections of cluster-scope rate limits. */
  readonly redis: RedisConnections;
}

/**
 * Fresh shared resources.
 * @param warn where Redis connection problems are reported (throttled)
 */
export function createPolicyResources(
  warn: (fields: Record<string, unknown>, msg: string) => void = () => {},
  localLimits: LimiterStore = createLocalLimiterStore(),
): PolicyResources {
  return { remoteJwks: new RemoteJwksCache(), localLimits, redis: new RedisConnections(warn) };
}

/** Closes what the resources hold open (Redis connections, limiter channels). */
export async function closePolicyResources(r: PolicyResources): Promise<void> {
  await Promise.all([r.redis.close(), r.localLimits.close()]);
}

/**
 * The type name of a policy, or `undefined` when its oneof is unset: the control plane is newer
 * and sent a type this build does not know (version skew).
 */
export function policyTypeOf(policy: Policy): string | undefined {
  const c = policy.config.case;
  return c === undefined ? undefined : TYPE_OF_CASE[c];
}

/**
 * Builds the instance of a policy whose type is known.
 * @throws PolicyConfigError when the config is invalid; TypeError when the oneof is unset.
 */
export function createPolicy(policy: Policy, ctx: PolicyContext, resources: PolicyResources): PolicyInstance {
  const cfg = policy.config;
  switch (cfg.case) {
    case "jwt":
      return createJwtPolicy(cfg.value, ctx, resources.remoteJwks, resources.jwt);
    case "ipRestriction":
      return createIpRestrictionPolicy(cfg.value, ctx);
    case "rateLimit":
      return createRateLimitPolicy(cfg.value, ctx, { local: resources.localLimits, redis: resources.redis });
    case "requestSize":
      return createRequestSizePolicy(cfg.value, ctx);
    case "cors":
      return createCorsPolicy(cfg.value, ctx);
    case "headers":
      return createHeadersPolicy(cfg.value, ctx);
    default:
      throw new TypeError("policy type is not set");
  }
}
