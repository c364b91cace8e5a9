/**
 * The metric catalogue: every Prometheus metric a Palisade node or control plane exports, or
 * will export, with its type, labels, help and the field's name it follows. One source of
 * truth: the control plane builds its `/metrics` from these entries, the node's exposition is
 * checked against them, and every query of the Grafana dashboards in deploy/grafana must name
 * one of them (a test checks all three).
 *
 * Names: a `palisade_` namespace (`palisade_cp_` for the control plane), then the OpenTelemetry
 * HTTP semantic-convention instrument where one exists (`http.server.request.duration` →
 * `palisade_http_server_request_duration_seconds`), else the Envoy or Kong statistic's words;
 * base units (seconds, bytes) in the name, counters end in `_total` (Prometheus naming
 * practice, what `promtool check metrics` lints). Labels are bounded by config or by a closed
 * set: route, upstream and policy ids, sink names, regions, status classes, reason codes;
 * never a client address, a raw path, a user agent or a consumer id.
 */

/** Prometheus metric types Palisade uses. */
export type MetricType = "counter" | "gauge" | "histogram";

/** Who exports a metric. */
export type MetricPlane = "node" | "control-plane";

/**
 * `exported`: served today (tests compare the catalogue with the live exposition);
 * `planned`: named here for the node's request-loop work (issue 17), not served yet.
 */
export type MetricStatus = "exported" | "planned";

/** One metric. */
export interface MetricSpec {
  /** Prometheus name; a histogram's series add `_bucket`, `_sum` and `_count`. */
  readonly name: string;
  readonly type: MetricType;
  /** `# HELP` text. */
  readonly help: string;
  /** Label names, bounded (the closed sets are in `values`). */
  readonly labels: readonly string[];
  readonly plane: MetricPlane;
  readonly status: MetricStatus;
  /** The OpenTelemetry instrument, Envoy or Kong statistic it follows, when one exists. */
  readonly follows?: string;
  /** Histogram bucket upper bounds, in the metric's unit. */
  readonly buckets?: readonly number[];
  /** Label values of labels with a closed set. */
  readonly values?: Readonly<Record<string, readonly string[]>>;
}

/** OpenTelemetry's advice for `http.server.request.duration` (semantic conventions, HTTP metrics), seconds. */
export const HTTP_DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * The WAF's time per inspected request, seconds: 10 µs to 100 ms, what OWASP CRS at PL1–PL4 costs
 * a request from a bare GET to a large body.
 */
export const WAF_INSPECTION_BUCKETS_S = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
];

/** The node's fixed latency buckets of today (data-plane telemetry/traffic-stats.ts), seconds. */
const NODE_LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Publish → ACK buckets, seconds: a delta applies in ms, a 10,000-route full update in about a second. */
export const PUBLISH_ACK_BUCKETS_S = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"];
const EVENT_CATEGORIES = ["policy_denial", "waf", "anomaly", "config", "siem"];

const node = (
  name: string,
  type: MetricType,
  help: string,
  labels: readonly string[],
  status: MetricStatus,
  extra: Partial<MetricSpec> = {},
): MetricSpec => ({ name, type, help, labels, plane: "node", status, ...extra });

const cp = (
  name: string,
  type: MetricType,
  help: string,
  labels: readonly string[],
  extra: Partial<MetricSpec> = {},
): MetricSpec => ({ name, type, help, labels, plane: "control-plane", status: "exported", ...extra });

/** Every metric, node first, then the control plane. */
export const METRIC_CATALOGUE: readonly MetricSpec[] = [
  // --- node: served today (data-plane/src/telemetry/metrics.ts) ---------------------------
  node("palisade_requests_total", "counter", "Requests answered, by status class.", ["class"], "exported", {
    follows: "Envoy http.downstream_rq_xx",
    values: { class: ["2xx", "3xx", "4xx", "5xx"] },
  }),
  node(
    "palisade_request_duration_seconds",
    "histogram",
    "Request latency from arrival to the end of the response, seconds.",
    [],
    "exported",
    { follows: "OTel http.server.request.duration (no attributes)", buckets: NODE_LATENCY_BUCKETS_S },
  ),
  node("palisade_active_connections", "gauge", "Open client connections on the proxy listener.", [], "exported", {
    follows: "OTel http.server.active_requests; Envoy downstream_cx_active",
  }),
  node(
    "palisade_security_events_total",
    "counter",
    "Requests refused by a security check, by event type.",
    ["type"],
    "exported",
    {
      values: {
        type: [
          "authentication_failed",
          "access_denied",
          "credential_ambiguous",
          "auth_unavailable",
          "request_rejected",
          "ip_denied",
          "rate_limited",
          "request_too_large",
          "cors_rejected",
        ],
      },
    },
  ),
  node("palisade_config_version", "gauge", "Config version the node serves (0 = none).", [], "exported"),
  node(
    "palisade_config_applied_timestamp_seconds",
    "gauge",
    "When the served config was applied, Unix seconds (0 = none).",
    [],
    "exported",
  ),
  node(
    "palisade_control_plane_connected",
    "gauge",
    "1 while the config stream to the control plane is up.",
    [],
    "exported",
    { follows: "Envoy control_plane.connected_state" },
  ),
  node(
    "palisade_config_updates_total",
    "counter",
    "Config updates received from the control plane, by kind (nacked: refused).",
    ["kind"],
    "exported",
    { follows: "Envoy update_success / update_rejected", values: { kind: ["full", "delta", "nacked"] } },
  ),
  node(
    "palisade_config_update_bytes_total",
    "counter",
    "Encoded bytes of the config updates received.",
    [],
    "exported",
  ),
  node(
    "palisade_shadow_requests_total",
    "counter",
    "Shadow requests sent by mirror policies, by route.",
    ["route"],
    "exported",
    { follows: "Envoy request_mirror_policy stats" },
  ),
  node(
    "palisade_shadow_compared_total",
    "counter",
    "Shadow answers compared with the primary's, by route and whether the status class agreed.",
    ["route", "result"],
    "exported",
    { values: { result: ["agreed", "disagreed"] } },
  ),
  node(
    "palisade_shadow_dropped_total",
    "counter",
    "Sampled requests not mirrored or mirrored without an answer, by route and reason.",
    ["route", "reason"],
    "exported",
    {
      values: { reason: ["queue_full", "body_too_large", "shadow_error", "shadow_timeout", "primary_incomplete"] },
    },
  ),
  node(
    "palisade_shadow_latency_diff_ms",
    "gauge",
    "Shadow latency minus primary latency (dispatch to response headers), ms, since the node started.",
    ["route", "stat"],
    "exported",
    { values: { stat: ["mean", "p50", "p99"] } },
  ),

  // --- node: the request loop's metrics (issue 17 point 1; served once the loop fills them) --
  node(
    "palisade_http_server_requests_total",
    "counter",
    "Requests answered, by route, upstream and status class.",
    ["route", "upstream", "status_class"],
    "exported",
    {
      follows: "OTel http.server.request.duration count; Kong kong_http_requests_total",
      values: { status_class: STATUS_CLASSES },
    },
  ),
  node(
    "palisade_http_server_request_duration_seconds",
    "histogram",
    "Request latency from the first byte in to the end of the response, seconds, by route, upstream and status class.",
    ["route", "upstream", "status_class"],
    "exported",
    {
      follows: "OTel http.server.request.duration; Kong kong_request_latency_ms",
      buckets: HTTP_DURATION_BUCKETS_S,
      values: { status_class: STATUS_CLASSES },
    },
  ),
  node(
    "palisade_upstream_request_duration_seconds",
    "histogram",
    "Upstream latency from dispatch to the end of the upstream response, seconds, by route, upstream and status class.",
    ["route", "upstream", "status_class"],
    "exported",
    {
      follows: "OTel http.client.request.duration; Envoy cluster.upstream_rq_time; Kong kong_upstream_latency_ms",
      buckets: HTTP_DURATION_BUCKETS_S,
      values: { status_class: STATUS_CLASSES },
    },
  ),
  node(
    "palisade_http_server_request_body_bytes_total",
    "counter",
    "Request body bytes received from clients, by route and upstream.",
    ["route", "upstream"],
    "exported",
    { follows: "OTel http.server.request.body.size; Kong kong_bandwidth_bytes{direction=ingress}" },
  ),
  node(
    "palisade_http_server_response_body_bytes_total",
    "counter",
    "Response body bytes sent to clients, by route and upstream.",
    ["route", "upstream"],
    "exported",
    { follows: "OTel http.server.response.body.size; Kong kong_bandwidth_bytes{direction=egress}" },
  ),
  node(
    "palisade_policy_decisions_total",
    "counter",
    "Policy decisions, by policy type, decision and reason code (allow has reason none).",
    ["policy_type", "decision", "reason"],
    "exported",
    { values: { decision: ["allow", "deny"] } },
  ),
  node(
    "palisade_waf_transactions_total",
    "counter",
    "Requests the WAF inspected, by route and outcome (blocked, detected: would have been blocked in detect mode, error, pass).",
    ["route", "outcome"],
    "exported",
    { values: { outcome: ["blocked", "detected", "error", "pass"] } },
  ),
  node(
    "palisade_waf_blocks_total",
    "counter",
    "Requests the WAF blocked, by route and rule group (the deciding rule's attack tag: attack-sqli, attack-xss ...).",
    ["route", "rule_group"],
    "exported",
    { follows: "Coraza / ModSecurity audit log rule tags (OWASP CRS attack-* tags; other)" },
  ),
  node(
    "palisade_waf_rule_hits_total",
    "counter",
    "Transactions each WAF rule matched in, by rule id (CRS and Palisade's bundled rules; other rules as other).",
    ["rule_id"],
    "exported",
    { follows: "OWASP CRS rule ids (900000-999999)" },
  ),
  node(
    "palisade_waf_inspection_duration_seconds",
    "histogram",
    "Time the WAF spent on each inspected request (its synchronous phases: CPU time on the request's thread), seconds.",
    [],
    "exported",
    { buckets: WAF_INSPECTION_BUCKETS_S },
  ),
  node(
    "palisade_anomaly_detections_total",
    "counter",
    "Anomaly detections on this node, by detector.",
    ["detector"],
    "exported",
    {
      values: {
        detector: [
          "brute_force",
          "credential_stuffing",
          "enumeration",
          "volumetric",
          "error_rate",
          "payload",
          "fingerprint_churn",
        ],
      },
    },
  ),
  node(
    "palisade_anomaly_records_dropped_total",
    "counter",
    "Request records dropped because the detector's ring was full.",
    [],
    "exported",
  ),
  node(
    "palisade_anomaly_worker_restarts_total",
    "counter",
    "Times the anomaly detector worker failed and was restarted (traffic is not affected).",
    [],
    "exported",
  ),
  node("palisade_trace_spans_exported_total", "counter", "Server spans the OTLP collector accepted.", [], "exported", {
    follows: "OpenTelemetry otel.sdk.exporter.span.exported",
  }),
  node(
    "palisade_trace_spans_dropped_total",
    "counter",
    "Sampled server spans not exported, by reason (queue_full: the collector was slow or down; export_failed: the export request failed).",
    ["reason"],
    "exported",
    {
      follows: "OpenTelemetry otel.sdk.processor.span.processed{error.type}",
      values: { reason: ["queue_full", "export_failed"] },
    },
  ),
  node(
    "palisade_upstream_targets",
    "gauge",
    "Targets of each upstream by health state.",
    ["upstream", "state"],
    "exported",
    {
      follows: "Envoy cluster.membership_healthy / membership_total; Kong kong_upstream_target_health",
      values: { state: ["healthy", "unhealthy", "ejected"] },
    },
  ),
  node(
    "palisade_upstream_outlier_ejections_total",
    "counter",
    "Targets ejected by passive outlier detection, by upstream.",
    ["upstream"],
    "exported",
    { follows: "Envoy cluster.outlier_detection.ejections_enforced_total" },
  ),
  node(
    "palisade_upstream_health_checks_total",
    "counter",
    "Active health check probes, by upstream and result (success: 2xx or 3xx).",
    ["upstream", "result"],
    "exported",
    { follows: "Envoy cluster.health_check.success / failure", values: { result: ["success", "failure"] } },
  ),
  node(
    "palisade_upstream_circuit_breaker_open",
    "gauge",
    "1 while the upstream's circuit breaker refuses requests (max_requests or max_pending reached).",
    ["upstream"],
    "exported",
    { follows: "Envoy cluster.circuit_breakers.default.rq_open" },
  ),
  node(
    "palisade_upstream_circuit_breaker_overflows_total",
    "counter",
    "Requests the upstream's circuit breaker refused (503 UPSTREAM_OVERLOADED), by upstream.",
    ["upstream"],
    "exported",
    { follows: "Envoy cluster.upstream_rq_overflow / upstream_rq_pending_overflow" },
  ),
  node(
    "palisade_upstream_retries_total",
    "counter",
    "Requests retried on another target, by upstream.",
    ["upstream"],
    "exported",
    { follows: "Envoy cluster.upstream_rq_retry" },
  ),
  node(
    "palisade_upstream_requests_active",
    "gauge",
    "Requests in flight to the upstream (from the circuit breaker to the end of the response).",
    ["upstream"],
    "exported",
    { follows: "Envoy cluster.upstream_rq_active" },
  ),
  node(
    "palisade_config_last_known_good",
    "gauge",
    "1 while the node serves its last-known-good config from disk (the control plane was not reachable at start).",
    [],
    "exported",
  ),
  node(
    "palisade_sync_security_events_total",
    "counter",
    "Security events sent to the control plane, by result (acknowledged, dropped: the buffer was full).",
    ["result"],
    "exported",
    { values: { result: ["acknowledged", "dropped", "rejected"] } },
  ),
  node(
    "palisade_siem_events_delivered_total",
    "counter",
    "Security events a SIEM sink confirmed delivered.",
    ["sink"],
    "exported",
  ),
  node(
    "palisade_siem_events_spooled_total",
    "counter",
    "Security events written to a sink's spool.",
    ["sink"],
    "exported",
  ),
  node(
    "palisade_siem_events_dropped_total",
    "counter",
    "Security events dropped, by sink (queue: the shipper's queue) and reason.",
    ["sink", "reason"],
    "exported",
    {
      values: {
        reason: ["queue_full", "spool_overflow", "spool_write_failed", "corrupt", "rejected", "too_large"],
      },
    },
  ),
  node(
    "palisade_siem_spool_pending_events",
    "gauge",
    "Events in a sink's spool not delivered yet.",
    ["sink"],
    "exported",
  ),
  node("palisade_siem_spool_bytes", "gauge", "Bytes of a sink's spool on disk.", ["sink"], "exported"),
  node("palisade_siem_sink_up", "gauge", "1 while a SIEM sink is connected and delivering.", ["sink"], "exported"),
  node(
    "palisade_siem_sink_failures_total",
    "counter",
    "Connection or send failures of a SIEM sink.",
    ["sink"],
    "exported",
  ),

  // --- control plane (control-plane/src/metrics/) -------------------------------------------
  cp("palisade_cp_nodes", "gauge", "Nodes in the inventory by state and region.", ["state", "region"], {
    values: { state: ["connected", "stale", "disconnected", "revoked"] },
  }),
  cp(
    "palisade_cp_publish_ack_duration_seconds",
    "histogram",
    "From a version's publish (or the node's connect, when later) to the node's ACK of it, seconds.",
    [],
    { follows: "Envoy xDS update latency (control_plane.*); go-control-plane", buckets: PUBLISH_ACK_BUCKETS_S },
  ),
  cp("palisade_cp_config_acks_total", "counter", "ACKs of config updates from nodes.", []),
  cp(
    "palisade_cp_config_nacks_total",
    "counter",
    "NACKs from nodes, by kind (config: refused; node_fault: could not apply; base_mismatch: delta base unknown).",
    ["kind"],
    { values: { kind: ["config", "node_fault", "base_mismatch"] } },
  ),
  cp("palisade_cp_config_version_latest", "gauge", "Latest published config version (0 = none).", []),
  cp("palisade_cp_config_version_stable", "gauge", "Stable config version: what nodes outside a rollout get.", []),
  cp(
    "palisade_cp_rollout_active",
    "gauge",
    "1 for the active rollout (running or paused), labelled with its state, stage name and target version.",
    ["state", "stage", "version"],
    { values: { state: ["running", "paused"] } },
  ),
  cp(
    "palisade_cp_rollout_stage_index",
    "gauge",
    "Index of the active rollout's current stage (-1 when no rollout is active).",
    [],
  ),
  cp("palisade_cp_rollouts", "gauge", "Rollouts by state, since the database was created.", ["state"], {
    values: { state: ["running", "paused", "succeeded", "rolled_back", "aborted", "failed"] },
  }),
  cp(
    "palisade_cp_admin_requests_total",
    "counter",
    "Admin API requests, by method, route pattern (unmatched: no route) and status.",
    ["method", "route", "status"],
    { follows: "OTel http.server.request.duration count (http.route)" },
  ),
  cp(
    "palisade_cp_admin_request_duration_seconds",
    "histogram",
    "Admin API request latency, seconds, by method and route pattern.",
    ["method", "route"],
    { follows: "OTel http.server.request.duration", buckets: HTTP_DURATION_BUCKETS_S },
  ),
  cp(
    "palisade_cp_security_events_received_total",
    "counter",
    "Security events from nodes stored, by category.",
    ["category"],
    { values: { category: EVENT_CATEGORIES } },
  ),
  cp(
    "palisade_cp_security_events_duplicates_total",
    "counter",
    "Security events a node sent again after a reconnect, already stored.",
    [],
  ),
  cp("palisade_cp_security_events_rejected_total", "counter", "Security events refused, by code.", ["code"], {
    values: { code: ["EVENT_TOO_LARGE", "EVENT_MALFORMED", "EVENT_ID_MISMATCH", "BATCH_TOO_LARGE"] },
  }),
  cp(
    "palisade_cp_security_events_redacted_total",
    "counter",
    "Security events in which the control plane's re-check found and removed a secret the node had left.",
    [],
  ),
  cp(
    "palisade_cp_security_events_node_dropped_total",
    "counter",
    "Security events nodes reported dropping before sending (their buffer was full).",
    [],
  ),
  cp("palisade_cp_security_events_pruned_total", "counter", "Stored security events deleted by retention.", []),
  cp("palisade_cp_security_events_stored", "gauge", "Security events stored (retention bounds it).", []),
  cp("palisade_cp_security_event_streams", "gauge", "Open live security-event streams (SSE).", []),
  cp(
    "palisade_cp_security_event_stream_disconnects_total",
    "counter",
    "Live streams ended by the control plane, by reason (slow: the client did not keep up; limit: too many streams).",
    ["reason"],
    { values: { reason: ["slow", "limit"] } },
  ),
];

/**
 * prom-client's default metrics (`collectDefaultMetrics`) both planes serve, named here so the
 * dashboards may use them.
 */
export const DEFAULT_PROCESS_METRICS: readonly MetricSpec[] = (
  [
    ["process_cpu_user_seconds_total", "counter", "Total user CPU time spent in seconds.", []],
    ["process_cpu_system_seconds_total", "counter", "Total system CPU time spent in seconds.", []],
    ["process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", []],
    ["process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", []],
    ["process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", []],
    ["process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", []],
    ["process_heap_bytes", "gauge", "Process heap size in bytes.", []],
    ["process_open_fds", "gauge", "Number of open file descriptors.", []],
    ["process_max_fds", "gauge", "Maximum number of open file descriptors.", []],
    ["nodejs_eventloop_lag_seconds", "gauge", "Lag of event loop in seconds.", []],
    ["nodejs_eventloop_lag_min_seconds", "gauge", "The minimum recorded event loop delay.", []],
    ["nodejs_eventloop_lag_max_seconds", "gauge", "The maximum recorded event loop delay.", []],
    ["nodejs_eventloop_lag_mean_seconds", "gauge", "The mean of the recorded event loop delays.", []],
    ["nodejs_eventloop_lag_stddev_seconds", "gauge", "The standard deviation of the recorded event loop delays.", []],
    ["nodejs_eventloop_lag_p50_seconds", "gauge", "The 50th percentile of the recorded event loop delays.", []],
    ["nodejs_eventloop_lag_p90_seconds", "gauge", "The 90th percentile of the recorded event loop delays.", []],
    ["nodejs_eventloop_lag_p99_seconds", "gauge", "The 99th percentile of the recorded event loop delays.", []],
    [
      "nodejs_active_resources",
      "gauge",
      "Number of active resources keeping the event loop alive, by async resource type.",
      ["type"],
    ],
    ["nodejs_active_handles", "gauge", "Number of active libuv handles grouped by handle type.", ["type"]],
    ["nodejs_active_requests", "gauge", "Number of active libuv requests grouped by request type.", ["type"]],
    ["nodejs_heap_size_total_bytes", "gauge", "Process heap size from Node.js in bytes.", []],
    ["nodejs_heap_size_used_bytes", "gauge", "Process heap size used from Node.js in bytes.", []],
    ["nodejs_external_memory_bytes", "gauge", "Node.js external memory size in bytes.", []],
    ["nodejs_heap_space_size_total_bytes", "gauge", "Process heap space size total from Node.js in bytes.", ["space"]],
    ["nodejs_heap_space_size_used_bytes", "gauge", "Process heap space size used from Node.js in bytes.", ["space"]],
    [
      "nodejs_heap_space_size_available_bytes",
      "gauge",
      "Process heap space size available from Node.js in bytes.",
      ["space"],
    ],
    ["nodejs_version_info", "gauge", "Node.js version info.", ["version", "major", "minor", "patch"]],
    ["nodejs_gc_duration_seconds", "histogram", "Garbage collection duration by kind.", ["kind"]],
  ] as const
).flatMap(([name, type, help, labels]) =>
  (["node", "control-plane"] as const).map(
    (plane): MetricSpec => ({
      name,
      type,
      help,
      labels,
      plane,
      status: "exported",
      follows: "prom-client collectDefaultMetrics",
    }),
  ),
);

/**
 * prom-client default metrics that are gauges named `_total`, which `promtool check metrics`
 * refuses ("non-counter metrics should not have _total suffix"): a registry removes them after
 * `collectDefaultMetrics` (`registry.removeSingleMetric`); `nodejs_active_resources` (no suffix)
 * carries the same figure.
 */
export const NONCONFORMING_DEFAULT_METRICS: readonly string[] = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

const BY_NAME = new Map<string, MetricSpec>();
for (const m of [...METRIC_CATALOGUE, ...DEFAULT_PROCESS_METRICS]) if (!BY_NAME.has(m.name)) BY_NAME.set(m.name, m);

/**
 * The catalogue entry a series name belongs to: the metric itself, or the histogram whose
 * `_bucket`, `_sum` or `_count` series it is.
 */
export function metricOfSeries(series: string): MetricSpec | undefined {
  const direct = BY_NAME.get(series);
  if (direct) return direct;
  const m = /^(.*)_(bucket|sum|count)$/.exec(series);
  const base = m ? BY_NAME.get(m[1]!) : undefined;
  return base?.type === "histogram" ? base : undefined;
}

/** One control-plane metric by name. @throws Error for a name not in the catalogue (a bug) */
export function cpMetric(name: string): MetricSpec {
  const m = METRIC_CATALOGUE.find((x) => x.name === name && x.plane === "control-plane");
  if (!m) throw new Error(`metric ${name} is not in the control-plane catalogue`);
  return m;
}
