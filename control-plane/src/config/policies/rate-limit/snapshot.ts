import { create } from "@bufbuild/protobuf";
import {
  RateLimitFailureMode,
  RateLimitKeySource,
  RateLimitPeriod,
  RateLimitPolicySchema,
  RateLimitScope,
} from "@palisade/proto";
import type { PolicyConfigInit, PolicyJson } from "../policy-type.js";

const PERIOD: Record<string, RateLimitPeriod> = {
  second: RateLimitPeriod.SECOND,
  minute: RateLimitPeriod.MINUTE,
  hour: RateLimitPeriod.HOUR,
  day: RateLimitPeriod.DAY,
};

const KEY: Record<string, RateLimitKeySource> = {
  client_address: RateLimitKeySource.CLIENT_ADDRESS,
  consumer: RateLimitKeySource.CONSUMER,
  route: RateLimitKeySource.ROUTE,
};

interface RedisBody {
  host: string;
  port: number;
  username?: string;
  password?: string;
  database?: number;
  timeout_ms?: number;
  key_prefix?: string;
}

/**
 * The proto `RateLimitPolicy` of a stored `rate-limit` config, defaults made explicit: keyed by
 * client address, local scope, fail open, 200 ms Redis timeout, IPv6 keys per /64.
 */
export function toRateLimitPolicy(c: PolicyJson): PolicyConfigInit {
  const redis = c.redis as RedisBody | undefined;
  return {
    case: "rateLimit",
    value: create(RateLimitPolicySchema, {
      limits: (c.limits as Array<{ requests: number; per: string }>).map((l) => ({
        requests: l.requests,
        period: PERIOD[l.per],
      })),
      key: ((c.key as Array<string | { header: string }>) ?? ["client_address"]).map((k) =>
        typeof k === "string"
          ? { source: KEY[k] }
          : { source: RateLimitKeySource.HEADER, header: k.header.toLowerCase() },
      ),
      scope: c.scope === "cluster" ? RateLimitScope.CLUSTER : RateLimitScope.LOCAL,
      ...(redis
        ? {
            redis: {
              host: redis.host,
              port: redis.port,
              username: redis.username ?? "",
              password: redis.password ?? "",
              database: redis.database ?? 0,
              timeoutMs: redis.timeout_ms ?? 200,
              keyPrefix: redis.key_prefix ?? "palisade:rl:",
            },
          }
        : {}),
      failureMode: c.failure_mode === "closed" ? RateLimitFailureMode.CLOSED : RateLimitFailureMode.OPEN,
      hideClientHeaders: (c.hide_client_headers as boolean) ?? false,
      ipv6PrefixLength: (c.ipv6_prefix_length as number) ?? 64,
    }),
  };
}
