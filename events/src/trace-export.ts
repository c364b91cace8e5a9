/**
 * Trace sampling and OTLP/HTTP span export as configured centrally (`TelemetrySettings.trace_export`
 * and its per-node `trace_export_overrides`, proto/palisade/config/v1/telemetry.proto) and what one
 * node makes of it. The control plane checks the resource at publish and the node again at
 * compile with {@link checkTraceExport}, so a published config is one every node can start.
 */
import type { TelemetrySettings, TraceExport } from "@palisade/proto";
import { SinkConfigError } from "./errors.js";
import { type NodeFacts, selectorEmpty, selectorMatches } from "./selector.js";
import { checkHeaders, checkHttpUrl } from "./sink-config.js";

/** One node's trace settings with the defaults applied. */
export interface TraceExportConfig {
  /** OTLP/HTTP traces URL, `""` for no export. */
  readonly endpoint: string;
  /** Share (0–1) of the traces the node starts that are sampled (parent-based: an incoming flag wins). */
  readonly sampleRatio: number;
  /** Headers of every export request (secret values). */
  readonly headers: Readonly<Record<string, string>>;
  /** Time limit of one export request, ms. */
  readonly timeoutMs: number;
  /** Spans waiting for export before new ones are dropped. */
  readonly maxQueueSpans: number;
  /** Spans per export request. */
  readonly maxBatchSpans: number;
  /** Longest wait before a batch that is not full is sent, ms. */
  readonly scheduledDelayMs: number;
}

/** Defaults of a {@link TraceExportConfig} (OpenTelemetry's BatchSpanProcessor's, a 1 s delay instead of 5 s). */
export const TRACE_EXPORT_DEFAULTS = Object.freeze({
  timeoutMs: 10_000,
  maxQueueSpans: 2_048,
  maxBatchSpans: 512,
  scheduledDelayMs: 1_000,
});

/** Tracing off: no export, nothing sampled by the node. */
export const TRACE_EXPORT_OFF: TraceExportConfig = Object.freeze({
  endpoint: "",
  sampleRatio: 0,
  headers: Object.freeze({}),
  ...TRACE_EXPORT_DEFAULTS,
});

function int(v: number, dflt: number, min: number, max: number, field: string): number {
  if (v === 0) return dflt;
  if (v < min || v > max) throw new SinkConfigError("SINK_VALUE_OUT_OF_RANGE", field);
  return v;
}

/**
 * The checked config of a proto `TraceExport` (zero values: the defaults; `disabled`: off).
 * @param field the message's field path, for errors (`trace_export`, `trace_export_overrides.1.trace_export`)
 * @throws SinkConfigError SINK_URL_INVALID, SINK_HEADER_INVALID, TRACE_RATIO_INVALID or
 *   SINK_VALUE_OUT_OF_RANGE naming the field (never its value)
 */
export function checkTraceExport(t: TraceExport, field: string): TraceExportConfig {
  if (t.disabled) return TRACE_EXPORT_OFF;
  if (t.endpoint !== "") checkHttpUrl(t.endpoint, `${field}.endpoint`);
  const ratio = t.sampleRatio ?? 0;
  if (!(ratio >= 0 && ratio <= 1)) throw new SinkConfigError("TRACE_RATIO_INVALID", `${field}.sample_ratio`);
  checkHeaders(t.headers, `${field}.headers`);
  return Object.freeze({
    endpoint: t.endpoint,
    sampleRatio: ratio,
    headers: Object.freeze({ ...t.headers }),
    timeoutMs: int(t.timeoutMs, TRACE_EXPORT_DEFAULTS.timeoutMs, 100, 600_000, `${field}.timeout_ms`),
    maxQueueSpans: int(t.maxQueueSpans, TRACE_EXPORT_DEFAULTS.maxQueueSpans, 1, 1_000_000, `${field}.max_queue_spans`),
    maxBatchSpans: int(t.maxBatchSpans, TRACE_EXPORT_DEFAULTS.maxBatchSpans, 1, 100_000, `${field}.max_batch_spans`),
    scheduledDelayMs: int(
      t.scheduledDelayMs,
      TRACE_EXPORT_DEFAULTS.scheduledDelayMs,
      1,
      600_000,
      `${field}.scheduled_delay_ms`,
    ),
  });
}

/**
 * Checks the trace settings of a telemetry resource: the fleet-wide one and every override (a
 * selector naming something, a `trace_export` given). Batch size above the queue is refused.
 * @throws SinkConfigError naming the proto field (`trace_export_overrides.0.selector`)
 */
export function checkTraceSettings(settings: TelemetrySettings): void {
  const one = (t: TraceExport, f: string) => {
    const c = checkTraceExport(t, f);
    if (c.maxBatchSpans > c.maxQueueSpans) throw new SinkConfigError("SINK_VALUE_OUT_OF_RANGE", `${f}.max_batch_spans`);
  };
  if (settings.traceExport) one(settings.traceExport, "trace_export");
  settings.traceExportOverrides.forEach((o, i) => {
    const f = `trace_export_overrides.${i}`;
    if (selectorEmpty(o.selector)) throw new SinkConfigError("SINK_SELECTOR_INVALID", `${f}.selector`);
    if (!o.traceExport) throw new SinkConfigError("SINK_OVERRIDE_INVALID", `${f}.trace_export`);
    one(o.traceExport, `${f}.trace_export`);
  });
}

/**
 * One node's trace settings: the first override whose selector matches the node, else the
 * fleet-wide `trace_export`; `null` when the resource says nothing (the node's flags apply).
 * Expects a checked resource (the node compiled it): values are not checked again.
 * @param settings the snapshot's `telemetry` resource, `undefined` when it has none
 */
export function traceExportForNode(settings: TelemetrySettings | undefined, node: NodeFacts): TraceExportConfig | null {
  for (const [i, o] of (settings?.traceExportOverrides ?? []).entries())
    if (o.traceExport && selectorMatches(o.selector, node))
      return checkTraceExport(o.traceExport, `trace_export_overrides.${i}.trace_export`);
  return settings?.traceExport ? checkTraceExport(settings.traceExport, "trace_export") : null;
}
