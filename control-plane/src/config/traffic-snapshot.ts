import { create } from "@bufbuild/protobuf";
import {
  CanaryPolicySchema,
  CorsPolicySchema,
  HeadersPolicySchema,
  IpRestrictionPolicySchema,
  MirrorPolicySchema,
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
  { case: "ipRestriction" | "rateLimit" | "requestSize" | "cors" | "headers" | "canary" | "mirror" }
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

/** Mirror defaults the node would apply, made explicit in the snapshot. */
export const MIRROR_DEFAULTS = Object.freeze({ timeoutMs: 5_000, maxInFlight: 100, maxBodyBytes: 65_536 });

type StickyBody = "client_address" | { header: string } | { cookie: string } | undefined;

function toSticky(s: StickyBody) {
  if (s === undefined) return undefined;
  if (s === "client_address") return { key: { case: "clientAddress" as const, value: true } };
  if ("header" in s) return { key: { case: "header" as const, value: s.header.toLowerCase() } };
  return { key: { case: "cookie" as const, value: s.cookie } };
}

interface OverrideBody {
  header?: string;
  cookie?: string;
  value?: string;
  regex?: string;
  upstream: string;
}

function toOverride(o: OverrideBody) {
  if (o.cookie !== undefined)
    return {
      upstreamId: o.upstream,
      match: { case: "cookie" as const, value: { name: o.cookie, value: o.value ?? "" } },
    };
  return {
    upstreamId: o.upstream,
    match: {
      case: "header" as const,
      value: {
        name: (o.header ?? "").toLowerCase(),
        value:
          o.regex !== undefined
            ? { case: "regex" as const, value: o.regex }
            : { case: "exact" as const, value: o.value ?? "" },
      },
    },
  };
}

/**
 * Maps the stored config of a traffic policy type onto its proto message (defaults made
 * explicit: local scope, fail open, 200 ms Redis timeout, IPv6 keys per /64; canary weights in
 * basis points; mirror timeout 5 s, 100 in flight, bodies up to 64 KiB).
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
    case "canary": {
      const sticky = toSticky(c.sticky as StickyBody);
      return {
        case: "canary",
        value: create(CanaryPolicySchema, {
          splits: ((c.splits as Array<{ upstream: string; weight: number }>) ?? []).map((s) => ({
            upstreamId: s.upstream,
            weightBp: Math.round(s.weight * 100),
          })),
          overrides: ((c.overrides as OverrideBody[]) ?? []).map(toOverride),
          ...(sticky ? { sticky } : {}),
        }),
      };
    }
    case "mirror":
      return {
        case: "mirror",
        value: create(MirrorPolicySchema, {
          upstreamId: c.upstream as string,
          fraction: c.fraction as number,
          maxBodyBytes: (c.max_body_bytes as number) ?? MIRROR_DEFAULTS.maxBodyBytes,
          timeoutMs: (c.timeout_ms as number) ?? MIRROR_DEFAULTS.timeoutMs,
          maxInFlight: (c.max_in_flight as number) ?? MIRROR_DEFAULTS.maxInFlight,
        }),
      };
    default:
      return undefined;
  }
}
