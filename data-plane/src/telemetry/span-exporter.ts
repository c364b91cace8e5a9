import {
  type Context,
  createTraceState,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  type IdGenerator,
  type ReadableSpan,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import type { TraceExportConfig } from "@palisade/events";

/** What a server span says of one finished request (the `logging` phase has all of it). */
export interface SpanFacts {
  /** The request's trace id (32 hex), as in `traceparent`, the access log and security events. */
  readonly traceId: string;
  /** The node's span id (16 hex): the parent-id the upstream received. */
  readonly spanId: string;
  /** The client's parent-id, `null` when the trace started at the node. */
  readonly parentSpanId: string | null;
  readonly traceState: string | null;
  readonly method: string;
  /** Canonical path, never the query. */
  readonly path: string;
  readonly scheme: "http" | "https";
  /** `1.1`, `1.0`, `2`. */
  readonly protocolVersion: string;
  /** Host the client asked for, without the port (`""`: none). */
  readonly serverAddress: string;
  /** The status sent, 0 when the connection was cut before one. */
  readonly status: number;
  /** Route name (`http.route`), `""` when no route matched. */
  readonly route: string;
  readonly upstreamId: string;
  /** The error answered (registry code), if any. */
  readonly errorCode: string | undefined;
  /** Arrival and end, ms since the epoch (fractions kept). */
  readonly startMs: number;
  readonly endMs: number;
}

/** Cumulative counts of one exporter (`palisade_trace_spans_*`). */
export interface SpanCounts {
  /** Spans the collector accepted. */
  readonly exported: number;
  /** Spans dropped because the queue was full (the collector slow or down). */
  readonly queueFull: number;
  /** Spans in export requests that failed (refused, timed out, an error status). */
  readonly failed: number;
}

/** Hands the SDK the ids the node already chose (set right before each synchronous `startSpan`). */
class GivenIds implements IdGenerator {
  traceId = "";
  spanId = "";
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

/** Counts what the OTLP exporter did with each batch and what left the queue. */
class CountingExporter implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #owner: SpanExport;

  constructor(inner: SpanExporter, owner: SpanExport) {
    this.#inner = inner;
    this.#owner = owner;
  }

  export(spans: ReadableSpan[], done: Parameters<SpanExporter["export"]>[1]): void {
    this.#owner.dequeued(spans.length);
    this.#inner.export(spans, (result) => {
      this.#owner.exportDone(spans.length, result.code === 0); // ExportResultCode.SUCCESS
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * OTLP/HTTP (JSON) export of one OpenTelemetry server span per sampled request, through the
 * OpenTelemetry JS SDK (BasicTracerProvider, BatchSpanProcessor, OTLPTraceExporter). The node
 * samples (parent-based ratio, trace-context.ts) and picks the ids; the SDK only records and
 * ships, so the exported span has the trace id the upstream got in `traceparent` and the span id
 * it got as parent-id. Attributes follow the HTTP semantic conventions for a server span
 * (`http.request.method`, `url.path`, `url.scheme`, `http.response.status_code`, `http.route`,
 * `server.address`, `network.protocol.version`, `error.type` on 5xx); the status is ERROR for a
 * 5xx or a cut response. The queue is bounded: while it is full a span is not even built, and
 * counted dropped, so a collector that is slow or down costs requests nothing.
 */
export class SpanExport {
  readonly #provider: BasicTracerProvider;
  readonly #tracer: Tracer;
  readonly #ids = new GivenIds();
  readonly #maxQueue: number;
  #queued = 0;
  #exported = 0;
  #queueFull = 0;
  #failed = 0;

  /**
   * @param config an endpoint is required
   * @param resource the process's resource attributes (`service.name`, `service.instance.id` …)
   */
  constructor(config: TraceExportConfig, resource: Readonly<Record<string, string>>) {
    this.#maxQueue = config.maxQueueSpans;
    const exporter = new OTLPTraceExporter({
      url: config.endpoint,
      headers: { ...config.headers },
      timeoutMillis: config.timeoutMs,
    });
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes(resource),
      sampler: new AlwaysOnSampler(),
      idGenerator: this.#ids,
      spanProcessors: [
        new BatchSpanProcessor(new CountingExporter(exporter, this), {
          maxQueueSize: config.maxQueueSpans,
          maxExportBatchSize: Math.min(config.maxBatchSpans, config.maxQueueSpans),
          scheduledDelayMillis: config.scheduledDelayMs,
          exportTimeoutMillis: config.timeoutMs,
        }),
      ],
    });
    this.#tracer = this.#provider.getTracer("palisade-dp");
  }

  /** Records the server span of one sampled request (dropped and counted while the queue is full). */
  span(f: SpanFacts): void {
    if (this.#queued >= this.#maxQueue) {
      this.#queueFull++;
      return;
    }
    this.#queued++;
    let ctx: Context = ROOT_CONTEXT;
    if (f.parentSpanId !== null)
      ctx = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: f.traceId,
        spanId: f.parentSpanId,
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
        ...(f.traceState !== null ? { traceState: createTraceState(f.traceState) } : {}),
      });
    const ids = this.#ids;
    ids.traceId = f.traceId;
    ids.spanId = f.spanId;
    const attributes: Record<string, string | number> = {
      "http.request.method": f.method,
      "url.path": f.path,
      "url.scheme": f.scheme,
      "network.protocol.version": f.protocolVersion,
    };
    if (f.status !== 0) attributes["http.response.status_code"] = f.status;
    if (f.route !== "") attributes["http.route"] = f.route;
    if (f.serverAddress !== "") attributes["server.address"] = f.serverAddress;
    if (f.upstreamId !== "") attributes["palisade.upstream.id"] = f.upstreamId;
    const failed = f.status >= 500 || f.status === 0;
    if (failed) attributes["error.type"] = f.errorCode ?? (f.status === 0 ? "response_cut" : String(f.status));
    const span: Span = this.#tracer.startSpan(
      f.route === "" ? f.method : `${f.method} ${f.route}`,
      { kind: SpanKind.SERVER, startTime: f.startMs, attributes },
      ctx,
    );
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(f.endMs);
  }

  /** A batch left the queue for an export request. */
  dequeued(n: number): void {
    this.#queued -= n;
  }

  /** An export request ended: its spans were accepted, or are lost. */
  exportDone(n: number, ok: boolean): void {
    if (ok) this.#exported += n;
    else this.#failed += n;
  }

  /** The counts since this exporter started. */
  counts(): SpanCounts {
    return { exported: this.#exported, queueFull: this.#queueFull, failed: this.#failed };
  }

  /** Sends what is queued (bounded by the export timeout) and stops. */
  async shutdown(): Promise<void> {
    await this.#provider.shutdown().catch(() => {});
  }
}
