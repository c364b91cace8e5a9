import { certificateSchema } from "../config/certificates/schema.js";
import { type CertificateBody, checkCertificate, presentCertificate } from "../config/certificates/validate.js";
import { consumerSchema } from "../config/consumers/schema.js";
import { checkApiKeyConfig } from "../config/policies/api-key/validate.js";
import { checkIntrospectionConfig } from "../config/policies/introspection/validate.js";
import { checkJwtConfig } from "../config/policies/jwt/validate.js";
import { checkMtlsConfig } from "../config/policies/mtls/validate.js";
import {
  AUTH_POLICY_TYPES,
  checkPolicyConfig,
  policySchema,
  ROUTE_ONLY_POLICY_TYPES,
} from "../config/policies/policy-types.js";
import { policyUpstreamRefs, resolvePolicyUpstreams } from "../config/policies/upstream-refs.js";
import { checkWafConfigRules, normalizeWafConfig, type WafConfigBody } from "../config/policies/waf/validate.js";
import { redactPolicyConfig } from "../config/redact.js";
import { checkRouteAction } from "../config/routes/action.js";
import { checkRouteMatchers } from "../config/routes/match.js";
import { routeSchema } from "../config/routes/schema.js";
import {
  checkRouteEncoded,
  checkRouteHasMatcher,
  checkRoutePaths,
  checkRouteRewrite,
} from "../config/routes/validate.js";
import {
  normalizeRuleSet,
  parsedRuleSetOf,
  policiesUsingRuleSet,
  presentRuleSet,
  ruleSetSchema,
} from "../config/rule-sets.js";
import { upstreamSchema } from "../config/upstreams/schema.js";
import { checkPathPrefix, checkUpstream, checkUpstreamTargets } from "../config/upstreams/validate.js";
import { DomainError } from "../errors.js";
import type { ResourceKind, Store, StoredResource } from "../store/store.js";
import { answerOf, int, list, nullable, obj, str, time } from "./response-schemas.js";

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
   * `selfId` is the resource's id on a replace (PUT), undefined on create.
   * @throws DomainError VALIDATION_FAILED / REFERENCE_NOT_FOUND naming the field.
   */
  normalize(body: Record<string, unknown>, store: Store, selfId?: string): Promise<Record<string, unknown>>;
  /** Names of resources that reference `id` (a delete is refused while any exist). */
  referencedBy(id: string, store: Store): Promise<string[]>;
  /** The API representation (secrets redacted). */
  present(r: StoredResource, store: Store): Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Why `r` cannot be replaced or deleted through the API (a bundled rule set), or undefined. */
  readOnly?(r: StoredResource): string | undefined;
  /** Largest request body of a create or replace, bytes (default: the admin API's 4 MiB). */
  bodyLimit?: number;
  /** JSON Schema of the resource as {@link present} shows it (default: {@link answerOfKind}). */
  answer?: object;
}

/** The server's members of every resource. */
const STAMPS = {
  id: { type: "string" },
  created_at: { type: "string", format: "date-time" },
  updated_at: { type: "string", format: "date-time" },
} as const;

/**
 * The JSON Schema of a resource as the API shows it: its kind's `answer`, or its body schema
 * as an answer (response-schemas.ts `answerOf`) with `id`, `created_at`, `updated_at`.
 */
export function answerOfKind(spec: KindSpec): object {
  if (spec.answer) return spec.answer;
  const body = answerOf(spec.schema) as { properties: object; required?: string[] };
  return {
    ...body,
    properties: { ...body.properties, ...STAMPS },
    required: [...(body.required ?? []), ...Object.keys(STAMPS)],
  };
}

const plain = (r: StoredResource): Record<string, unknown> => ({
  id: r.id,
  name: r.name,
  ...r.body,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

/** Singular nouns of the kinds, for messages ("policies" → "policy"). */
const NOUNS: Readonly<Record<ResourceKind, string>> = {
  upstreams: "upstream",
  routes: "route",
  policies: "policy",
  consumers: "consumer",
  certificates: "certificate",
  "rule-sets": "rule set",
};

async function resolveRef(store: Store, kind: ResourceKind, ref: string, field: string): Promise<string> {
  const found = await store.getResource(kind, ref);
  if (!found)
    throw new DomainError("REFERENCE_NOT_FOUND", `no ${NOUNS[kind]} named or with id ${JSON.stringify(ref)}`, field);
  return found.id;
}

async function routesReferencing(store: Store, match: (body: Record<string, unknown>) => boolean): Promise<string[]> {
  return (await store.listResources("routes")).filter((r) => match(r.body)).map((r) => r.name);
}

/** Names of policies (`canary`, `mirror`) whose config names upstream `id`. */
async function policiesReferencingUpstream(store: Store, id: string): Promise<string[]> {
  return (await store.listResources("policies"))
    .filter((p) =>
      policyUpstreamRefs(p.body.type as string, p.body.config as Record<string, unknown>).some((r) => r.ref === id),
    )
    .map((p) => `policy ${p.name}`);
}

/**
 * Policy types a route takes at most one of: `canary` and `mirror` (the upstream choice and the
 * shadow are one per route), and `waf` (one WAF runs per request; a route's own replaces the
 * global one).
 */
const ONE_PER_ROUTE_TYPES: readonly string[] = [...ROUTE_ONLY_POLICY_TYPES, "waf"];

/** Refuses a route whose policies hold two policies of a type it takes one of ({@link ONE_PER_ROUTE_TYPES}). */
async function checkRouteOnlyPolicies(store: Store, ids: readonly string[]): Promise<void> {
  const seen = new Set<string>();
  for (const [i, id] of ids.entries()) {
    const type = (await store.getResource("policies", id))?.body.type as string;
    if (!ONE_PER_ROUTE_TYPES.includes(type)) continue;
    if (seen.has(type)) throw new DomainError("VALIDATION_FAILED", `a route takes one ${type} policy`, `policies.${i}`);
    seen.add(type);
  }
}

/**
 * Resolves the upstreams a `canary` or `mirror` config names to ids; a canary may not split to
 * the same upstream twice.
 * @throws DomainError REFERENCE_NOT_FOUND / VALIDATION_FAILED naming the field
 */
async function resolveConfigUpstreams(
  store: Store,
  type: string,
  config: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  // Resolved first (the store is asynchronous), in the order resolvePolicyUpstreams visits them.
  const ids = new Map<string, string>();
  for (const r of policyUpstreamRefs(type, config))
    ids.set(r.field, await resolveRef(store, "upstreams", r.ref, r.field));
  const out = resolvePolicyUpstreams(type, config, (_ref, field) => ids.get(field)!);
  if (type === "canary") {
    const seen = new Set<string>();
    ((out.splits as Array<{ upstream: string }>) ?? []).forEach((s, i) => {
      if (seen.has(s.upstream))
        throw new DomainError("VALIDATION_FAILED", "an upstream is listed twice", `config.splits.${i}.upstream`);
      seen.add(s.upstream);
    });
  }
  return out;
}

/** Names of `waf` policies whose exclusions are scoped to route `id`. */
async function wafPoliciesScopedTo(store: Store, id: string): Promise<string[]> {
  return (await store.listResources("policies"))
    .filter(
      (p) =>
        p.body.type === "waf" &&
        ((p.body.config as WafConfigBody).exclusions ?? []).some((e) => e.routes?.includes(id)),
    )
    .map((p) => `waf policy ${p.name} (exclusions)`);
}

/** Refuses a policy becoming a second one of its type on a route that takes one ({@link ONE_PER_ROUTE_TYPES}). */
async function checkNotDoubledOnRoutes(store: Store, type: string, selfId: string): Promise<void> {
  if (!ONE_PER_ROUTE_TYPES.includes(type)) return;
  const types = await policyTypes(store);
  const doubled = (await store.listResources("routes")).find((r) => {
    const ids = (r.body.policies as string[] | undefined) ?? [];
    return ids.includes(selfId) && ids.some((p) => p !== selfId && types.get(p) === type);
  });
  if (doubled) throw new DomainError("VALIDATION_FAILED", `route ${doubled.name} already has a ${type} policy`, "type");
}

/** Names of `auth-any` policies that list policy `id` as a member. */
/** Every policy's type by id. */
async function policyTypes(store: Store): Promise<Map<string, unknown>> {
  return new Map((await store.listResources("policies")).map((p) => [p.id, p.body.type]));
}

async function authAnyReferencing(store: Store, id: string): Promise<string[]> {
  return (await store.listResources("policies"))
    .filter(
      (p) => p.body.type === "auth-any" && ((p.body.config as { policies: string[] }).policies ?? []).includes(id),
    )
    .map((p) => p.name);
}

/**
 * Resolves the members of an `auth-any` policy to ids; each must be an authentication policy
 * (not another `auth-any`).
 */
async function resolveAuthAnyMembers(store: Store, members: string[], selfId: string | undefined): Promise<string[]> {
  const out: string[] = [];
  for (const [i, ref] of members.entries()) {
    const field = `config.policies.${i}`;
    const p = await store.getResource("policies", ref);
    if (!p) throw new DomainError("REFERENCE_NOT_FOUND", `no policy named or with id ${JSON.stringify(ref)}`, field);
    if (p.id === selfId || !AUTH_POLICY_TYPES.includes(p.body.type as string))
      throw new DomainError(
        "VALIDATION_FAILED",
        `policy ${p.name} (${String(p.body.type)}) is not an authentication method`,
        field,
      );
    out.push(p.id);
  }
  return out;
}

/** The global policies of the draft's settings (ids). */
async function globalPolicies(store: Store): Promise<string[]> {
  return ((await store.getSettings()).global_policies as string[] | undefined) ?? [];
}

/** Upstreams, routes, policies, consumers and certificates: the draft config kinds of the admin API. */
export const KINDS: readonly KindSpec[] = [
  {
    kind: "upstreams",
    noun: "upstream",
    schema: upstreamSchema,
    async normalize(body) {
      checkUpstreamTargets(body.targets as Array<{ host: string }>);
      checkUpstream(body);
      checkPathPrefix(body.path_prefix as string | undefined);
      return body;
    },
    referencedBy: async (id, store) => [
      ...(await routesReferencing(store, (b) => b.upstream === id)),
      ...(await policiesReferencingUpstream(store, id)),
    ],
    present: plain,
  },
  {
    kind: "routes",
    noun: "route",
    schema: routeSchema,
    async normalize(body, store) {
      checkRouteHasMatcher(body as { hosts?: unknown[] });
      checkRoutePaths(body.paths as unknown[] | undefined);
      checkRouteMatchers(body);
      checkRouteAction(body);
      checkRouteRewrite(body);
      checkRouteEncoded(body as { allow_encoded?: string[]; refuse_encoded?: string[] });
      const out: Record<string, unknown> = { ...body };
      if (body.upstream !== undefined)
        out.upstream = await resolveRef(store, "upstreams", body.upstream as string, "upstream");
      if (Array.isArray(body.policies)) {
        const ids: string[] = [];
        for (const [i, p] of (body.policies as string[]).entries())
          ids.push(await resolveRef(store, "policies", p, `policies.${i}`));
        if (new Set(ids).size !== ids.length)
          throw new DomainError("VALIDATION_FAILED", "a policy is listed twice", "policies");
        await checkRouteOnlyPolicies(store, ids);
        out.policies = ids;
      }
      return out;
    },
    referencedBy: (id, store) => wafPoliciesScopedTo(store, id),
    present: plain,
  },
  {
    kind: "policies",
    noun: "policy",
    schema: policySchema,
    async normalize(body, store, selfId) {
      const config = body.config as Record<string, unknown>;
      if (selfId !== undefined && !AUTH_POLICY_TYPES.includes(body.type as string)) {
        const users = await authAnyReferencing(store, selfId);
        if (users.length > 0)
          throw new DomainError(
            "VALIDATION_FAILED",
            `auth-any policy ${users.join(", ")} needs an authentication method`,
            "type",
          );
      }
      switch (body.type) {
        case "jwt":
          checkJwtConfig(config as Parameters<typeof checkJwtConfig>[0]);
          return body;
        case "api-key":
          checkApiKeyConfig(config);
          return body;
        case "introspection":
          checkIntrospectionConfig(config as Parameters<typeof checkIntrospectionConfig>[0]);
          return body;
        case "mtls":
          checkMtlsConfig(config as Parameters<typeof checkMtlsConfig>[0]);
          return body;
        case "auth-any": {
          const members = await resolveAuthAnyMembers(store, config.policies as string[], selfId);
          if (new Set(members).size !== members.length)
            throw new DomainError("VALIDATION_FAILED", "a policy is listed twice", "config.policies");
          return { ...body, config: { ...config, policies: members } };
        }
        case "waf": {
          if (selfId !== undefined) {
            await checkNotDoubledOnRoutes(store, "waf", selfId);
            const global = await globalPolicies(store);
            const types = await policyTypes(store);
            if (global.includes(selfId) && global.some((p) => p !== selfId && types.get(p) === "waf"))
              throw new DomainError("VALIDATION_FAILED", "the global policies already hold a waf policy", "type");
          }
          const waf = await normalizeWafConfig(config, store, (ref, field) => resolveRef(store, "routes", ref, field));
          return { ...body, config: waf as Record<string, unknown> };
        }
      }
      // ip-restriction, rate-limit, request-size, cors, headers, canary, mirror.
      const type = body.type as string;
      checkPolicyConfig(type, config);
      if (ROUTE_ONLY_POLICY_TYPES.includes(type)) {
        const global = await globalPolicies(store);
        if (selfId !== undefined && global.includes(selfId))
          throw new DomainError(
            "VALIDATION_FAILED",
            `a ${type} policy is route-level; this policy is a global policy (/v1/settings)`,
            "type",
          );
        if (selfId !== undefined) await checkNotDoubledOnRoutes(store, type, selfId);
        return { ...body, config: await resolveConfigUpstreams(store, type, config) };
      }
      return body;
    },
    referencedBy: async (id, store) => {
      const users = [
        ...(await routesReferencing(store, (b) => ((b.policies as string[]) ?? []).includes(id))),
        ...(await authAnyReferencing(store, id)),
      ];
      const global = await globalPolicies(store);
      return global.includes(id) ? [...users, "the global policies (/v1/settings)"] : users;
    },
    present: (r) => ({
      ...plain(r),
      config: redactPolicyConfig(r.body.type as string, r.body.config as Record<string, unknown>),
    }),
  },
  {
    kind: "consumers",
    noun: "consumer",
    schema: consumerSchema,
    normalize: async (body) => ({ disabled: false, labels: {}, ...body }),
    referencedBy: async () => [],
    present: plain,
  },
  {
    kind: "certificates",
    noun: "certificate",
    schema: certificateSchema,
    async normalize(body, store, selfId) {
      await checkCertificate(body as unknown as CertificateBody, store, selfId);
      return body;
    },
    referencedBy: async () => [],
    present: presentCertificate,
    answer: obj(
      {
        id: str,
        name: str,
        snis: list(str),
        cert_pem: str,
        key_pem: { type: "string", description: "always [redacted]: send the key again on PUT" },
        subject: str,
        issuer: str,
        not_before: time,
        not_after: time,
        fingerprint_sha256: str,
        created_at: time,
        updated_at: time,
      },
      ["id", "name", "snis", "cert_pem", "key_pem", "created_at", "updated_at"],
    ),
  },
  {
    kind: "rule-sets",
    noun: "rule set",
    schema: ruleSetSchema,
    async normalize(body, store, selfId) {
      const stored = normalizeRuleSet(body) as unknown as Record<string, unknown>;
      // Every waf policy that runs this rule set must still hold with the new files (an
      // exclusion may name a rule they lack, a setting may not compile with them).
      if (selfId !== undefined) {
        const parsed = parsedRuleSetOf({ id: selfId, name: "", body: stored, created_at: "", updated_at: "" });
        const name = (await store.getResource("rule-sets", selfId))?.name ?? selfId;
        for (const p of await store.listResources("policies")) {
          const c = p.body.config as WafConfigBody;
          if (p.body.type !== "waf" || c.rule_set !== selfId) continue;
          try {
            checkWafConfigRules(c, name, parsed);
          } catch (err) {
            if (err instanceof DomainError)
              throw new DomainError(err.code, `waf policy ${p.name}: ${err.message}`, "files", err.detail);
            throw err;
          }
        }
      }
      return stored;
    },
    referencedBy: async (id, store) => (await policiesUsingRuleSet(store, id)).map((n) => `waf policy ${n}`),
    present: presentRuleSet,
    answer: obj(
      {
        id: str,
        name: str,
        description: str,
        content_hash: { type: "string", description: "sha256 of the files: nodes hold the rule set by it" },
        bytes: int,
        crs_version: nullable("string", "from the rules' SecComponentSignature, or null"),
        bundled: { type: "boolean", description: "ships with the control plane (read-only)" },
        default: { type: "boolean", description: "the rule set a waf policy runs when it names none" },
        rules: nullable("integer", "rules with an id; null when this control plane cannot parse the files"),
        files: list(obj({ path: str, bytes: int, sha256: str }, ["path", "bytes"])),
        used_by: list(str),
        created_at: time,
        updated_at: time,
      },
      ["id", "name", "content_hash", "bytes", "crs_version", "bundled", "default", "rules", "files", "used_by"],
    ),
    readOnly: (r) =>
      r.body.bundled === true
        ? `rule set ${r.name} ships with the control plane; upload your own (POST /v1/rule-sets) to change rules`
        : undefined,
    bodyLimit: 24 * 1024 * 1024,
  },
];
