import { create } from "@bufbuild/protobuf";
import { type Policy, PolicySchema } from "@palisade/proto";
import { DomainError } from "../../errors.js";
import type { StoredResource } from "../../store/store.js";
import { name } from "../schema-fields.js";
import { apiKeyConfigSchema } from "./api-key/schema.js";
import { toApiKeyPolicy } from "./api-key/snapshot.js";
import { checkApiKeyConfig } from "./api-key/validate.js";
import { authAnyConfigSchema } from "./auth-any/schema.js";
import { toAuthAnyPolicy } from "./auth-any/snapshot.js";
import { canaryConfigSchema } from "./canary/schema.js";
import { toCanaryPolicy } from "./canary/snapshot.js";
import { checkCanary } from "./canary/validate.js";
import { corsConfigSchema } from "./cors/schema.js";
import { toCorsPolicy } from "./cors/snapshot.js";
import { checkCors } from "./cors/validate.js";
import { headersConfigSchema } from "./headers/schema.js";
import { toHeadersPolicy } from "./headers/snapshot.js";
import { checkHeaders } from "./headers/validate.js";
import { introspectionConfigSchema } from "./introspection/schema.js";
import { toIntrospectionPolicy } from "./introspection/snapshot.js";
import { checkIntrospectionConfig } from "./introspection/validate.js";
import { ipRestrictionConfigSchema } from "./ip-restriction/schema.js";
import { toIpRestrictionPolicy } from "./ip-restriction/snapshot.js";
import { checkIpRestriction } from "./ip-restriction/validate.js";
import { jwtConfigSchema } from "./jwt/schema.js";
import { toJwtPolicy } from "./jwt/snapshot.js";
import { checkJwtConfig } from "./jwt/validate.js";
import { mirrorConfigSchema } from "./mirror/schema.js";
import { toMirrorPolicy } from "./mirror/snapshot.js";
import { mtlsConfigSchema } from "./mtls/schema.js";
import { toMtlsPolicy } from "./mtls/snapshot.js";
import { checkMtlsConfig } from "./mtls/validate.js";
import type { PolicyJson, PolicyTypeSpec } from "./policy-type.js";
import { rateLimitConfigSchema } from "./rate-limit/schema.js";
import { toRateLimitPolicy } from "./rate-limit/snapshot.js";
import { checkRateLimit } from "./rate-limit/validate.js";
import { requestSizeConfigSchema } from "./request-size/schema.js";
import { toRequestSizePolicy } from "./request-size/snapshot.js";
import { checkRequestSize } from "./request-size/validate.js";
import { wafConfigSchema } from "./waf/schema.js";
import { toWafPolicyConfig } from "./waf/snapshot.js";

/**
 * Every policy type this control plane accepts, each defined by its folder (schema.ts,
 * validate.ts, snapshot.ts). A new policy type is one folder and one row here. Checks that need
 * the store (`auth-any` members, `waf` rule sets, upstream references) run where the store is:
 * on write (api/resource-kinds.ts) and at publish (snapshot-check.ts).
 */
export const POLICY_TYPES = {
  jwt: {
    schema: jwtConfigSchema,
    check: (c) => checkJwtConfig(c as never),
    toConfig: toJwtPolicy,
    authenticates: true,
  },
  "api-key": { schema: apiKeyConfigSchema, check: checkApiKeyConfig, toConfig: toApiKeyPolicy, authenticates: true },
  mtls: {
    schema: mtlsConfigSchema,
    check: (c) => checkMtlsConfig(c as never),
    toConfig: toMtlsPolicy,
    authenticates: true,
  },
  introspection: {
    schema: introspectionConfigSchema,
    check: checkIntrospectionConfig,
    toConfig: toIntrospectionPolicy,
    authenticates: true,
  },
  "auth-any": { schema: authAnyConfigSchema, toConfig: toAuthAnyPolicy },
  "ip-restriction": { schema: ipRestrictionConfigSchema, check: checkIpRestriction, toConfig: toIpRestrictionPolicy },
  "rate-limit": {
    schema: rateLimitConfigSchema,
    check: (c) => checkRateLimit(c as never),
    toConfig: toRateLimitPolicy,
  },
  "request-size": {
    schema: requestSizeConfigSchema,
    check: (c) => checkRequestSize(c as never),
    toConfig: toRequestSizePolicy,
  },
  cors: { schema: corsConfigSchema, check: (c) => checkCors(c as never), toConfig: toCorsPolicy },
  headers: { schema: headersConfigSchema, check: checkHeaders, toConfig: toHeadersPolicy },
  canary: { schema: canaryConfigSchema, check: checkCanary, toConfig: toCanaryPolicy, routeOnly: true },
  mirror: { schema: mirrorConfigSchema, toConfig: toMirrorPolicy, routeOnly: true },
  waf: { schema: wafConfigSchema, toConfig: toWafPolicyConfig },
} as const satisfies Record<string, PolicyTypeSpec>;

/** A policy type name (`jwt`, …). */
export type PolicyType = keyof typeof POLICY_TYPES;

const SPECS: ReadonlyMap<string, PolicyTypeSpec> = new Map(Object.entries(POLICY_TYPES));

/** Policy types this control plane accepts, each with the schema of its `config`. */
export const POLICY_CONFIG_SCHEMAS: { readonly [T in PolicyType]: (typeof POLICY_TYPES)[T]["schema"] } =
  Object.fromEntries(Object.entries(POLICY_TYPES).map(([t, s]) => [t, s.schema])) as never;

/** Policy types that authenticate a request (members allowed in an `auth-any`). */
export const AUTH_POLICY_TYPES: readonly string[] = [...SPECS].filter(([, s]) => s.authenticates).map(([t]) => t);

/** Policy types that act on one route's upstream choice: never global, at most one of each per route. */
export const ROUTE_ONLY_POLICY_TYPES: readonly string[] = [...SPECS].filter(([, s]) => s.routeOnly).map(([t]) => t);

/**
 * Runs the semantic checks of a policy type's config (none for a type without, or an unknown type:
 * the body schema refused that already).
 * @throws DomainError VALIDATION_FAILED naming the field (`config.…`)
 */
export function checkPolicyConfig(type: string, config: PolicyJson): void {
  SPECS.get(type)?.check?.(config);
}

/** Body of `POST /v1/policies` and `PUT /v1/policies/{id}`. */
export const policySchema = {
  type: "object",
  required: ["name", "type", "config"],
  additionalProperties: false,
  properties: {
    name,
    type: { type: "string", enum: Object.keys(POLICY_TYPES) },
    config: { type: "object" },
  },
  allOf: Object.entries(POLICY_TYPES).map(([type, spec]) => ({
    if: { properties: { type: { const: type } }, required: ["type"] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword
    then: { properties: { config: spec.schema } },
  })),
} as const;

/**
 * The proto `Policy` of a stored policy; optional JSON fields become proto defaults (0, "", false).
 * @throws DomainError VALIDATION_FAILED for a type this build does not know (a draft from elsewhere)
 */
export function toPolicy(r: StoredResource): Policy {
  const type = r.body.type as string;
  const spec = SPECS.get(type);
  if (!spec) throw new DomainError("VALIDATION_FAILED", `unknown policy type ${type}`, `policies.${r.name}.type`);
  return create(PolicySchema, { id: r.id, name: r.name, config: spec.toConfig(r.body.config as PolicyJson) });
}
