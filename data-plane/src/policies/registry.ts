import type { Policy } from "@palisade/proto";
import type { Agent } from "undici";
import { createApiKeyPolicy } from "./api-key/api-key-policy.js";
import { createAuthAgent } from "./auth/http-json.js";
import { createAuthAnyPolicy } from "./auth-any/auth-any-policy.js";
import { createIntrospectionPolicy } from "./introspection/introspection-policy.js";
import { createJwtPolicy, type JwtPolicyOptions } from "./jwt/jwt-policy.js";
import { type JwksFetcher, type JwksWarn, RemoteJwksCache } from "./jwt/remote-jwks.js";
import { createMtlsPolicy } from "./mtls/mtls-policy.js";
import { PolicyConfigError, type PolicyContext, type PolicyInstance } from "./types.js";

/** The `Policy.config` oneof cases this build knows. */
type PolicyCase = NonNullable<Policy["config"]["case"]>;

/** Policy type name (as in `--policies` and the hello's `policy_types`) for each oneof case. */
const TYPE_OF_CASE: Readonly<Record<PolicyCase, string>> = {
  jwt: "jwt",
  apiKey: "api-key",
  mtls: "mtls",
  introspection: "introspection",
  authAny: "auth-any",
};

/** Every policy type built into this node (`--policies bundled`). */
export const BUNDLED_POLICY_TYPES: readonly string[] = Object.freeze(Object.values(TYPE_OF_CASE));

/** Shared, long-lived state policies reuse across compiles (no I/O until a request needs it). */
export interface PolicyResources {
  /** Remote JWKS sets by URL, so a re-publish does not drop the fetched keys. */
  readonly remoteJwks: RemoteJwksCache;
  /** The agent for calls to key servers (JWKS URLs, introspection endpoints). */
  readonly authAgent: Agent;
  /** Options for JWT policies (cache size, clock), mostly for tests. */
  readonly jwt?: JwtPolicyOptions;
  /** Clock for introspection caches (tests). */
  readonly now?: () => number;
  /** Stops background refreshes and closes the agent's connections. */
  close(): Promise<void>;
}

/** Options of {@link createPolicyResources}. */
export interface PolicyResourcesOptions {
  /** Where JWKS fetch failures are reported (rate limited per URL). */
  readonly warn?: JwksWarn;
  readonly jwt?: JwtPolicyOptions;
  /** JWKS fetcher (tests). */
  readonly jwksFetcher?: JwksFetcher;
  readonly now?: () => number;
}

/** Fresh shared resources. */
export function createPolicyResources(opts: PolicyResourcesOptions = {}): PolicyResources {
  const authAgent = createAuthAgent();
  const remoteJwks = new RemoteJwksCache(authAgent, opts.warn, opts.jwksFetcher, opts.now);
  return {
    remoteJwks,
    authAgent,
    ...(opts.jwt !== undefined ? { jwt: opts.jwt } : {}),
    ...(opts.now !== undefined ? { now: opts.now } : {}),
    async close() {
      remoteJwks.close();
      await authAgent.close();
    },
  };
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
 * Ids of the policies a policy is built from (`auth-any` members), so compile can build those
 * first; empty for the others.
 */
export function policyDependencies(policy: Policy): readonly string[] {
  return policy.config.case === "authAny" ? policy.config.value.policyIds : [];
}

/**
 * Builds the instance of a policy whose type is known.
 * @param built instances of the policies this one depends on (see {@link policyDependencies})
 * @throws PolicyConfigError when the config is invalid; TypeError when the oneof is unset
 */
export function createPolicy(
  policy: Policy,
  ctx: PolicyContext,
  resources: PolicyResources,
  built: ReadonlyMap<string, PolicyInstance> = new Map(),
): PolicyInstance {
  const cfg = policy.config;
  switch (cfg.case) {
    case "jwt":
      return createJwtPolicy(cfg.value, ctx, resources.remoteJwks, resources.jwt);
    case "apiKey":
      return createApiKeyPolicy(cfg.value, ctx);
    case "mtls":
      return createMtlsPolicy(cfg.value, ctx);
    case "introspection":
      return createIntrospectionPolicy(cfg.value, ctx, {
        dispatcher: resources.authAgent,
        ...(resources.now !== undefined ? { now: resources.now } : {}),
      });
    case "authAny": {
      const members = cfg.value.policyIds.map((id, i) => {
        const m = built.get(id);
        if (m === undefined) throw new PolicyConfigError(`policy_ids[${i}]: policy "${id}" is not in the snapshot`);
        return m;
      });
      return createAuthAnyPolicy(ctx.id, members);
    }
    default:
      throw new TypeError("policy type is not set");
  }
}
