export { type Classification, classify, type EcsKind, type EcsOutcome } from "./classify.js";
export {
  ECS_VERSION,
  type EcsRule,
  type EcsSecurityEvent,
  type ObserverInfo,
  type PalisadeFields,
  toEcs,
} from "./ecs.js";
export { asciiJson, ecsJson } from "./ecs-json.js";
export { SINK_CONFIG_ERRORS, SinkConfigError, type SinkConfigErrorCode } from "./errors.js";
export {
  type AnomalyDecisionEvent,
  type AnomalyDetectionEvent,
  type AnomalySubject,
  anomalyDetectedEvent,
  type ConfigEvent,
  type DetectionFacts,
  EVENT_CATEGORIES,
  type EventCategory,
  type EventCommon,
  newEventId,
  type PalisadeEvent,
  POLICY_DENIAL_TYPES,
  type PolicyDenialEvent,
  type PolicyDenialType,
  type PolicyRef,
  type RequestFacts,
  type SiemConditionEvent,
  type WafEvent,
  type WafRuleMatch,
} from "./event.js";
export {
  type ExampleOptions,
  exampleAnomaly,
  exampleConfig,
  exampleDecision,
  exampleEvents,
  examplePolicyDenials,
  exampleSiem,
  exampleWaf,
} from "./examples.js";
export {
  cpMetric,
  DEFAULT_PROCESS_METRICS,
  HTTP_DURATION_BUCKETS_S,
  METRIC_CATALOGUE,
  type MetricPlane,
  type MetricSpec,
  type MetricStatus,
  type MetricType,
  metricOfSeries,
  NONCONFORMING_DEFAULT_METRICS,
  PUBLISH_ACK_BUCKETS_S,
  WAF_INSPECTION_BUCKETS_S,
} from "./metrics/catalogue.js";
export {
  DEFAULT_SECRET_FIELDS,
  DEFAULT_SECRET_HEADERS,
  REDACTED,
  type RedactionOptions,
  Redactor,
} from "./redact.js";
export { type NodeFacts, selectorMatches } from "./selector.js";
export {
  FACILITY,
  type FacilityName,
  isFacilityName,
  isSeverity,
  SEVERITY,
  SEVERITY_NAMES,
  type Severity,
  type SeverityName,
  syslogPri,
} from "./severity.js";
export {
  checkHeaders,
  checkHttpUrl,
  type FileSinkConfig,
  parseAddress,
  type ResolvedFile,
  type ResolvedSinkConfig,
  type ResolvedSyslog,
  type ResolvedWebhook,
  resolveSinkConfigs,
  SINK_DEFAULTS,
  type SiemSinkConfig,
  type SinkRetryConfig,
  type SinkSpoolConfig,
  type SinkTlsConfig,
  type SyslogSinkConfig,
  type WebhookSinkConfig,
} from "./sink-config.js";
export { formatSyslog, type ParsedSyslog, parseSyslog, type SyslogHeader } from "./syslog.js";
export {
  checkTelemetrySettings,
  redactionOf,
  sinkConfigFromProto,
  sinksForNode,
} from "./telemetry-settings.js";
export {
  checkTraceExport,
  TRACE_EXPORT_DEFAULTS,
  TRACE_EXPORT_OFF,
  type TraceExportConfig,
  traceExportForNode,
} from "./trace-export.js";
