/**
 * Shapes of the admin REST API as the web admin reads them. The config resources' bodies and
 * answers come from the types generated from the control plane's OpenAPI document
 * (openapi.d.ts, by web-admin/scripts/api-types.mjs; `npm test` fails when they drift). Fields
 * marked "(later)" belong to APIs other milestones deliver: the UI treats each as optional and
 * degrades when it is absent. Fleet answers are converted by fleet-shapes.ts.
 * web-admin/README.md documents every shape.
 */
import type { paths } from "./openapi.js";

/** The JSON body of a request or an answer in the generated types. */
type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
/** The body `POST /v1/<kind>` takes, as the OpenAPI document describes it. */
type CreateBody<P extends keyof paths> = paths[P] extends { post: { requestBody?: infer R } }
  ? Json<NonNullable<R>>
  : never;

/** The JSON answer of `M P` with status `S` (`200`, `201`, `"4XX"`), as the OpenAPI document describes it. */
type Answer<
  P extends keyof paths,
  M extends "get" | "post" | "put",
  S extends number | string = 200,
> = paths[P] extends {
  [m in M]: { responses: infer R };
}
  ? R extends { [s in S]: infer A }
    ? Json<A>
    : never
  : never;

/** `{"error": {code, message, field?, …}}` body of every API error (generated: every endpoint answers it for 4xx and 5xx). */
export type ApiErrorBody = Answer<"/v1/routes/{id}", "get", "4XX">;

/** Body of `POST /v1/upstreams` (generated from the OpenAPI document). */
export type UpstreamBody = CreateBody<"/v1/upstreams">;
/** One target of an upstream. */
export type Target = UpstreamBody["targets"][number];
/** An upstream as the API answers it (generated). */
export type Upstream = Answer<"/v1/upstreams/{id}", "get">;

/** A route path: a string is a prefix match; a template captures `{name}` segments; a regex is RE2 over the whole path. */
export type PathSpec = string | { prefix: string } | { exact: string } | { template: string } | { regex: string };

/** A route condition on a header, query parameter or cookie: a name and exactly one kind. */
export type FieldCondition = { name: string } & (
  | { exact: string }
  | { prefix: string }
  | { regex: string }
  | { present: true }
  | { absent: true }
);

/**
 * Body of `POST /v1/routes` (generated from the OpenAPI document). `upstream` and `policies` are
 * ids in answers, ids or names in requests. `[k]: unknown` lets the JSON mode send fields the
 * form does not know.
 */
export type RouteBody = CreateBody<"/v1/routes"> & { [k: string]: unknown };
/** A route as the API answers it (generated): `upstream` and `policies` are ids. */
export type Route = Answer<"/v1/routes/{id}", "get"> & { [k: string]: unknown };

/** Body of `POST /v1/policies` (generated); `config` is typed per policy type by its own schema. */
export type PolicyBody = Omit<CreateBody<"/v1/policies">, "config"> & { config: Record<string, unknown> };
/** A policy as the API answers it (generated); secrets in `config` are `[redacted]`. */
export type Policy = Answer<"/v1/policies/{id}", "get"> & { config: Record<string, unknown> };

/** Body of `POST /v1/consumers` (generated). */
export type ConsumerBody = CreateBody<"/v1/consumers"> & { [k: string]: unknown };
/** A consumer as the API answers it (generated). */
export type Consumer = Answer<"/v1/consumers/{id}", "get"> & { [k: string]: unknown };

/** (later) A credential of a consumer; secrets are never answered after creation. */
export interface Credential {
  id: string;
  type: string;
  created_at?: string;
  /** Shown once in the answer to its creation (API keys). */
  key?: string;
  [k: string]: unknown;
}

/**
 * A TLS certificate for SNI names (`/v1/certificates`). `key_pem` is write-only: answers carry
 * `[redacted]`, and a PUT must send the key again.
 */
export interface CertificateBody {
  name: string;
  snis: string[];
  cert_pem: string;
  key_pem?: string;
  [k: string]: unknown;
}
/** A certificate as the API answers it (generated): `key_pem` is `[redacted]`, details from the leaf. */
export type Certificate = Answer<"/v1/certificates/{id}", "get">;

// --- WAF (issue 14) ------------------------------------------------------------

/** A WAF rule set (`GET /v1/rule-sets`, generated): everything but the files' contents. */
export type RuleSet = Answer<"/v1/rule-sets/{id}", "get">;

/** One rule of a rule set (`GET /v1/rule-sets/{id}/rules`). */
export interface WafRule {
  id: number;
  phase: number;
  msg: string;
  tags: string[];
  severity: string | null;
  paranoia_level: number | null;
  file: string;
  line: number;
}

/** A rule lookup's answer. */
export interface RuleLookup {
  rule_set: { id: string; name: string };
  total: number;
  items: WafRule[];
}

/** One route's WAF figures over a window, summed over the nodes (`GET /v1/security/waf`). */
export interface WafRouteFigures {
  route_id: string;
  route_name: string | null;
  policy_id: string;
  policy_name: string | null;
  inspected: number;
  matched: number;
  blocked: number;
  detected: number;
  body_over_limit: number;
  engine_errors: number;
  sampled_out: number;
  nodes: number;
  top_rules: Array<{ id: number; hits: number; blocking: number; msg: string }>;
  other_rule_hits: number;
}

/** `GET /v1/security/waf`. */
export interface WafReport {
  window_s: number;
  nodes: number;
  routes: WafRouteFigures[];
}

/** Draft config kinds the config screens edit. */
export type ResourceKind = "routes" | "upstreams" | "policies" | "consumers" | "certificates";

export interface ResourceOf {
  routes: Route;
  upstreams: Upstream;
  policies: Policy;
  consumers: Consumer;
  certificates: Certificate;
}
export interface BodyOf {
  routes: RouteBody;
  upstreams: UpstreamBody;
  policies: PolicyBody;
  consumers: ConsumerBody;
  certificates: CertificateBody;
}

/** A published version's metadata. */
export type VersionMeta = Answer<"/v1/config/versions", "get">["items"][number];

/** Snapshot JSON (protobuf JSON of palisade.config.v1.Snapshot, secrets redacted). */
export interface SnapshotJson {
  upstreams?: Array<Record<string, unknown> & { id: string; name: string }>;
  routes?: Array<Record<string, unknown> & { id: string; name: string; upstreamId?: string; policyIds?: string[] }>;
  policies?: Array<Record<string, unknown> & { id: string; name: string }>;
  [k: string]: unknown;
}

export interface VersionDetail extends VersionMeta {
  snapshot: SnapshotJson;
}

/** `GET /v1/config/draft`. */
export interface Draft {
  hash: string;
  latest_version: number | null;
  latest_hash: string | null;
  changed: boolean;
  snapshot: SnapshotJson;
}

/** `GET /v1/config/versions`: newest first, and the stable version (what nodes outside a rollout run). */
export interface VersionList {
  items: VersionMeta[];
  stable_version?: number;
}

/** How a publish delivers the version: to every node now, or only stored for a rollout. */
export type Deploy = "all" | "none";

/** `POST /v1/config/versions`: the version, whether it was created, how it is delivered. */
export type PublishResult = Answer<"/v1/config/versions", "post", 201>;

/** A node's last refused version. */
export interface Nack {
  version: number;
  code: string;
  /**
   * Who was to blame: `config` (the version itself is refused; publish a fixed one) or
   * `node_fault` (the node could not apply a config it has no objection to; a resync may help).
   * Absent from control planes older than the field.
   */
  kind?: "config" | "node_fault";
  message: string;
  resource: string;
  at: string;
}

/** `POST /v1/nodes/{id}/resync`: the version sent to the node whole, and the NACK it forgot. */
export interface ResyncResult {
  version: number;
  forgotten_nack: Nack | null;
}

/**
 * One health and load report of a node, or one point of a region's history (converted from the
 * API's per-second figures by fleet-shapes.ts).
 * Rates are fractions of requests (0..1); `security_events` counts events by type
 * during the report's interval.
 */
export interface Report {
  at: string;
  interval_s?: number;
  rps?: number;
  error_rate_4xx?: number;
  error_rate_5xx?: number;
  p50_ms?: number;
  p99_ms?: number;
  active_connections?: number;
  security_events?: Record<string, number>;
  rss_bytes?: number;
}

/** A node of `GET /v1/nodes` and `GET /v1/nodes/{id}`. */
export interface FleetNode {
  id: string;
  region: string;
  labels: Record<string, string>;
  software_version: string;
  policy_types?: string[];
  connected: boolean;
  applied_version: number;
  applied_hash: string;
  last_ack_at: string | null;
  last_nack: Nack | null;
  first_seen_at: string;
  last_seen_at: string;
  latest_version: number;
  /** The version the node should hold: the stable one, or its rollout assignment. */
  desired_version?: number;
  lag: number;
  in_sync: boolean;
  /** Connected but silent for three report intervals. */
  stale?: boolean;
  /** Its certificate was revoked: refused by the control plane (kept in the inventory). */
  revoked?: boolean;
  /** The latest report. */
  report?: Report | null;
  /** (detail) Reports of the last 30 minutes, oldest first. */
  history?: Report[];
  /** Why the latest version is held back from this node (it lacks a feature the version uses). */
  held_back?: { version: number; reason: string } | null;
}

/** A region of `GET /v1/regions`. */
export interface Region {
  region: string;
  nodes: number;
  connected: number;
  stale?: number;
  report?: Report | null;
  history?: Report[];
}

/**
 * A health gate of a rollout stage, as `GET /v1/rollouts/{id}` shows it: the measured value
 * against its threshold (control-plane/README.md "Gates"). Units follow the metric:
 * `error_rate_5xx` and `security_event_rate:<type>` are fractions of requests (0..1), `p99_ms`
 * is milliseconds. `value`/`baseline` are null until traffic is measured (or when the baseline
 * served fewer than `min_requests`).
 */
export interface RolloutGate {
  metric: string;
  threshold: number;
  /** Fail when the value exceeds the baseline by more than this (same unit as the metric). */
  max_increase?: number;
  value: number | null;
  /** `pass`, `fail`, `inconclusive` (too little traffic) or `pending`. */
  verdict: string;
  /** The same metric over the nodes still on the previous version, same window. */
  baseline?: number | null;
  min_requests?: number;
  /** Requests the stage's nodes served on the target since the soak started. */
  requests?: number;
}

/** A node of a stage: what it runs (`applied_version`) against what the rollout assigned it. */
export interface RolloutStageNode {
  id: string;
  region?: string | null;
  applied_version?: number | null;
  /** The target, or the previous version after a rollback; null before the stage touches it. */
  assigned_version?: number | null;
  /** The version it had before the rollout touched it (what a rollback returns it to). */
  previous_version?: number | null;
  /** `pending` (not yet on its assigned version), `acked`, `nacked`, `rolled_back`. */
  state?: string;
}

/** Which nodes a stage selects (every criterion given must hold; `percent`/`count` cut stably). */
export interface RolloutSelector {
  regions?: string[];
  labels?: Record<string, string>;
  node_ids?: string[];
  /** 0 < percent ≤ 100 of the matching nodes. */
  percent?: number;
  /** At most this many of the matching nodes. */
  count?: number;
}

/** A stage of a rollout. Times are ISO 8601; durations in seconds. */
export interface RolloutStage {
  name: string;
  selector?: RolloutSelector;
  soak_s?: number;
  progress_deadline_s?: number;
  inconclusive_wait_s?: number;
  /** `pending`, `running`, `soaking`, `passed`, `failed`, `rolled_back`, `skipped`. */
  state: string;
  started_at?: string | null;
  /** When every node must have ACKed (the rollout pauses otherwise). */
  deadline_at?: string | null;
  /** When the last node ACKed: the soak starts here. */
  acked_at?: string | null;
  /** When the soak ends. */
  ends_at?: string | null;
  finished_at?: string | null;
  nodes?: RolloutStageNode[];
  gates?: RolloutGate[];
}

/** One transition of a rollout: `who` is the admin token's label or `engine`; `stage` its name or null. */
export interface RolloutEvent {
  at: string;
  type: string;
  who?: string;
  message: string;
  stage?: string | null;
}

/** A node the rollout touched: the version it had (rollback target) and the one it is assigned. */
export interface TouchedNode {
  id: string;
  stage: number;
  previous_version: number;
  version: number;
  touched_at: string;
}

/** A staged rollout of a version (`GET /v1/rollouts/{id}`; the list omits `events`). */
export interface Rollout {
  id: string;
  /** Creation order (paging). */
  seq?: number;
  version: number;
  previous_version?: number | null;
  /** `running`, `paused`, `succeeded`, `rolled_back`, `aborted`, `failed`. */
  state: string;
  /** `default`, `all-now` or `custom`. */
  strategy?: string;
  on_failure?: string;
  current_stage?: number | null;
  /** Why it is paused (an operator, the progress deadline, a failed gate, too little traffic). */
  pause_reason?: string | null;
  created_at: string;
  created_by?: string;
  updated_at?: string;
  ended_at?: string | null;
  /** When every rolled-back node ACKed its previous version again. */
  rollback_completed_at?: string | null;
  touched_nodes?: TouchedNode[];
  stages: RolloutStage[];
  events?: RolloutEvent[];
}

/** `GET /v1/rollouts`: newest first, and the fleet's stable version. */
export interface RolloutList {
  items: Rollout[];
  next_before_seq?: number | null;
  stable_version?: number;
}

/** A gate as `POST /v1/rollouts` takes it (`min_requests` defaults to 100). */
export interface GateBody {
  metric: string;
  threshold: number;
  min_requests?: number;
  max_increase?: number;
}

/** A custom stage as `POST /v1/rollouts` takes it (what it omits comes from the body's defaults). */
export interface StageBody {
  name: string;
  selector?: RolloutSelector;
  soak_s?: number;
  gates?: GateBody[];
  progress_deadline_s?: number;
  inconclusive_wait_s?: number;
}

/**
 * Body of `POST /v1/rollouts` (control-plane/src/rollouts/start-request.ts). `soak_s`, `gates`,
 * `progress_deadline_s` and `inconclusive_wait_s` are stage defaults: the default strategy's
 * canary and region stages use them, custom stages use them for what they omit.
 */
export interface StartRollout {
  version: number;
  strategy: "default" | "all-now" | { stages: StageBody[] };
  on_failure?: "rollback" | "pause";
  soak_s?: number;
  gates?: GateBody[];
  progress_deadline_s?: number;
  inconclusive_wait_s?: number;
}

export type RolloutAction = "pause" | "resume" | "promote" | "abort";

/** An entry of `GET /v1/audit`. */
export type AuditEntry = Answer<"/v1/audit", "get">["items"][number];

export interface AuditQuery {
  kind?: string;
  resource?: string;
  actor?: string;
  since?: string;
  until?: string;
  before_id?: number;
  limit?: number;
}

export interface Page<T> {
  items: T[];
  next_before_id?: number | null;
}

/** Body of `POST /v1/tokens` (generated from the OpenAPI document). */
export type NewTokenBody = CreateBody<"/v1/tokens">;

/** An API token as `GET /v1/tokens` shows it (never its secret; `token` only in the answer that made it). */
export type ApiToken = Answer<"/v1/tokens/{id}", "get"> & {
  /** The secret: in the answer to a create or a rotate only. */
  token?: string;
};

/** A role: built-in (admin, operator, security, viewer) or custom, with its permissions (`routes:write`). */
export type Role = Answer<"/v1/roles/{name}", "get">;

/** `GET /v1/tokens/self`: the signed-in token. */
export type TokenSelf = Answer<"/v1/tokens/self", "get">;

// --- security events (GET /v1/security-events, issue 17) -------------------------------------

/** Filters of the security-event endpoints; list values are comma-separated. */
export interface SecurityEventQuery {
  category?: string;
  type?: string;
  route?: string;
  node?: string;
  region?: string;
  client?: string;
  consumer?: string;
  rule_id?: string;
  since?: string;
  until?: string;
}

/** One stored event: arrival order, when it arrived, and its ECS document. */
export interface SecurityEventItem {
  seq: number;
  received_at: string;
  event: {
    "@timestamp": string;
    message: string;
    event: { id: string; action: string; severity: number; outcome: string; code?: string; reason?: string };
    log: { level: string };
    labels: { node: string; region: string; route?: string; consumer?: string };
    source?: { ip?: string };
    url?: { path?: string };
    http?: { request?: { method?: string }; response?: { status_code?: number } };
    rule?: { id?: string; name?: string; category?: string };
    palisade: { category: string };
  };
}

export interface SecurityEventSummary {
  total: number;
  by_category: Record<string, number>;
  by_type: Record<string, number>;
  top_routes: Array<{ value: string; count: number }>;
  top_clients: Array<{ value: string; count: number }>;
  top_rules: Array<{ value: string; count: number }>;
}

// --- telemetry (GET/PUT /v1/telemetry) -------------------------------------------------------

export interface SinkTlsJson {
  ca_pem?: string;
  cert_pem?: string;
  key_pem?: string;
  server_name?: string;
}

/** A SIEM sink as the API takes it: exactly one of syslog, file, webhook. */
export interface SiemSinkJson {
  name: string;
  disabled?: boolean;
  syslog?: {
    address: string;
    protocol: "udp" | "tcp" | "tls";
    framing?: "octet-counting" | "lf";
    facility?: string;
    app_name?: string;
    hostname?: string;
    max_message_bytes?: number;
    tls?: SinkTlsJson;
    connect_timeout_ms?: number;
  };
  file?: { path: string; rotate_bytes?: number; max_files?: number };
  webhook?: {
    url: string;
    format?: "ndjson" | "json";
    headers?: Record<string, string>;
    request_timeout_ms?: number;
    batch_max_bytes?: number;
    tls?: SinkTlsJson;
  };
  batch_max_events?: number;
  retry?: { initial_ms?: number; max_ms?: number };
  spool?: { max_events?: number; max_bytes?: number; fsync_interval_ms?: number };
}

export interface TelemetryConfig {
  siem_sinks: SiemSinkJson[];
  siem_overrides: Array<{
    sink_name: string;
    selector: { regions?: string[]; labels?: Record<string, string>; node_ids?: string[] };
    sink?: SiemSinkJson;
    disabled?: boolean;
  }>;
  secret_headers: string[];
  secret_fields: string[];
  /** Trace sampling and OTLP/HTTP span export (`{}`: none); header values are answered `[redacted]`. */
  trace_export: TraceExportJson;
  trace_export_overrides: Array<{
    selector: { regions?: string[]; labels?: Record<string, string>; node_ids?: string[] };
    trace_export: TraceExportJson;
  }>;
}

/** Trace settings of `PUT /v1/telemetry` (absent fields: the defaults). */
export interface TraceExportJson {
  endpoint?: string;
  sample_ratio?: number;
  headers?: Record<string, string>;
  timeout_ms?: number;
  max_queue_spans?: number;
  max_batch_spans?: number;
  scheduled_delay_ms?: number;
  disabled?: boolean;
}

/** A detection (`GET /v1/anomalies/detections`). */
export interface AnomalyDetection {
  id: string;
  kind: string;
  level: "node" | "region" | "fleet";
  scope: string;
  subject: { type: string; id: string };
  route: string;
  score: number;
  observed: number;
  baseline: number;
  threshold: number;
  unit: string;
  explanation: string;
  detected_at: string;
  mode: "detect" | "enforce";
  decisions: number;
  contributors: number;
}

/** A decision in force (`GET /v1/anomalies/decisions`). */
export interface AnomalyDecision {
  id: string;
  action: "deny" | "throttle";
  target_type: "address" | "consumer" | "credential";
  target_id: string;
  status: number;
  rate_per_s: number;
  created_at: string;
  expires_at: string;
  source: "detection" | "manual";
  kind: string;
  detection_id: string;
  explanation: string;
}

/** A manual block (`POST /v1/anomalies/decisions`). */
export interface AnomalyBlock {
  target_type: "address" | "consumer";
  target_id: string;
  action: "deny" | "throttle";
  ttl_s: number;
  rate_per_s?: number;
  reason: string;
}

/** One route's last 10 minutes in 5 s buckets (`GET /v1/anomalies/baselines`). */
export interface AnomalyBaseline {
  route: string;
  startMs: number;
  bucketMs: number;
  requests: number[];
  authFailures: number[];
  status4xx: number[];
  status5xx: number[];
}

/** `GET /v1/anomalies`. */
export interface AnomalyStatus {
  mode: "off" | "detect" | "enforce";
  decisions: number;
  counters: { summaries: number; detections: number; decisions: number; refused: Record<string, number> };
}
