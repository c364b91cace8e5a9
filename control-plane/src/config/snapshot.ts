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
import { toTrafficPolicyConfig } from "./traffic-snapshot.js";

/** The draft config as stored: every resource of every kind. */
export interface DraftConfig {
  upstreams: StoredResource[];
  routes: StoredResource[];
  policies: StoredResource[];
  /** Snapshot-wide settings (`PUT /v1/settings`), references resolved to ids. Absent = defaults. */
  settings?: DraftSettings;
}

/** Snapshot-wide settings as stored. */
export interface DraftSettings {
  /** Policy ids applied to every route, in order, before the route's own. */
  global_policies?: string[];
  merge_slashes?: boolean;
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
  const traffic = toTrafficPolicyConfig(type, c);
  if (traffic !== undefined) return create(PolicySchema, { id: r.id, name: r.name, config: traffic });
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
  const upstreamIds = new Set(upstreams.map((u) => u.id));
  const policyIds = new Set(policies.map((p) => p.id));
  const settings = draft.settings ?? {};
  for (const p of settings.global_policies ?? [])
    if (!policyIds.has(p))
      throw new ApiError(
        "REFERENCE_NOT_FOUND",
        "the global policies name a missing policy",
        "settings.global_policies",
      );
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
    // Only non-default settings enter the hash, so drafts without settings hash as before.
    ...(settings.global_policies?.length || settings.merge_slashes ? { settings } : {}),
  };
  const hash = createHash("sha256").update(canonicalJson(content)).digest("hex");
  const snapshot = create(SnapshotSchema, {
    hash,
    upstreams: upstreams.map((r) => {
      const b = r.body as {
        targets: Array<{ host: string; port: number; weight?: number }>;
        scheme?: string;
        load_balancing?: string;
        timeouts?: { connect_ms?: number; header_ms?: number; body_ms?: number };
        path_prefix?: string;
      };
      return {
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
        pathPrefix: b.path_prefix ?? "",
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
        merge_slashes?: boolean;
        allow_encoded_slashes?: boolean;
        case_sensitive?: boolean;
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
        ...(b.merge_slashes !== undefined ? { mergeSlashes: b.merge_slashes } : {}),
        allowEncodedSlashes: b.allow_encoded_slashes ?? false,
        caseSensitive: b.case_sensitive ?? false,
      };
    }),
    policies: policies.map(toPolicy),
    globalPolicyIds: settings.global_policies ?? [],
    requestSettings: { mergeSlashes: settings.merge_slashes ?? false },
  });
  return { snapshot, hash };
}
