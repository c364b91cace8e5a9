import { create, type Message } from "@bufbuild/protobuf";
import {
  contentHashOf,
  encodeResources,
  LoadBalancing,
  type PathMatch,
  PathMatchSchema,
  type Policy,
  PolicySchema,
  type Route,
  RouteSchema,
  type Snapshot,
  SnapshotSchema,
  type Upstream,
  UpstreamSchema,
} from "@palisade/proto";
import { ApiError } from "../errors.js";
import type { ResourceKind, StoredResource } from "../store/store.js";

/** The draft config as stored: every resource of every kind. */
export interface DraftConfig {
  upstreams: StoredResource[];
  routes: StoredResource[];
  policies: StoredResource[];
}

/** A compiled, validated snapshot and its content hash (`contentHashOf` its encoded resources). */
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
};

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

/** The upstream message of a stored upstream. */
export function toUpstream(r: StoredResource): Upstream {
  const b = r.body as {
    targets: Array<{ host: string; port: number; weight?: number }>;
    scheme?: string;
    load_balancing?: string;
    timeouts?: { connect_ms?: number; header_ms?: number; body_ms?: number };
  };
  return create(UpstreamSchema, {
    id: r.id,
    name: r.name,
    targets: b.targets.map((t) => ({ host: t.host, port: t.port, weight: t.weight ?? 100 })),
    scheme: b.scheme ?? "http",
    loadBalancing: LB[b.load_balancing ?? "round_robin"],
    timeouts: {
      connectMs: b.timeouts?.connect_ms ?? 0,
      headerMs: b.timeouts?.header_ms ?? 0,
      bodyMs: b.timeouts?.body_ms ?? 0,
    },
  });
}

/** The route message of a stored route (references are already ids). */
export function toRoute(r: StoredResource): Route {
  const b = r.body as {
    hosts?: string[];
    paths?: unknown[];
    methods?: string[];
    priority?: number;
    upstream: string;
    policies?: string[];
    strip_prefix?: boolean;
  };
  return create(RouteSchema, {
    id: r.id,
    name: r.name,
    hosts: b.hosts ?? [],
    paths: (b.paths ?? []).map(toPathMatch),
    methods: b.methods ?? [],
    priority: b.priority ?? 0,
    upstreamId: b.upstream,
    policyIds: b.policies ?? [],
    stripPrefix: b.strip_prefix ?? false,
  });
}

/**
 * A draft resource kind and how it becomes a snapshot resource: the `Snapshot` field it fills
 * and the pure conversion of one stored resource. A new resource kind is one more row here.
 */
export interface DraftKind {
  kind: ResourceKind;
  /** Number of the repeated field of `palisade.config.v1.Snapshot`. */
  field: number;
  toMessage(r: StoredResource): Message;
}

/** Every draft kind, in snapshot field order. */
export const DRAFT_KINDS: readonly DraftKind[] = [
  { kind: "upstreams", field: 3, toMessage: toUpstream },
  { kind: "routes", field: 4, toMessage: toRoute },
  { kind: "policies", field: 5, toMessage: toPolicy },
];

/** Resource kinds every node understands; any other non-empty kind is a feature of the version. */
export const CORE_KINDS: ReadonlySet<string> = new Set(["upstreams", "routes", "policies"]);

/**
 * Refuses a route that names a missing upstream or policy (go-control-plane's snapshot
 * consistency check: no dangling references are served).
 * @throws ApiError REFERENCE_NOT_FOUND naming `routes.<name>.upstream` or `.policies`
 */
export function checkRouteReferences(
  r: StoredResource,
  upstreamIds: ReadonlySet<string>,
  policyIds: ReadonlySet<string>,
): void {
  if (!upstreamIds.has(r.body.upstream as string))
    throw new ApiError("REFERENCE_NOT_FOUND", `route ${r.name} names a missing upstream`, `routes.${r.name}.upstream`);
  for (const p of (r.body.policies as string[]) ?? [])
    if (!policyIds.has(p))
      throw new ApiError("REFERENCE_NOT_FOUND", `route ${r.name} names a missing policy`, `routes.${r.name}.policies`);
}

/**
 * Builds the snapshot of a draft config: a pure function (no I/O, no clock).
 * Resources are ordered by id; the hash covers content only (not timestamps, not order), so an
 * unchanged config is recognised and never re-published (as Kong's config hash does). The
 * publisher builds the same resources incrementally (publisher.ts); this whole-draft form is the
 * reference it is tested against.
 * @throws ApiError REFERENCE_NOT_FOUND when a route names a missing upstream or policy
 */
export function buildSnapshot(draft: DraftConfig): BuiltSnapshot {
  const byId = (a: StoredResource, b: StoredResource) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const upstreams = [...draft.upstreams].sort(byId);
  const routes = [...draft.routes].sort(byId);
  const policies = [...draft.policies].sort(byId);
  const upstreamIds = new Set(upstreams.map((u) => u.id));
  const policyIds = new Set(policies.map((p) => p.id));
  for (const r of routes) checkRouteReferences(r, upstreamIds, policyIds);
  const snapshot = create(SnapshotSchema, {
    upstreams: upstreams.map(toUpstream),
    routes: routes.map(toRoute),
    policies: policies.map(toPolicy),
  });
  const hash = contentHashOf(encodeResources(snapshot));
  snapshot.hash = hash;
  return { snapshot, hash };
}
