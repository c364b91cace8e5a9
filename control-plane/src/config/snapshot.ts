import { create, type Message } from "@bufbuild/protobuf";
import {
  type Certificate,
  CertificateSchema,
  type ClaimRule,
  type Consumer,
  ConsumerSchema,
  type Credential,
  CredentialSchema,
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
  type SnapshotSettings,
  SnapshotSettingsSchema,
  UnsafeIdentity,
  type Upstream,
  UpstreamSchema,
} from "@palisade/proto";
import { anomalyResource, type DraftAnomaly } from "../anomaly/anomaly-settings.js";
import { ApiError } from "../errors.js";
import type { ResourceKind, StoredCredential, StoredResource } from "../store/store.js";
import { toRuleSet } from "./rule-sets.js";
import { AUTH_POLICY_TYPES } from "./schemas.js";
import { type DraftTelemetry, telemetryResource } from "./telemetry.js";
import { toTrafficPolicyConfig } from "./traffic-snapshot.js";
import { policyUpstreamRefs } from "./upstream-refs.js";
import { toWafPolicyMessage } from "./waf-snapshot.js";
import type { WafConfigBody } from "./waf-validate.js";

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

/** Snapshot-wide settings as stored. */
export interface DraftSettings {
  /** Policy ids applied to every route, in order, before the route's own. */
  global_policies?: string[];
  merge_slashes?: boolean;
  /** Body limit of routes without their own, bytes (0 = none); unset = each node's default. */
  max_body_bytes?: number;
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

type Json = Record<string, unknown>;

function toClaimRules(rules: unknown): Array<Omit<ClaimRule, "$typeName" | "$unknown">> {
  return ((rules as Array<{ claim: string; equals?: string; contains?: string }>) ?? []).map((r) => ({
    claim: r.claim,
    match:
      r.equals !== undefined
        ? { case: "equals" as const, value: r.equals }
        : { case: "contains" as const, value: r.contains ?? "" },
  }));
}

/** The proto `Policy` of a stored policy; optional JSON fields become proto defaults (0, "", false). */
function toPolicy(r: StoredResource): Policy {
  const type = r.body.type as string;
  const c = r.body.config as Json;
  const base = { id: r.id, name: r.name };
  switch (type) {
    case "jwt":
      return create(PolicySchema, {
        ...base,
        config: {
          case: "jwt",
          value: {
            jwksJson: c.jwks ? JSON.stringify(c.jwks) : "",
            jwksUrl: (c.jwks_url as string) ?? "",
            pemKeys: ((c.pem_keys as Array<{ pem: string; kid?: string; alg?: string }>) ?? []).map((k) => ({
              pem: k.pem,
              kid: k.kid ?? "",
              alg: k.alg ?? "",
            })),
            algorithms: c.algorithms as string[],
            issuers: (c.issuers as string[]) ?? [],
            audiences: (c.audiences as string[]) ?? [],
            leewayS: (c.leeway_s as number) ?? 60,
            claimsToHeaders: (c.claims_to_headers as Record<string, string>) ?? {},
            forwardToken: (c.forward_token as boolean) ?? false,
            tokenHeader: (c.token_header as string) ?? "",
            tokenCookie: (c.token_cookie as string) ?? "",
            tokenQueryParam: (c.token_query_param as string) ?? "",
            expOptional: (c.exp_optional as boolean) ?? false,
            maxTokenAgeS: (c.max_token_age_s as number) ?? 0,
            maxLifetimeS: (c.max_lifetime_s as number) ?? 0,
            requiredClaims: (c.required_claims as string[]) ?? [],
            claimRules: toClaimRules(c.claim_rules),
            jwksMinTtlS: (c.jwks_min_ttl_s as number) ?? 0,
            jwksMaxTtlS: (c.jwks_max_ttl_s as number) ?? 0,
            jwksDefaultTtlS: (c.jwks_default_ttl_s as number) ?? 0,
            jwksCooldownS: (c.jwks_cooldown_s as number) ?? 0,
            jwksTimeoutMs: (c.jwks_timeout_ms as number) ?? 0,
            keysUnavailableStatus: (c.keys_unavailable_status as number) ?? 0,
            disableCache: c.cache === false,
            requireConsumer: (c.require_consumer as boolean) ?? false,
            unsafeIdentity: toUnsafeIdentity(c.unsafe_identity),
          },
        },
      });
    case "api-key":
      return create(PolicySchema, {
        ...base,
        config: {
          case: "apiKey",
          value: { header: (c.header as string) ?? "", queryParam: (c.query_param as string) ?? "" },
        },
      });
    case "mtls":
      return create(PolicySchema, {
        ...base,
        config: {
          case: "mtls",
          value: {
            caPem: c.ca_pem as string,
            crlPem: (c.crl_pem as string) ?? "",
            allowedSubjects: (c.allowed_subjects as string[]) ?? [],
            subjectHeader: (c.subject_header as string) ?? "",
            sanHeader: (c.san_header as string) ?? "",
            fingerprintHeader: (c.fingerprint_header as string) ?? "",
            requireConsumer: (c.require_consumer as boolean) ?? false,
            unsafeIdentity: toUnsafeIdentity(c.unsafe_identity),
          },
        },
      });
    case "introspection":
      return create(PolicySchema, {
        ...base,
        config: {
          case: "introspection",
          value: {
            endpoint: c.endpoint as string,
            clientId: c.client_id as string,
            clientSecret: c.client_secret as string,
            authMethod: (c.auth_method as string) ?? "",
            tokenTypeHint: (c.token_type_hint as string) ?? "",
            cacheTtlS: (c.cache_ttl_s as number) ?? 0,
            negativeCacheTtlS: (c.negative_cache_ttl_s as number) ?? 0,
            timeoutMs: (c.timeout_ms as number) ?? 0,
            disableCache: c.cache === false,
            issuers: (c.issuers as string[]) ?? [],
            audiences: (c.audiences as string[]) ?? [],
            claimRules: toClaimRules(c.claim_rules),
            claimsToHeaders: (c.claims_to_headers as Record<string, string>) ?? {},
            forwardToken: (c.forward_token as boolean) ?? false,
            unavailableStatus: (c.unavailable_status as number) ?? 0,
            requireConsumer: (c.require_consumer as boolean) ?? false,
            unsafeIdentity: toUnsafeIdentity(c.unsafe_identity),
          },
        },
      });
    case "auth-any":
      return create(PolicySchema, {
        ...base,
        config: { case: "authAny", value: { policyIds: c.policies as string[] } },
      });
    case "waf":
      return toWafPolicyMessage(base, c as WafConfigBody);
  }
  const traffic = toTrafficPolicyConfig(type, c);
  if (traffic !== undefined) return create(PolicySchema, { ...base, config: traffic });
  throw new ApiError("VALIDATION_FAILED", `unknown policy type ${type}`, `policies.${r.name}.type`);
}

/** `unsafe_identity` as the proto enum; unset stays UNSPECIFIED (refuse), so existing hashes hold. */
function toUnsafeIdentity(v: unknown): UnsafeIdentity {
  return v === "drop_header"
    ? UnsafeIdentity.DROP_HEADER
    : v === "refuse"
      ? UnsafeIdentity.REFUSE
      : UnsafeIdentity.UNSPECIFIED;
}

const CERT_CASES = {
  subject_dn: "subjectDn",
  san_dns: "sanDns",
  san_uri: "sanUri",
  san_email: "sanEmail",
  fingerprint_sha256: "fingerprintSha256",
} as const;

/** The proto `Credential` of a stored credential (an API key as its SHA-256 bytes). */
function toCredential(c: StoredCredential): Credential {
  const b = c.body as Record<string, string>;
  if (c.type === "api-key") {
    return create(CredentialSchema, {
      id: c.id,
      kind: { case: "apiKey", value: { sha256: Buffer.from(b.sha256!, "hex"), prefix: b.key_prefix ?? "" } },
    });
  }
  if (c.type === "jwt") {
    return create(CredentialSchema, {
      id: c.id,
      kind: {
        case: "jwt",
        value: { issuer: b.issuer!, subject: b.subject ?? "", claim: b.claim ?? "", value: b.value ?? "" },
      },
    });
  }
  const [field, value] = Object.entries(b)[0]!;
  return create(CredentialSchema, {
    id: c.id,
    kind: {
      case: "clientCert",
      value: { match: { case: CERT_CASES[field as keyof typeof CERT_CASES], value } },
    },
  });
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The consumer message of a stored consumer with its credentials (any order; sorted by id here). */
export function toConsumer(r: StoredResource, credentials: readonly StoredCredential[] = []): Consumer {
  return create(ConsumerSchema, {
    id: r.id,
    name: r.name,
    disabled: (r.body.disabled as boolean) ?? false,
    labels: (r.body.labels as Record<string, string>) ?? {},
    credentials: [...credentials].sort(byId).map(toCredential),
  });
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
    prefix_rewrite?: string;
    preserve_host?: boolean;
    timeouts?: TimeoutsBody;
    merge_slashes?: boolean;
    allow_encoded_slashes?: boolean;
    case_sensitive?: boolean;
    strict_trailing_slash?: boolean;
    allow_encoded?: string[];
    refuse_encoded?: string[];
    max_body_bytes?: number;
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
    prefixRewrite: b.prefix_rewrite ?? "",
    preserveHost: b.preserve_host ?? false,
    ...(b.timeouts ? { timeouts: toTimeouts(b.timeouts) } : {}),
    ...(b.merge_slashes !== undefined ? { mergeSlashes: b.merge_slashes } : {}),
    allowEncodedSlashes: b.allow_encoded_slashes ?? false,
    caseSensitive: b.case_sensitive ?? false,
    strictTrailingSlash: b.strict_trailing_slash ?? false,
    allowEncoded: (b.allow_encoded ?? []).map((e) => e.toUpperCase()),
    refuseEncoded: (b.refuse_encoded ?? []).map((e) => e.toUpperCase()),
    ...(b.max_body_bytes !== undefined ? { maxBodyBytes: BigInt(b.max_body_bytes) } : {}),
  });
}

/**
 * Snapshot fields of the snapshot-wide settings: `globalPolicyIds` (9), `requestSettings` (10)
 * and, when either is not the default, the same as the one `settings` resource (11, id
 * "global") that fleet sync carries (it syncs resources only). Default settings add no
 * resource, so a config without settings keeps the hash it had before they existed.
 */
export function settingsFields(settings: DraftSettings): {
  globalPolicyIds: string[];
  requestSettings: { mergeSlashes: boolean; maxBodyBytes?: bigint };
  settings: SnapshotSettings[];
} {
  const globalPolicyIds = settings.global_policies ?? [];
  const requestSettings = requestSettingsOf(settings);
  const resource = settingsResource(settings);
  return { globalPolicyIds, requestSettings, settings: resource ? [resource] : [] };
}

/** The `settings` resource (id "global") of non-default settings; undefined for the defaults. */
export function settingsResource(settings: DraftSettings): SnapshotSettings | undefined {
  const globalPolicyIds = settings.global_policies ?? [];
  const requestSettings = requestSettingsOf(settings);
  if (globalPolicyIds.length === 0 && !requestSettings.mergeSlashes && requestSettings.maxBodyBytes === undefined)
    return undefined;
  return create(SnapshotSettingsSchema, { id: "global", globalPolicyIds, requestSettings });
}

/** `RequestSettings` of the stored settings (`max_body_bytes` only when set: unset = the node's default). */
function requestSettingsOf(settings: DraftSettings): { mergeSlashes: boolean; maxBodyBytes?: bigint } {
  return {
    mergeSlashes: settings.merge_slashes ?? false,
    ...(settings.max_body_bytes !== undefined ? { maxBodyBytes: BigInt(settings.max_body_bytes) } : {}),
  };
}

/** The certificate message of a stored certificate (the key travels to the nodes as given). */
export function toCertificate(r: StoredResource): Certificate {
  const b = r.body as { snis: string[]; cert_pem: string; key_pem: string };
  return create(CertificateSchema, { id: r.id, name: r.name, snis: b.snis, certPem: b.cert_pem, keyPem: b.key_pem });
}

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
  if (!upstreamIds.has(r.body.upstream as string))
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
  for (const r of routes) checkRouteReferences(r, upstreamIds, policyIds);
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
