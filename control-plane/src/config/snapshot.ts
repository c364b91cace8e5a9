import { create, type Message } from "@bufbuild/protobuf";
import { contentHashOf, encodeResources, type Snapshot, SnapshotSchema } from "@palisade/proto";
import { anomalyResource, type DraftAnomaly } from "../anomaly/anomaly-settings.js";
import { ApiError } from "../errors.js";
import type { ResourceKind, StoredCredential, StoredResource } from "../store/store.js";
import { toCertificate } from "./certificates/snapshot.js";
import { toConsumer } from "./consumers/snapshot.js";
import { AUTH_POLICY_TYPES, toPolicy } from "./policies/policy-types.js";
import { policyUpstreamRefs } from "./policies/upstream-refs.js";
import type { WafConfigBody } from "./policies/waf/validate.js";
import { checkRouteAction } from "./routes/action.js";
import { checkRouteMatchers } from "./routes/match.js";
import { toRoute } from "./routes/snapshot.js";
import { toRuleSet } from "./rule-sets.js";
import { type DraftSettings, settingsFields } from "./settings.js";
import { type DraftTelemetry, telemetryResource } from "./telemetry.js";
import { toUpstream } from "./upstreams/snapshot.js";

/** The draft config as stored: every resource of every kind. */
export interface DraftConfig {
  upstreams: StoredResource[];
  routes: StoredResource[];
  policies: StoredResource[];
  /** Consumers and the credentials of all of them (default: none). */
  consumers?: StoredResource[];
  credentials?: StoredCredential[];
  /** TLS certificates for the nodes' HTTPS listener (absent = none). */
  certificates?: StoredResource[];
  /** Snapshot-wide settings (`PUT /v1/settings`), references resolved to ids. Absent = defaults. */
  settings?: DraftSettings;
  /** Telemetry config (`PUT /v1/telemetry`). Absent = none. */
  telemetry?: DraftTelemetry;
  /** Anomaly detection (`PUT /v1/anomalies/config`). Absent or not enabled = off. */
  anomaly?: DraftAnomaly;
  /** WAF rule sets (absent = none); only those a waf policy references enter the snapshot. */
  ruleSets?: StoredResource[];
}

/** A compiled, validated snapshot and its content hash (`contentHashOf` its encoded resources). */
export interface BuiltSnapshot {
  snapshot: Snapshot;
  hash: string;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * A draft resource kind and how it becomes a snapshot resource: the `Snapshot` field it fills
 * and the pure conversion of one stored resource. A new resource kind is one more row here.
 */
export interface DraftKind {
  kind: ResourceKind;
  /** Number of the repeated field of `palisade.config.v1.Snapshot`. */
  field: number;
  /** Whether the message embeds the resource's credentials (consumers): the publisher reads them. */
  withCredentials?: boolean;
  /** `credentials`: the resource's own credentials when `withCredentials`, otherwise empty. */
  toMessage(r: StoredResource, credentials: readonly StoredCredential[]): Message;
}

/** Every draft kind, in snapshot field order. */
export const DRAFT_KINDS: readonly DraftKind[] = [
  { kind: "upstreams", field: 3, toMessage: toUpstream },
  { kind: "routes", field: 4, toMessage: toRoute },
  { kind: "policies", field: 5, toMessage: toPolicy },
  { kind: "consumers", field: 6, withCredentials: true, toMessage: toConsumer },
  { kind: "certificates", field: 8, toMessage: toCertificate },
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
  if (r.body.upstream !== undefined && !upstreamIds.has(r.body.upstream as string))
    throw new ApiError("REFERENCE_NOT_FOUND", `route ${r.name} names a missing upstream`, `routes.${r.name}.upstream`);
  for (const p of (r.body.policies as string[]) ?? [])
    if (!policyIds.has(p))
      throw new ApiError("REFERENCE_NOT_FOUND", `route ${r.name} names a missing policy`, `routes.${r.name}.policies`);
}

/**
 * Refuses an `auth-any` policy that lists a missing member or one that is not an authentication
 * policy (members must be `jwt`, `api-key`, `mtls` or `introspection`; no nesting).
 * @param policyTypes policy id → type, for every policy of the config
 * @throws ApiError REFERENCE_NOT_FOUND / VALIDATION_FAILED naming `policies.<name>.config`
 */
export function checkAuthAnyMembers(p: StoredResource, policyTypes: ReadonlyMap<string, string>): void {
  if (p.body.type !== "auth-any") return;
  for (const m of (p.body.config as { policies: string[] }).policies) {
    const t = policyTypes.get(m);
    if (t === undefined)
      throw new ApiError("REFERENCE_NOT_FOUND", `policy ${p.name} names a missing policy`, `policies.${p.name}.config`);
    if (!AUTH_POLICY_TYPES.includes(t))
      throw new ApiError(
        "VALIDATION_FAILED",
        `policy ${p.name} lists a ${t} policy, not an authentication method`,
        `policies.${p.name}.config`,
      );
  }
}

/**
 * Refuses a `canary` or `mirror` policy that names a missing upstream (the snapshot consistency
 * check, as for routes).
 * @throws ApiError REFERENCE_NOT_FOUND naming `policies.<name>.config.splits.0.upstream` (the
 *   config field that holds the reference)
 */
export function checkPolicyUpstreams(p: StoredResource, upstreamIds: ReadonlySet<string>): void {
  for (const r of policyUpstreamRefs(p.body.type as string, p.body.config as Record<string, unknown>))
    if (!upstreamIds.has(r.ref))
      throw new ApiError(
        "REFERENCE_NOT_FOUND",
        `policy ${p.name} names a missing upstream`,
        `policies.${p.name}.${r.field}`,
      );
}

/**
 * The rule set a `waf` policy runs and the routes its exclusions are scoped to (ids); none for
 * other types.
 */
export function wafRefs(p: StoredResource): { ruleSet: string; routes: { ref: string; field: string }[] } | undefined {
  if (p.body.type !== "waf") return undefined;
  const c = p.body.config as WafConfigBody;
  return {
    ruleSet: c.rule_set ?? "",
    routes: (c.exclusions ?? []).flatMap((e, i) =>
      (e.routes ?? []).map((ref, j) => ({ ref, field: `config.exclusions.${i}.routes.${j}` })),
    ),
  };
}

/**
 * Refuses a `waf` policy whose rule set is missing or whose exclusion names a missing route (the
 * snapshot consistency check, as for routes).
 * @throws ApiError REFERENCE_NOT_FOUND naming `policies.<name>.config.rule_set` or
 *   `policies.<name>.config.exclusions.N.routes.M`
 */
export function checkWafReferences(
  p: StoredResource,
  hasRuleSet: (id: string) => boolean,
  hasRoute: (id: string) => boolean,
): void {
  const refs = wafRefs(p);
  if (!refs) return;
  if (!hasRuleSet(refs.ruleSet))
    throw new ApiError(
      "REFERENCE_NOT_FOUND",
      `policy ${p.name} names a missing rule set`,
      `policies.${p.name}.config.rule_set`,
    );
  for (const r of refs.routes)
    if (!hasRoute(r.ref))
      throw new ApiError(
        "REFERENCE_NOT_FOUND",
        `policy ${p.name} names a missing route`,
        `policies.${p.name}.${r.field}`,
      );
}

/**
 * Builds the snapshot of a draft config: a pure function (no I/O, no clock).
 * Resources are ordered by id; the hash covers content only (not timestamps, not order), so an
 * unchanged config is recognised and never re-published (as Kong's config hash does). Consumers
 * carry their credentials (API keys as SHA-256 only), ordered by id. The publisher builds the
 * same resources incrementally (publisher.ts); this whole-draft form is the reference it is
 * tested against.
 * @throws ApiError REFERENCE_NOT_FOUND when a route names a missing upstream or policy, or an
 *   `auth-any` a missing member (go-control-plane's snapshot consistency check: no dangling
 *   references are served); VALIDATION_FAILED when an `auth-any` member is not an
 *   authentication policy.
 */
export function buildSnapshot(draft: DraftConfig): BuiltSnapshot {
  const upstreams = [...draft.upstreams].sort(byId);
  const routes = [...draft.routes].sort(byId);
  const policies = [...draft.policies].sort(byId);
  const consumers = [...(draft.consumers ?? [])].sort(byId);
  const credentials = [...(draft.credentials ?? [])].sort(byId);
  const certificates = [...(draft.certificates ?? [])].sort(byId);
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
    checkRouteReferences(r, upstreamIds, policyIds);
    // Written through the API these were checked already; a draft from elsewhere (an import, an
    // older build's database) is checked again here, so no node is sent a regex it must refuse.
    checkRouteMatchers(r.body as Record<string, unknown>, `routes.${r.name}.`);
    checkRouteAction(r.body as Record<string, unknown>, `routes.${r.name}.`);
  }
  const policyTypes = new Map(policies.map((p) => [p.id, p.body.type as string]));
  for (const p of policies) checkAuthAnyMembers(p, policyTypes);
  for (const p of policies) checkPolicyUpstreams(p, upstreamIds);
  const ruleSetsById = new Map((draft.ruleSets ?? []).map((r) => [r.id, r]));
  const routeIds = new Set(routes.map((r) => r.id));
  const used = new Set<string>();
  for (const p of policies) {
    checkWafReferences(
      p,
      (id) => ruleSetsById.has(id),
      (id) => routeIds.has(id),
    );
    const refs = wafRefs(p);
    if (refs) used.add(refs.ruleSet);
  }
  const ruleSets = [...used].map((id) => ruleSetsById.get(id)!).sort(byId);
  const credsOf = new Map<string, StoredCredential[]>();
  for (const c of credentials) {
    const list = credsOf.get(c.consumer_id);
    if (list) list.push(c);
    else credsOf.set(c.consumer_id, [c]);
  }
  const snapshot = create(SnapshotSchema, {
    upstreams: upstreams.map(toUpstream),
    routes: routes.map(toRoute),
    policies: policies.map(toPolicy),
    consumers: consumers.map((r) => toConsumer(r, credsOf.get(r.id) ?? [])),
    certificates: certificates.map(toCertificate),
    ...settingsFields(settings),
    telemetry: draft.telemetry ? [telemetryResource(draft.telemetry, "telemetry")].filter((t) => t !== undefined) : [],
    ruleSets: ruleSets.map(toRuleSet),
    anomaly: draft.anomaly ? [anomalyResource(draft.anomaly)].filter((a) => a !== undefined) : [],
  });
  const hash = contentHashOf(encodeResources(snapshot));
  snapshot.hash = hash;
  return { snapshot, hash };
}
