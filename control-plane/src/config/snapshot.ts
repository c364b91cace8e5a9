import { createHash } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import {
  LoadBalancing,
  type PathMatch,
  PathMatchSchema,
  type Policy,
  PolicySchema,
  type Snapshot,
  SnapshotSchema,
} from "@palisade/proto";
import { ApiError } from "../errors.js";
import type { StoredResource } from "../store/store.js";

/** The draft config as stored: every resource of every kind. */
export interface DraftConfig {
  upstreams: StoredResource[];
  routes: StoredResource[];
  policies: StoredResource[];
  /** TLS certificates for the nodes' HTTPS listener (absent = none). */
  certificates?: StoredResource[];
}

/** A compiled, validated snapshot and its content hash (sha256 hex of the canonical JSON). */
export interface BuiltSnapshot {
  snapshot: Snapshot;
  hash: string;
}

/** JSON with object keys sorted at every depth, so equal content gives equal bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const LB: Record<string, LoadBalancing> = {
  round_robin: LoadBalancing.ROUND_ROBIN,
  least_requests: LoadBalancing.LEAST_REQUESTS,
  ring_hash: LoadBalancing.RING_HASH,
};

/** Timeouts in the API's snake_case → proto (absent = 0 = the node's default / no override). */
interface TimeoutsBody {
  connect_ms?: number;
  header_ms?: number;
  body_ms?: number;
  total_ms?: number;
}

function toTimeouts(t: TimeoutsBody | undefined) {
  return {
    connectMs: t?.connect_ms ?? 0,
    headerMs: t?.header_ms ?? 0,
    bodyMs: t?.body_ms ?? 0,
    totalMs: t?.total_ms ?? 0,
  };
}

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

function toPathMatch(p: unknown): PathMatch {
  if (typeof p === "string") return create(PathMatchSchema, { kind: { case: "prefix", value: p } });
  const o = p as { exact?: string; prefix?: string };
  return create(PathMatchSchema, {
    kind: o.exact !== undefined ? { case: "exact", value: o.exact } : { case: "prefix", value: o.prefix ?? "/" },
  });
}

function toPolicy(r: StoredResource): Policy {
  const type = r.body.type as string;
  const c = r.body.config as Record<string, unknown>;
  if (type === "jwt") {
    return create(PolicySchema, {
      id: r.id,
      name: r.name,
      config: {
        case: "jwt",
        value: {
          jwksJson: c.jwks ? JSON.stringify(c.jwks) : "",
          jwksUrl: (c.jwks_url as string) ?? "",
          algorithms: c.algorithms as string[],
          issuers: (c.issuers as string[]) ?? [],
          audiences: (c.audiences as string[]) ?? [],
          leewayS: (c.leeway_s as number) ?? 60,
          claimsToHeaders: (c.claims_to_headers as Record<string, string>) ?? {},
          forwardToken: (c.forward_token as boolean) ?? false,
        },
      },
    });
  }
  throw new ApiError("VALIDATION_FAILED", `unknown policy type ${type}`, `policies.${r.name}.type`);
}

/**
 * Builds the snapshot of a draft config: a pure function (no I/O, no clock).
 * Resources are ordered by id so the same content always gives the same hash;
 * the hash covers content only (not timestamps), so an unchanged config is
 * recognised and never re-published (as Kong's config hash does).
 * @throws ApiError REFERENCE_NOT_FOUND when a route names a missing upstream or policy
 *   (go-control-plane's snapshot consistency check: no dangling references are served).
 */
export function buildSnapshot(draft: DraftConfig): BuiltSnapshot {
  const byId = (a: StoredResource, b: StoredResource) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const upstreams = [...draft.upstreams].sort(byId);
  const routes = [...draft.routes].sort(byId);
  const policies = [...draft.policies].sort(byId);
  const certificates = [...(draft.certificates ?? [])].sort(byId);
  const upstreamIds = new Set(upstreams.map((u) => u.id));
  const policyIds = new Set(policies.map((p) => p.id));
  for (const r of routes) {
    if (!upstreamIds.has(r.body.upstream as string))
      throw new ApiError(
        "REFERENCE_NOT_FOUND",
        `route ${r.name} names a missing upstream`,
        `routes.${r.name}.upstream`,
      );
    for (const p of (r.body.policies as string[]) ?? [])
      if (!policyIds.has(p))
        throw new ApiError(
          "REFERENCE_NOT_FOUND",
          `route ${r.name} names a missing policy`,
          `routes.${r.name}.policies`,
        );
  }
  const content = {
    upstreams: upstreams.map((r) => ({ id: r.id, name: r.name, ...r.body })),
    routes: routes.map((r) => ({ id: r.id, name: r.name, ...r.body })),
    policies: policies.map((r) => ({ id: r.id, name: r.name, ...r.body })),
    // Only when present, so a config without certificates keeps the hash it had before they existed.
    ...(certificates.length > 0
      ? { certificates: certificates.map((r) => ({ id: r.id, name: r.name, ...r.body })) }
      : {}),
  };
  const hash = createHash("sha256").update(canonicalJson(content)).digest("hex");
  const snapshot = create(SnapshotSchema, {
    hash,
    upstreams: upstreams.map((r) => {
      const b = r.body as unknown as UpstreamExtras & {
        targets: Array<{ host: string; port: number; weight?: number }>;
        scheme?: string;
        load_balancing?: string;
        timeouts?: TimeoutsBody;
      };
      return {
        id: r.id,
        name: r.name,
        targets: b.targets.map((t) => ({ host: t.host, port: t.port, weight: t.weight ?? 100 })),
        scheme: b.scheme ?? "http",
        loadBalancing: LB[b.load_balancing ?? "round_robin"],
        timeouts: toTimeouts(b.timeouts),
        ...upstreamExtras(b),
      };
    }),
    routes: routes.map((r) => {
      const b = r.body as {
        hosts?: string[];
        paths?: unknown[];
        methods?: string[];
        priority?: number;
        upstream: string;
        policies?: string[];
        strip_prefix?: boolean;
        prefix_rewrite?: string;
        preserve_host?: boolean;
        timeouts?: TimeoutsBody;
      };
      return {
        id: r.id,
        name: r.name,
        hosts: b.hosts ?? [],
        paths: (b.paths ?? []).map(toPathMatch),
        methods: b.methods ?? [],
        priority: b.priority ?? 0,
        upstreamId: b.upstream,
        policyIds: b.policies ?? [],
        stripPrefix: b.strip_prefix ?? false,
        prefixRewrite: b.prefix_rewrite ?? "",
        preserveHost: b.preserve_host ?? false,
        ...(b.timeouts ? { timeouts: toTimeouts(b.timeouts) } : {}),
      };
    }),
    policies: policies.map(toPolicy),
    certificates: certificates.map((r) => {
      const b = r.body as { snis: string[]; cert_pem: string; key_pem: string };
      return { id: r.id, name: r.name, snis: b.snis, certPem: b.cert_pem, keyPem: b.key_pem };
    }),
  });
  return { snapshot, hash };
}
