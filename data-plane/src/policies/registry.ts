import type { Policy } from "@palisade/proto";
import type { Agent } from "undici";
import type { ShadowStats } from "../telemetry/shadow-stats.js";
import type { WafStats } from "../telemetry/waf-stats.js";
import { PoolManager } from "../upstream/pool-manager.js";
import { createApiKeyPolicy } from "./api-key/api-key-policy.js";
import { createAuthAgent } from "./auth/http-json.js";
import { createAuthAnyPolicy } from "./auth-any/auth-any-policy.js";
import { createCanaryPolicy } from "./canary/canary-policy.js";
import type { Policy as CompiledPolicy } from "./contract.js";
import { createCorsPolicy } from "./cors/cors-policy.js";
import { PolicyConfigError, type PolicyContext } from "./factory.js";
import { createHeadersPolicy } from "./headers/headers-policy.js";
import { createIntrospectionPolicy } from "./introspection/introspection-policy.js";
import { createIpRestrictionPolicy } from "./ip-restriction/ip-restriction-policy.js";
import type { JwksStore } from "./jwt/jwks-store.js";
import { createJwtPolicy, type JwtPolicyOptions } from "./jwt/jwt-policy.js";
import { type JwksFetcher, type JwksWarn, RemoteJwksCache } from "./jwt/remote-jwks.js";
import { createMirrorPolicy, type MirrorResources } from "./mirror/mirror-policy.js";
import { createMtlsPolicy } from "./mtls/mtls-policy.js";
import { createLocalLimiterStore } from "./rate-limit/ipc-limiter.js";
import type { LimiterStore } from "./rate-limit/limiter-store.js";
import { createRateLimitPolicy } from "./rate-limit/rate-limit-policy.js";
import { RedisConnections } from "./rate-limit/redis-limiter.js";
import { createRequestSizePolicy } from "./request-size/request-size-policy.js";
import { WafPolicies } from "./waf/waf-instances.js";

/** The `Policy.config` oneof cases this build knows. */
type PolicyCase = NonNullable<Policy["config"]["case"]>;

/** Policy type name (as in `--policies` and the hello's `policy_types`) for each oneof case. */
const TYPE_OF_CASE: Readonly<Record<PolicyCase, string>> = {
  jwt: "jwt",
  apiKey: "api-key",
  mtls: "mtls",
  introspection: "introspection",
  authAny: "auth-any",
  ipRestriction: "ip-restriction",
  rateLimit: "rate-limit",
  requestSize: "request-size",
  cors: "cors",
  headers: "headers",
  mirror: "mirror",
  canary: "canary",
  waf: "waf",
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
  /** Node-local rate-limit counts (kept across config versions: a re-publish resets no limit). */
  readonly localLimits: LimiterStore;
  /** Redis connections of cluster-scope rate limits. */
  readonly redis: RedisConnections;
  /** Shadow traffic's own pools and counters (mirror policies). */
  readonly mirror: MirrorResources;
  /** The waf policy instances by compiled route WAF, and where they count (issue 14). */
  readonly waf: WafPolicies;
  /**
   * Stops background refreshes, closes the key-server agent's connections, the Redis
   * connections, the limiter channel and the shadow pools.
   */
  close(): Promise<void>;
}

/** Options of {@link createPolicyResources}. */
export interface PolicyResourcesOptions {
  /** Where operational problems are reported: JWKS fetch failures (rate limited per URL), Redis trouble (throttled). */
  readonly warn?: JwksWarn;
  readonly jwt?: JwtPolicyOptions;
  /** JWKS fetcher (tests). */
  readonly jwksFetcher?: JwksFetcher;
  /** Where fetched JWKS are saved for the next process (the node's `<state-dir>/jwks/`). Default: memory only. */
  readonly jwksStore?: JwksStore;
  readonly now?: () => number;
  /** Store of node-local rate limits. Default: the primary over IPC in a cluster worker, else this process's memory. */
  readonly localLimits?: LimiterStore;
  /** Where mirror policies count shadow traffic. Default: nowhere (cluster workers). */
  readonly shadowStats?: ShadowStats;
  /** Where waf policies count per route (`NodeReport.waf`). Default: nowhere. */
  readonly wafStats?: WafStats;
}

/** Fresh shared resources. */
export function createPolicyResources(opts: PolicyResourcesOptions = {}): PolicyResources {
  const authAgent = createAuthAgent();
  const remoteJwks = new RemoteJwksCache(authAgent, opts.warn, opts.jwksFetcher, opts.now, opts.jwksStore);
  const localLimits = opts.localLimits ?? createLocalLimiterStore();
  const redis = new RedisConnections(opts.warn ?? (() => {}));
  const mirror: MirrorResources = { pools: new PoolManager(), stats: opts.shadowStats ?? null };
  return {
    remoteJwks,
    authAgent,
    localLimits,
    redis,
    mirror,
    waf: new WafPolicies(opts.wafStats ?? null),
    ...(opts.jwt !== undefined ? { jwt: opts.jwt } : {}),
    ...(opts.now !== undefined ? { now: opts.now } : {}),
    async close() {
      remoteJwks.close();
      await Promise.all([authAgent.close(), redis.close(), localLimits.close(), mirror.pools.close(1_000)]);
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
 * Ids of the upstreams a policy sends requests to (`canary` splits and overrides, `mirror`'s
 * shadow), so compile can check them and rebuild the policy when one of them changes.
 */
export function policyUpstreamIds(policy: Policy): readonly string[] {
  const c = policy.config;
  if (c.case === "mirror") return [c.value.upstreamId];
  if (c.case === "canary")
    return [...c.value.splits.map((s) => s.upstreamId), ...c.value.overrides.map((o) => o.upstreamId)];
  return [];
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
  built: ReadonlyMap<string, CompiledPolicy> = new Map(),
): CompiledPolicy {
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
    case "canary":
      return createCanaryPolicy(cfg.value, ctx);
    case "mirror":
      return createMirrorPolicy(cfg.value, ctx, resources.mirror);
    default:
      throw new TypeError("policy type is not set");
  }
}
