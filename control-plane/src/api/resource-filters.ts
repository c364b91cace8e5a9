import { routePathStrings, underPrefix } from "../rbac/permissions.js";
import type { ResourceKind, Store, StoredResource } from "../store/store.js";

/**
 * A list filter: its query parameter's schema and whether a stored resource passes. A filter
 * naming another resource (`ref`) gets the id the value names (by id or name), read once.
 */
interface Filter {
  readonly schema: object;
  readonly ref?: ResourceKind;
  readonly test: (r: StoredResource, value: string, refId: string | undefined) => boolean;
}

const text = (description: string) => ({ type: "string", minLength: 1, maxLength: 256, description }) as const;

const byName: Filter = {
  schema: text("names containing this text"),
  test: (r, v) => r.name.includes(v),
};

/**
 * The filters of `GET /v1/<kind>`, by kind (every kind also takes `name`, `limit` and `after`).
 * Filters combine with AND.
 */
export const KIND_FILTERS: Readonly<Record<string, Readonly<Record<string, Filter>>>> = {
  upstreams: {
    name: byName,
    host: {
      schema: text("upstreams with a target on this host"),
      test: (r, v) => ((r.body.targets as Array<{ host: string }>) ?? []).some((t) => t.host === v),
    },
  },
  routes: {
    name: byName,
    upstream: {
      schema: text("routes to this upstream (id or name)"),
      ref: "upstreams",
      test: (r, v, id) => r.body.upstream === v || (id !== undefined && r.body.upstream === id),
    },
    policy: {
      schema: text("routes with this policy (id or name)"),
      ref: "policies",
      test: (r, v, id) => ((r.body.policies as string[] | undefined) ?? []).includes(id ?? v),
    },
    host: {
      schema: text("routes matching this host"),
      test: (r, v) => ((r.body.hosts as string[] | undefined) ?? []).includes(v),
    },
    path: {
      schema: text("routes with a path under this prefix (segment-wise)"),
      test: (r, v) => routePathStrings(r.body.paths).some((p) => underPrefix(p, v)),
    },
  },
  policies: {
    name: byName,
    type: { schema: text("policies of this type"), test: (r, v) => r.body.type === v },
  },
  consumers: {
    name: byName,
    tag: {
      schema: text("consumers with this tag"),
      test: (r, v) => ((r.body.tags as string[] | undefined) ?? []).includes(v),
    },
    disabled: {
      schema: { type: "string", enum: ["true", "false"], description: "disabled consumers, or enabled ones" },
      test: (r, v) => (r.body.disabled === true) === (v === "true"),
    },
  },
  certificates: {
    name: byName,
    sni: {
      schema: text("certificates serving this SNI name"),
      test: (r, v) => ((r.body.snis as string[]) ?? []).includes(v),
    },
  },
};

/** The resources of a kind that pass every filter given in `query`. */
export async function filterResources(
  kind: ResourceKind,
  items: readonly StoredResource[],
  query: Readonly<Record<string, string | undefined>>,
  store: Store,
): Promise<StoredResource[]> {
  const active = Object.entries(KIND_FILTERS[kind] ?? {}).filter(([k]) => query[k] !== undefined);
  if (active.length === 0) return [...items];
  const refs = new Map<string, string | undefined>();
  for (const [k, f] of active) if (f.ref) refs.set(k, (await store.getResource(f.ref, query[k]!))?.id);
  return items.filter((r) => active.every(([k, f]) => f.test(r, query[k]!, refs.get(k))));
}
