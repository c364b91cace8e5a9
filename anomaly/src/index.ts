/**
 * @palisade/anomaly: anomaly detection beside the traffic. The proxy writes one fixed-size record
 * per request into a ring (RecordWriter); a detector worker (DetectorHost) keeps bounded
 * baselines and runs the detectors (DetectorEngine); nodes send mergeable summaries
 * (encodeSummary) that the control plane merges per route, region and fleet (FleetView); the
 * decisions (decide, DenyList) say whom to deny or throttle. Pure: no network, no knowledge of
 * the proxy loop.
 */

export { ClientKind, ClientTable } from "./baseline/client-table.js";
export { DetectorClock } from "./baseline/clock.js";
export { CounterSeries, SERIES } from "./baseline/counter-series.js";
export { AllowList } from "./decision/allow-list.js";
export { type Decision, type DecisionTarget, decide, manualDecision } from "./decision/decide.js";
export { DenyList } from "./decision/deny-list.js";
export { DEFAULT_ACTIONS, Enforcement, type EnforcementConfig, type KindAction } from "./decision/enforcement.js";
export {
  type Contributor,
  DETECTION_KINDS,
  type Detection,
  type DetectionKind,
  type DetectionLevel,
  type Subject,
  type SubjectType,
} from "./detect/detection.js";
export {
  DEFAULT_THRESHOLDS,
  type DetectorName,
  type DetectorThresholds,
  type ThresholdConfig,
  type ThresholdOverride,
  Thresholds,
} from "./detect/thresholds.js";
export { DetectorEngine, type EngineNames, type EngineOptions, type EngineStats } from "./engine.js";
export { ANOMALY_ERRORS, AnomalyError, type AnomalyErrorCode } from "./errors.js";
export type { Attack } from "./eval/attacks.js";
export { resultLines, type Score, score } from "./eval/score.js";
export {
  EVAL_KINDS,
  type EvalOptions,
  type EvalRun,
  FULL_EVAL,
  SMALL_EVAL,
  STEP_MS,
  simulate,
  type Traffic,
  type TrafficStep,
  traffic,
} from "./eval/simulate.js";
export { ROUTES as EVAL_ROUTES, type SimRequest, UPSTREAMS as EVAL_UPSTREAMS } from "./eval/world.js";
export { formatAddress, packAddress } from "./record/address.js";
export { CONTENT_TYPES, contentTypeId, contentTypeName } from "./record/content-type.js";
export { fnv1a, hashPath } from "./record/hash.js";
export { Interner } from "./record/interner.js";
export { AuthOutcome, METHOD, NO_OBJECT_ID, RECORD_BYTES } from "./record/layout.js";
export { RecordReader, RecordView } from "./record/record-reader.js";
export { emptyFacts, RecordWriter, type RequestFacts } from "./record/record-writer.js";
export { createRingBuffer, ringCapacity } from "./record/ring.js";
export { TwoGenerationBloom } from "./sketch/bloom.js";
export { CountMinSketch } from "./sketch/count-min.js";
export { HyperLogLog } from "./sketch/hyperloglog.js";
export { SizeSketch } from "./sketch/size-sketch.js";
export { SpaceSaving } from "./sketch/space-saving.js";
export { decodeSummary, encodeSummary, summaryFromJson, summaryToJson } from "./summary/codec.js";
export { FleetView, type FleetViewOptions } from "./summary/fleet-view.js";
export {
  type ClientSummary,
  type NodeSummary,
  type RouteSummary,
  SUMMARY_LIMITS,
  type UpstreamSummary,
} from "./summary/summary.js";
export { validateSummary } from "./summary/validate.js";
export { DetectorHost, type DetectorHostOptions } from "./worker/detector-host.js";
