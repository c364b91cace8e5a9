import { create } from "@bufbuild/protobuf";
import { LoadBalancing, type Upstream, UpstreamSchema } from "@palisade/proto";
import type { StoredResource } from "../../store/store.js";
import { type TimeoutsBody, toTimeouts } from "../timeouts.js";

const LB: Record<string, LoadBalancing> = {
  round_robin: LoadBalancing.ROUND_ROBIN,
  least_requests: LoadBalancing.LEAST_REQUESTS,
  ring_hash: LoadBalancing.RING_HASH,
};

/** The upstream fields of the API body beyond targets, scheme and timeouts. */
interface UpstreamExtras {
  hash_on?: { header?: string; cookie?: string; client_ip?: boolean };
  health_check?: {
    active?: {
      path: string;
      interval_ms?: number;
      timeout_ms?: number;
      healthy_threshold?: number;
      unhealthy_threshold?: number;
    };
    passive?: {
      enabled?: boolean;
      consecutive_5xx?: number;
      consecutive_connect_failures?: number;
      base_ejection_ms?: number;
      max_ejection_percent?: number;
    };
  };
  retries?: { max_retries?: number; retry_on_statuses?: number[]; budget_percent?: number; min_concurrent?: number };
  circuit_breaker?: { max_requests?: number; max_pending?: number; max_connections?: number };
  tls?: { verify?: boolean; ca_pem?: string; server_name?: string };
}

/** Proto fields for the upstream extras; absent values stay unset (the node applies its defaults). */
function upstreamExtras(b: UpstreamExtras) {
  const h = b.hash_on;
  const hc = b.health_check;
  return {
    ...(h
      ? {
          hashOn: {
            key:
              h.header !== undefined
                ? { case: "header" as const, value: h.header.toLowerCase() }
                : h.cookie !== undefined
                  ? { case: "cookie" as const, value: h.cookie }
                  : { case: "clientIp" as const, value: true },
          },
        }
      : {}),
    ...(hc
      ? {
          healthCheck: {
            ...(hc.active
              ? {
                  active: {
                    path: hc.active.path,
                    intervalMs: hc.active.interval_ms ?? 0,
                    timeoutMs: hc.active.timeout_ms ?? 0,
                    healthyThreshold: hc.active.healthy_threshold ?? 0,
                    unhealthyThreshold: hc.active.unhealthy_threshold ?? 0,
                  },
                }
              : {}),
            ...(hc.passive
              ? {
                  passive: {
                    disabled: hc.passive.enabled === false,
                    consecutive5xx: hc.passive.consecutive_5xx ?? 0,
                    consecutiveConnectFailures: hc.passive.consecutive_connect_failures ?? 0,
                    baseEjectionMs: hc.passive.base_ejection_ms ?? 0,
                    maxEjectionPercent: hc.passive.max_ejection_percent ?? 0,
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(b.retries
      ? {
          retries: {
            ...(b.retries.max_retries !== undefined ? { maxRetries: b.retries.max_retries } : {}),
            retryOnStatuses: b.retries.retry_on_statuses ?? [],
            budgetPercent: b.retries.budget_percent ?? 0,
            minConcurrent: b.retries.min_concurrent ?? 0,
          },
        }
      : {}),
    ...(b.circuit_breaker
      ? {
          circuitBreaker: {
            maxRequests: b.circuit_breaker.max_requests ?? 0,
            maxPending: b.circuit_breaker.max_pending ?? 0,
            maxConnections: b.circuit_breaker.max_connections ?? 0,
          },
        }
      : {}),
    ...(b.tls
      ? {
          tls: {
            skipVerify: b.tls.verify === false,
            caPem: b.tls.ca_pem ?? "",
            serverName: b.tls.server_name ?? "",
          },
        }
      : {}),
  };
}

/** The upstream message of a stored upstream. */
export function toUpstream(r: StoredResource): Upstream {
  const b = r.body as unknown as UpstreamExtras & {
    targets: Array<{ host: string; port: number; weight?: number }>;
    scheme?: string;
    load_balancing?: string;
    timeouts?: TimeoutsBody;
    path_prefix?: string;
  };
  return create(UpstreamSchema, {
    id: r.id,
    name: r.name,
    targets: b.targets.map((t) => ({ host: t.host, port: t.port, weight: t.weight ?? 100 })),
    scheme: b.scheme ?? "http",
    loadBalancing: LB[b.load_balancing ?? "round_robin"],
    timeouts: toTimeouts(b.timeouts),
    ...upstreamExtras(b),
    pathPrefix: b.path_prefix ?? "",
  });
}
