import { type NodeFacts, TRACE_EXPORT_OFF, type TraceExportConfig, traceExportForNode } from "@palisade/events";
import type { TelemetrySettings } from "@palisade/proto";
import type { Logger } from "../log.js";
import { type SpanCounts, SpanExport } from "./span-exporter.js";

/** Where the node's trace settings take effect: the proxy server's sampling ratio and span export. */
export interface TracingTarget {
  traceSampleRatio: number;
  spans: SpanExport | null;
}

/** The node's own flags, which win over the config's (`null`: the config's). */
export interface LocalTraceOptions {
  readonly traceSampleRatio: number | null;
  readonly otlpTracesEndpoint: string | null;
}

/**
 * A node process's trace settings: the config's `trace_export` for this node (its override, else
 * the fleet-wide one; `traceExportForNode`) under the node's own flags, applied to the proxy
 * server whenever a config is swapped in. A changed export setting replaces the exporter (the old
 * one sends what it queued, in the background); an unchanged one keeps it. Counts survive the
 * replacements (`palisade_trace_spans_*` never go backwards).
 */
export class NodeTracing {
  readonly #target: TracingTarget;
  readonly #local: LocalTraceOptions;
  readonly #node: NodeFacts;
  readonly #resource: Readonly<Record<string, string>>;
  readonly #log: Logger;
  #key = "";
  #current: SpanExport | null = null;
  #before: SpanCounts = { exported: 0, queueFull: 0, failed: 0 };

  /**
   * @param resource the OpenTelemetry resource attributes of the process's spans
   */
  constructor(
    target: TracingTarget,
    local: LocalTraceOptions,
    node: NodeFacts,
    resource: Readonly<Record<string, string>>,
    log: Logger,
  ) {
    this.#target = target;
    this.#local = local;
    this.#node = node;
    this.#resource = resource;
    this.#log = log;
    this.configure(undefined);
  }

  /** Applies the trace settings of a config's telemetry resource (`undefined`: it has none). */
  configure(settings: TelemetrySettings | null | undefined): void {
    const fromConfig = traceExportForNode(settings ?? undefined, this.#node) ?? TRACE_EXPORT_OFF;
    const local = this.#local;
    const config: TraceExportConfig = {
      ...fromConfig,
      sampleRatio: local.traceSampleRatio ?? fromConfig.sampleRatio,
      endpoint: local.otlpTracesEndpoint ?? fromConfig.endpoint,
    };
    this.#target.traceSampleRatio = config.sampleRatio;
    const exportKey = config.endpoint === "" ? "" : JSON.stringify({ ...config, sampleRatio: 0 });
    if (exportKey === this.#key) return;
    this.#key = exportKey;
    void this.#retire();
    if (config.endpoint !== "") {
      this.#current = new SpanExport(config, this.#resource);
      this.#log.info(
        { endpoint: new URL(config.endpoint).origin, sample_ratio: config.sampleRatio },
        "trace export on (OTLP/HTTP)",
      );
    }
    this.#target.spans = this.#current;
  }

  /** The exporters' counts since the process started. */
  counts(): SpanCounts {
    const b = this.#before;
    const c = this.#current?.counts();
    if (c === undefined) return b;
    return { exported: b.exported + c.exported, queueFull: b.queueFull + c.queueFull, failed: b.failed + c.failed };
  }

  /** Counts as the traffic counters carry them (`trace:<result>`), for `/metrics` and cluster sums. */
  counters(): Record<string, number> {
    const c = this.counts();
    return { exported: c.exported, queue_full: c.queueFull, export_failed: c.failed };
  }

  /** Folds the current exporter's counts into the totals and stops it (what it queued is still sent). */
  #retire(): Promise<void> {
    const old = this.#current;
    if (old === null) return Promise.resolve();
    this.#current = null;
    this.#target.spans = null;
    // Spans of the old exporter still in flight count once they end (the sum is read live).
    const before = this.#before;
    this.#before = {
      get exported() {
        return before.exported + old.counts().exported;
      },
      get queueFull() {
        return before.queueFull + old.counts().queueFull;
      },
      get failed() {
        return before.failed + old.counts().failed;
      },
    };
    return old.shutdown();
  }

  /** Stops the exporter, sending what it queued (bounded by its export timeout). */
  close(): Promise<void> {
    this.#key = "";
    return this.#retire();
  }
}
