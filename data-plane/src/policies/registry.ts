import type { Policy } from "@palisade/proto";
import { createJwtPolicy, type JwtPolicyOptions } from "./jwt/jwt-policy.js";
import { RemoteJwksCache } from "./jwt/remote-jwks.js";
import type { PolicyContext, PolicyInstance } from "./types.js";

/** The `Policy.config` oneof cases this build knows. */
type PolicyCase = NonNullable<Policy["config"]["case"]>;

/** Policy type name (as in `--policies` and the hello's `policy_types`) for each oneof case. */
const TYPE_OF_CASE: Readonly<Record<PolicyCase, string>> = { jwt: "jwt" };

/** Every policy type built into this node (`--policies bundled`). */
export const BUNDLED_POLICY_TYPES: readonly string[] = Object.freeze(Object.values(TYPE_OF_CASE));

/** Shared, long-lived state policies reuse across compiles (no I/O until a request needs it). */
export interface PolicyResources {
  /** Remote JWKS fetchers by URL, so a re-publish does not drop the fetched keys. */
  readonly remoteJwks: RemoteJwksCache;
  /** Options for JWT policies (cache size, clock), mostly for tests. */
  readonly jwt?: JwtPolicyOptions;
}

/** Fresh shared resources. */
export function createPolicyResources(): PolicyResources {
  return { remoteJwks: new RemoteJwksCache() };
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
    default:
      throw new TypeError("policy type is not set");
  }
}
