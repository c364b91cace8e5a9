import { create } from "@bufbuild/protobuf";
import {
  CorsPolicySchema,
  HeadersPolicySchema,
  IpRestrictionPolicySchema,
  type Policy,
  RateLimitFailureMode,
  RateLimitKeySource,
  RateLimitPeriod,
  RateLimitPolicySchema,
  RateLimitScope,
  RequestSizePolicySchema,
} from "@palisade/proto";

/** The `Policy.config` oneof of a traffic-protection policy, from its stored JSON config. */
export type TrafficPolicyConfig = Extract<
  Policy["config"],
  { case: "ipRestriction" | "rateLimit" | "requestSize" | "cors" | "headers" }
>;

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

/**
 * Maps the stored config of a traffic-protection policy type onto its proto message (defaults
 * made explicit: local scope, fail open, 200 ms Redis timeout, IPv6 keys per /64).
 * @returns `undefined` for a type that is not a traffic-protection type
 */
export function toTrafficPolicyConfig(type: string, c: Record<string, unknown>): TrafficPolicyConfig | undefined {
  switch (type) {
    case "ip-restriction":
      return {
        case: "ipRestriction",
        value: create(IpRestrictionPolicySchema, {
          allow: (c.allow as string[]) ?? [],
          deny: (c.deny as string[]) ?? [],
        }),
      };
    case "rate-limit": {
      const redis = c.redis as
        | {
            host: string;
            port: number;
            username?: string;
            password?: string;
            database?: number;
            timeout_ms?: number;
            key_prefix?: string;
          }
        | undefined;
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
    case "request-size":
      return {
        case: "requestSize",
        value: create(RequestSizePolicySchema, {
          maxBodyBytes: BigInt((c.max_body_bytes as number) ?? 0),
          maxHeaderBytes: (c.max_header_bytes as number) ?? 0,
          maxHeaders: (c.max_headers as number) ?? 0,
          maxUrlBytes: (c.max_url_bytes as number) ?? 0,
          maxQueryParams: (c.max_query_params as number) ?? 0,
        }),
      };
    case "cors":
      return {
        case: "cors",
        value: create(CorsPolicySchema, {
          allowOrigins: c.allow_origins as string[],
          allowMethods: (c.allow_methods as string[]) ?? [],
          allowHeaders: (c.allow_headers as string[]) ?? [],
          exposeHeaders: (c.expose_headers as string[]) ?? [],
          allowCredentials: (c.allow_credentials as boolean) ?? false,
          maxAgeS: (c.max_age_s as number) ?? 0,
        }),
      };
    case "headers":
      return {
        case: "headers",
        value: create(HeadersPolicySchema, {
          set: (c.set as Record<string, string>) ?? {},
          addIfMissing: (c.add_if_missing as Record<string, string>) ?? {},
          remove: (c.remove as string[]) ?? [],
        }),
      };
    default:
      return undefined;
  }
}
