import { create, type Message } from "@bufbuild/protobuf";
import { contentHashOf, encodeResources, type Snapshot, SnapshotSchema } from "@palisade/proto";
import { anomalyResource, type DraftAnomaly } from "../anomaly/anomaly-settings.js";
import type { ResourceKind, StoredCredential, StoredResource } from "../store/store.js";
import { toCertificate } from "./certificates/snapshot.js";
import { toConsumer } from "./consumers/snapshot.js";
import type { DraftIndex } from "./draft-index.js";
import { toPolicy } from "./policies/policy-types.js";
import { wafRefs } from "./policies/waf/references.js";
import { toRoute } from "./routes/snapshot.js";
import { toRuleSet } from "./rule-sets.js";
import { type DraftSettings, settingsFields } from "./settings.js";
import { checkSnapshot } from "./snapshot-check.js";
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

/** The index of a whole draft, from its lists. */
function draftIndexOf(
  upstreams: readonly StoredResource[],
  routes: readonly StoredResource[],
  policies: readonly StoredResource[],
  ruleSets: ReadonlyMap<string, StoredResource>,
): DraftIndex {
  const upstreamIds = new Set(upstreams.map((u) => u.id));
  const routeIds = new Set(routes.map((r) => r.id));
  const policyTypes = new Map(policies.map((p) => [p.id, p.body.type as string]));
  return {
    hasUpstream: (id) => upstreamIds.has(id),
    hasPolicy: (id) => policyTypes.has(id),
    policyType: (id) => policyTypes.get(id),
    hasRoute: (id) => routeIds.has(id),
    hasRuleSet: (id) => ruleSets.has(id),
  };
}

/**
 * Builds the snapshot of a draft config: a pure function (no I/O, no clock).
 * Resources are ordered by id; the hash covers content only (not timestamps, not order), so an
 * unchanged config is recognised and never re-published (as Kong's config hash does). Consumers
 * carry their credentials (API keys as SHA-256 only), ordered by id. The publisher builds the
 * same resources incrementally (publisher.ts); this whole-draft form is the reference it is
 * tested against.
 * @throws DomainError what `checkSnapshot` (snapshot-check.ts) throws: REFERENCE_NOT_FOUND for a
 *   dangling reference, VALIDATION_FAILED for a route matcher or action or an `auth-any` member
 *   that does not authenticate
 */
export function buildSnapshot(draft: DraftConfig): BuiltSnapshot {
  const upstreams = [...draft.upstreams].sort(byId);
  const routes = [...draft.routes].sort(byId);
  const policies = [...draft.policies].sort(byId);
  const consumers = [...(draft.consumers ?? [])].sort(byId);
  const credentials = [...(draft.credentials ?? [])].sort(byId);
  const certificates = [...(draft.certificates ?? [])].sort(byId);
  const settings = draft.settings ?? {};
  const ruleSetsById = new Map((draft.ruleSets ?? []).map((r) => [r.id, r]));
  checkSnapshot(draftIndexOf(upstreams, routes, policies, ruleSetsById), {
    globalPolicies: settings.global_policies ?? [],
    routes,
    policies,
  });
  const used = new Set<string>();
  for (const p of policies) {
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
