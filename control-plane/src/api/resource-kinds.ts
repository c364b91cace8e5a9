import { redactPolicyConfig } from "../config/redact.js";
import { policySchema, routeSchema, upstreamSchema } from "../config/schemas.js";
import { checkPathPrefix, checkTrafficPolicyConfig } from "../config/traffic-validate.js";
import { checkJwtConfig, checkRouteHasMatcher, checkRoutePaths, checkUpstreamTargets } from "../config/validate.js";
import { ApiError } from "../errors.js";
import type { ResourceKind, Store, StoredResource } from "../store/store.js";

/**
 * What the generic CRUD handlers need to know about one kind of draft resource:
 * its body schema, the semantic checks and reference resolution applied on
 * write, who may reference it (to refuse a delete), and how it is shown.
 */
export interface KindSpec {
  kind: ResourceKind;
  /** Singular noun for messages. */
  noun: string;
  schema: object;
  /**
   * Checks a schema-valid body and returns what is stored (references resolved to ids).
   * @throws ApiError VALIDATION_FAILED / REFERENCE_NOT_FOUND naming the field.
   */
  normalize(body: Record<string, unknown>, store: Store): Record<string, unknown>;
  /** Names of resources that reference `id` (a delete is refused while any exist). */
  referencedBy(id: string, store: Store): string[];
  /** The API representation (secrets redacted). */
  present(r: StoredResource): Record<string, unknown>;
}

const plain = (r: StoredResource): Record<string, unknown> => ({
  id: r.id,
  name: r.name,
  ...r.body,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

function resolveRef(store: Store, kind: ResourceKind, ref: string, field: string): string {
  const found = store.getResource(kind, ref);
  if (!found)
    throw new ApiError("REFERENCE_NOT_FOUND", `no ${kind.slice(0, -1)} named or with id ${JSON.stringify(ref)}`, field);
  return found.id;
}

function routesReferencing(store: Store, match: (body: Record<string, unknown>) => boolean): string[] {
  return store
    .listResources("routes")
    .filter((r) => match(r.body))
    .map((r) => r.name);
}

/** Upstreams, routes and policies: the draft config kinds of the admin API. */
export const KINDS: readonly KindSpec[] = [
  {
    kind: "upstreams",
    noun: "upstream",
    schema: upstreamSchema,
    normalize(body) {
      checkUpstreamTargets(body.targets as Array<{ host: string }>);
      checkPathPrefix(body.path_prefix as string | undefined);
      return body;
    },
    referencedBy: (id, store) => routesReferencing(store, (b) => b.upstream === id),
    present: plain,
  },
  {
    kind: "routes",
    noun: "route",
    schema: routeSchema,
    normalize(body, store) {
      checkRouteHasMatcher(body as { hosts?: unknown[] });
      checkRoutePaths(body.paths as unknown[] | undefined);
      const out: Record<string, unknown> = {
        ...body,
        upstream: resolveRef(store, "upstreams", body.upstream as string, "upstream"),
      };
      if (Array.isArray(body.policies)) {
        const ids = (body.policies as string[]).map((p, i) => resolveRef(store, "policies", p, `policies.${i}`));
        if (new Set(ids).size !== ids.length)
          throw new ApiError("VALIDATION_FAILED", "a policy is listed twice", "policies");
        out.policies = ids;
      }
      return out;
    },
    referencedBy: () => [],
    present: plain,
  },
  {
    kind: "policies",
    noun: "policy",
    schema: policySchema,
    normalize(body) {
      if (body.type === "jwt") checkJwtConfig(body.config as Parameters<typeof checkJwtConfig>[0]);
      else checkTrafficPolicyConfig(body.type as string, body.config as Record<string, unknown>);
      return body;
    },
    referencedBy: (id, store) => {
      const users = routesReferencing(store, (b) => ((b.policies as string[]) ?? []).includes(id));
      const global = (store.getSettings().global_policies as string[] | undefined) ?? [];
      return global.includes(id) ? [...users, "the global policies (/v1/settings)"] : users;
    },
    present: (r) => ({
      ...plain(r),
      config: redactPolicyConfig(r.body.type as string, r.body.config as Record<string, unknown>),
    }),
  },
];
