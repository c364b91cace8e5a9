import {
  RateLimitFailureMode,
  RateLimitKeySource,
  RateLimitPeriod,
  type RateLimitPolicy,
  RateLimitScope,
} from "@palisade/proto";
import {
  CONTINUE,
  NO_TRAITS,
  type Policy,
  type PolicyExchange,
  type Refusal,
  refusal,
  type Verdict,
} from "../contract.js";
import { PolicyConfigError, type PolicyContext } from "../factory.js";
import type { LimitDecision, LimiterStore, LimitSpec } from "./limiter-store.js";
import { type KeyPart, rateLimitKey } from "./rate-limit-key.js";
import { type RedisConnections, RedisLimiterStore } from "./redis-limiter.js";

/** Window length of each period, ms. */
const PERIOD_MS: Readonly<Record<number, number>> = {
  [RateLimitPeriod.SECOND]: 1_000,
  [RateLimitPeriod.MINUTE]: 60_000,
  [RateLimitPeriod.HOUR]: 3_600_000,
  [RateLimitPeriod.DAY]: 86_400_000,
};

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/** Stores the rate-limit policies count in (long-lived, shared across config versions). */
export interface RateLimitResources {
  /** Node-local counts (this process, or the node's primary process for workers). */
  readonly local: LimiterStore;
  /** Redis connections for the cluster scope. */
  readonly redis: RedisConnections;
}

const UNAVAILABLE = refusal(
  "RATE_LIMIT_UNAVAILABLE",
  "rate_limit_store_unavailable",
  Object.freeze({ "retry-after": "1" }),
);

/**
 * The `rate-limit` policy: fixed windows per key (see limiter-store.ts for why), every limit
 * must admit. Keys come from the canonical view only (client address, consumer, route, header),
 * so spoofed forwarding headers, path spellings (`//x`, `%78`, case) or header case never mint a
 * fresh bucket. Admitted answers (the upstream's, and the node's own when a later policy refuses:
 * its `responseHeaders` hook writes what its `requestHeaders` hook decided) carry `RateLimit-Limit`, `RateLimit-Remaining`,
 * `RateLimit-Reset` (seconds) and `RateLimit-Policy` (`N;w=S` per quota) for the quota closest to
 * exhaustion (IETF draft-ietf-httpapi-ratelimit-headers); refusals answer 429 `RATE_LIMITED` with
 * the same fields and `Retry-After` (seconds, RFC 9110 §10.2.3). When the store cannot answer
 * (Redis down or slow, the primary gone) the request is admitted (`failure_mode` OPEN, a
 * warning) or refused with 503 `RATE_LIMIT_UNAVAILABLE` (CLOSED); the wait is bounded by the
 * store's timeout.
 * @throws PolicyConfigError on no limit, a zero count, an unknown period, a duplicate period,
 *   a header key without a valid name, a CLUSTER scope without Redis host and port
 */
export function createRateLimitPolicy(cfg: RateLimitPolicy, ctx: PolicyContext, resources: RateLimitResources): Policy {
  if (cfg.limits.length === 0) throw new PolicyConfigError("limits: at least one limit is required");
  const limits: LimitSpec[] = cfg.limits.map((l, i) => {
    if (!Number.isInteger(l.requests) || l.requests < 1)
      throw new PolicyConfigError(`limits[${i}].requests must be ≥ 1`);
    const windowMs = PERIOD_MS[l.period];
    if (windowMs === undefined) throw new PolicyConfigError(`limits[${i}].period is not second, minute, hour or day`);
    return Object.freeze({ limit: l.requests, windowMs });
  });
  if (new Set(limits.map((l) => l.windowMs)).size !== limits.length)
    throw new PolicyConfigError("limits: two limits have the same period");
  const parts: KeyPart[] = (
    cfg.key.length === 0 ? [{ source: RateLimitKeySource.CLIENT_ADDRESS, header: "" }] : cfg.key
  ).map((k, i) => {
    if (k.source === RateLimitKeySource.HEADER) {
      const h = k.header.toLowerCase();
      if (!HEADER_NAME.test(h)) throw new PolicyConfigError(`key[${i}].header: "${k.header}" is not a header name`);
      return Object.freeze({ source: k.source, header: h });
    }
    if (k.source === RateLimitKeySource.UNSPECIFIED) throw new PolicyConfigError(`key[${i}].source is not set`);
    return Object.freeze({ source: k.source, header: "" });
  });
  const ipv6Prefix = cfg.ipv6PrefixLength === 0 ? 64 : cfg.ipv6PrefixLength;
  if (ipv6Prefix < 32 || ipv6Prefix > 128) throw new PolicyConfigError("ipv6_prefix_length must be 32-128");
  let store: LimiterStore;
  if (cfg.scope === RateLimitScope.CLUSTER) {
    const r = cfg.redis;
    if (r === undefined || r.host === "" || r.port === 0 || r.port > 65535)
      throw new PolicyConfigError("redis: host and port are required for the cluster scope");
    const timeoutMs = r.timeoutMs === 0 ? 200 : r.timeoutMs;
    if (timeoutMs > 10_000) throw new PolicyConfigError("redis.timeout_ms must be at most 10000");
    const conn = resources.redis.get({
      host: r.host,
      port: r.port,
      username: r.username,
      password: r.password,
      database: r.database,
    });
    store = new RedisLimiterStore(conn, r.keyPrefix === "" ? "palisade:rl:" : r.keyPrefix, timeoutMs);
  } else {
    store = resources.local;
  }
  const failClosed = cfg.failureMode === RateLimitFailureMode.CLOSED;
  const showHeaders = !cfg.hideClientHeaders;
  const policyHeader = limits.map((l) => `${l.limit};w=${l.windowMs / 1000}`).join(", ");
  const id = ctx.id;
  let lastWarn = 0;

  const outcome = (ex: PolicyExchange, d: LimitDecision): Verdict => {
    const l = limits[d.index]!;
    const resetS = Math.max(1, Math.ceil(d.resetMs / 1000));
    if (!d.allowed) {
      return {
        kind: "refusal",
        code: "RATE_LIMITED",
        reason: "rate_limit_exceeded",
        headers: {
          "retry-after": String(resetS),
          "ratelimit-limit": String(l.limit),
          "ratelimit-remaining": "0",
          "ratelimit-reset": String(resetS),
          "ratelimit-policy": policyHeader,
        },
      } satisfies Refusal;
    }
    if (!showHeaders) return CONTINUE;
    const state: AdmittedHeaders = [String(l.limit), String(d.remaining), String(resetS)];
    ex.setState(policy, state);
    return CONTINUE;
  };
  const failed = (err: unknown): Verdict => {
    const now = Date.now();
    if (now - lastWarn >= 10_000) {
      lastWarn = now;
      ctx.warn(
        { policy: id, cause: (err as Error)?.message ?? String(err), failure_mode: failClosed ? "closed" : "open" },
        "rate limit counts unavailable",
      );
    }
    return failClosed ? UNAVAILABLE : CONTINUE;
  };

  const policy: Policy = Object.freeze({
    type: "rate-limit",
    id,
    traits: NO_TRAITS,
    requestHeaders(ex: PolicyExchange): Verdict | Promise<Verdict> {
      const key = rateLimitKey(id, parts, ex, ipv6Prefix);
      let d: LimitDecision | Promise<LimitDecision>;
      try {
        d = store.hit(key, limits);
      } catch (err) {
        return failed(err);
      }
      return d instanceof Promise ? d.then((x) => outcome(ex, x), failed) : outcome(ex, d);
    },
    responseHeaders(ex, res) {
      const h = ex.stateOf(policy) as AdmittedHeaders | undefined;
      if (h === undefined) return CONTINUE;
      res.set("ratelimit-limit", h[0]);
      res.set("ratelimit-remaining", h[1]);
      res.set("ratelimit-reset", h[2]);
      res.set("ratelimit-policy", policyHeader);
      return CONTINUE;
    },
  } satisfies Policy);
  return policy;
}

/** What an admitted request's answer carries: `RateLimit-Limit`, `-Remaining`, `-Reset`. */
type AdmittedHeaders = readonly [limit: string, remaining: string, reset: string];
