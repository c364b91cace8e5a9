import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { checkTelemetrySettings, SINK_CONFIG_ERRORS, SinkConfigError } from "@palisade/events";
import {
  type SiemSinkSchema,
  SyslogFraming,
  SyslogProtocol,
  type TelemetrySettings,
  TelemetrySettingsSchema,
  type TraceExportSchema,
  WebhookFormat,
} from "@palisade/proto";
import { DomainError } from "../errors.js";
import { REDACTED } from "./redact.js";

/**
 * The fleet-wide telemetry config of the admin API (`GET/PUT /v1/telemetry`): SIEM sinks,
 * per-node overrides by sink name, secret names for the redactor, and trace sampling and OTLP
 * span export with per-node overrides by selector, stored as one draft
 * resource (kind `telemetry`, id `global`) and published as `Snapshot.telemetry`
 * (proto/palisade/config/v1/telemetry.proto). Body fields are the proto's, snake_case; a
 * sink's transport is exactly one of `syslog`, `file`, `webhook`.
 */
export interface DraftTelemetry {
  siem_sinks?: SinkJson[];
  siem_overrides?: OverrideJson[];
  secret_headers?: string[];
  secret_fields?: string[];
  trace_export?: TraceExportJson;
  trace_export_overrides?: TraceOverrideJson[];
}

interface TraceExportJson {
  endpoint?: string;
  sample_ratio?: number;
  headers?: Record<string, string>;
  timeout_ms?: number;
  max_queue_spans?: number;
  max_batch_spans?: number;
  scheduled_delay_ms?: number;
  disabled?: boolean;
}
interface SelectorJson {
  regions?: string[];
  labels?: Record<string, string>;
  node_ids?: string[];
}
interface TraceOverrideJson {
  selector: SelectorJson;
  trace_export: TraceExportJson;
}

interface TlsJson {
  ca_pem?: string;
  cert_pem?: string;
  key_pem?: string;
  server_name?: string;
}
interface SinkJson {
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
    tls?: TlsJson;
    connect_timeout_ms?: number;
  };
  file?: { path: string; rotate_bytes?: number; max_files?: number };
  webhook?: {
    url: string;
    format?: "ndjson" | "json";
    headers?: Record<string, string>;
    request_timeout_ms?: number;
    batch_max_bytes?: number;
    tls?: TlsJson;
  };
  batch_max_events?: number;
  retry?: { initial_ms?: number; max_ms?: number };
  spool?: { max_events?: number; max_bytes?: number; fsync_interval_ms?: number };
}
interface OverrideJson {
  sink_name: string;
  selector: SelectorJson;
  sink?: SinkJson;
  disabled?: boolean;
}

const uint = { type: "integer", minimum: 0, maximum: 2 ** 53 - 1 } as const;
const text = (max: number) => ({ type: "string", maxLength: max }) as const;
const tlsSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    ca_pem: text(262_144),
    cert_pem: text(262_144),
    key_pem: {
      ...text(262_144),
      description: "secret: answers show [redacted]; send [redacted] to keep the stored key",
    },
    server_name: text(255),
  },
} as const;

const sinkSchema = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name: { type: "string", description: "1-63 of a-z, 0-9 and '-'" },
    disabled: { type: "boolean" },
    syslog: {
      type: "object",
      additionalProperties: false,
      required: ["address", "protocol"],
      properties: {
        address: { ...text(300), description: "host:port or [v6]:port" },
        protocol: { enum: ["udp", "tcp", "tls"], description: "RFC 5426, RFC 6587, RFC 5425" },
        framing: { enum: ["octet-counting", "lf"] },
        facility: text(16),
        app_name: text(48),
        hostname: text(255),
        max_message_bytes: uint,
        tls: tlsSchema,
        connect_timeout_ms: uint,
      },
    },
    file: {
      type: "object",
      additionalProperties: false,
      required: ["path"],
      properties: { path: text(4096), rotate_bytes: uint, max_files: uint },
    },
    webhook: {
      type: "object",
      additionalProperties: false,
      required: ["url"],
      properties: {
        url: text(2048),
        format: { enum: ["ndjson", "json"] },
        headers: {
          type: "object",
          additionalProperties: { type: "string", maxLength: 8192 },
          maxProperties: 32,
          description: "secret values: answers show [redacted]; send [redacted] to keep a stored value",
        },
        request_timeout_ms: uint,
        batch_max_bytes: uint,
        tls: tlsSchema,
      },
    },
    batch_max_events: uint,
    retry: { type: "object", additionalProperties: false, properties: { initial_ms: uint, max_ms: uint } },
    spool: {
      type: "object",
      additionalProperties: false,
      properties: { max_events: uint, max_bytes: uint, fsync_interval_ms: uint },
    },
  },
} as const;

const names = { type: "array", maxItems: 64, items: { type: "string", maxLength: 128 } } as const;

const selectorSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    regions: names,
    labels: { type: "object", additionalProperties: { type: "string", maxLength: 256 }, maxProperties: 16 },
    node_ids: names,
  },
} as const;

const traceExportSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    endpoint: { ...text(2048), description: "OTLP/HTTP traces URL, e.g. http://otel-collector:4318/v1/traces" },
    sample_ratio: { type: "number", minimum: 0, maximum: 1 },
    headers: {
      type: "object",
      additionalProperties: { type: "string", maxLength: 8192 },
      maxProperties: 32,
      description: "secret values: answers show [redacted]; send [redacted] to keep a stored value",
    },
    timeout_ms: uint,
    max_queue_spans: uint,
    max_batch_spans: uint,
    scheduled_delay_ms: uint,
    disabled: { type: "boolean" },
  },
} as const;

/** JSON Schema of the `PUT /v1/telemetry` body (also the answer's shape). */
export const telemetrySchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    siem_sinks: { type: "array", maxItems: 16, items: sinkSchema },
    siem_overrides: {
      type: "array",
      maxItems: 64,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["sink_name", "selector"],
        properties: {
          sink_name: { type: "string", maxLength: 63 },
          selector: selectorSchema,
          sink: sinkSchema,
          disabled: { type: "boolean" },
        },
      },
    },
    secret_headers: names,
    secret_fields: names,
    trace_export: traceExportSchema,
    trace_export_overrides: {
      type: "array",
      maxItems: 64,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["selector", "trace_export"],
        properties: { selector: selectorSchema, trace_export: traceExportSchema },
      },
    },
  },
} as const;

const PROTOCOL = { udp: SyslogProtocol.UDP, tcp: SyslogProtocol.TCP, tls: SyslogProtocol.TLS } as const;
const FRAMING = { "octet-counting": SyslogFraming.OCTET_COUNTING, lf: SyslogFraming.LF } as const;
const FORMAT = { ndjson: WebhookFormat.NDJSON, json: WebhookFormat.JSON } as const;

function tlsInit(t: TlsJson | undefined) {
  return t
    ? { caPem: t.ca_pem ?? "", certPem: t.cert_pem ?? "", keyPem: t.key_pem ?? "", serverName: t.server_name ?? "" }
    : undefined;
}

/** The proto init of one sink (field for field; absent = zero value = the default). */
function sinkInit(s: SinkJson, field: string): MessageInitShape<typeof SiemSinkSchema> {
  const transports = (["syslog", "file", "webhook"] as const).filter((k) => s[k] !== undefined);
  if (transports.length !== 1)
    throw new DomainError("VALIDATION_FAILED", "a sink has exactly one of syslog, file and webhook", field);
  let transport: MessageInitShape<typeof SiemSinkSchema>["transport"];
  if (s.syslog) {
    const v = s.syslog;
    transport = {
      case: "syslog",
      value: {
        address: v.address,
        protocol: PROTOCOL[v.protocol],
        framing: v.framing ? FRAMING[v.framing] : SyslogFraming.UNSPECIFIED,
        facility: v.facility ?? "",
        appName: v.app_name ?? "",
        hostname: v.hostname ?? "",
        maxMessageBytes: v.max_message_bytes ?? 0,
        tls: tlsInit(v.tls),
        connectTimeoutMs: v.connect_timeout_ms ?? 0,
      },
    };
  } else if (s.file) {
    const v = s.file;
    transport = {
      case: "file",
      value: { path: v.path, rotateBytes: BigInt(v.rotate_bytes ?? 0), maxFiles: v.max_files ?? 0 },
    };
  } else {
    const v = s.webhook!;
    transport = {
      case: "webhook",
      value: {
        url: v.url,
        format: v.format ? FORMAT[v.format] : WebhookFormat.UNSPECIFIED,
        headers: { ...(v.headers ?? {}) },
        requestTimeoutMs: v.request_timeout_ms ?? 0,
        batchMaxBytes: v.batch_max_bytes ?? 0,
        tls: tlsInit(v.tls),
      },
    };
  }
  return {
    name: s.name,
    disabled: s.disabled ?? false,
    transport,
    batchMaxEvents: s.batch_max_events ?? 0,
    retry: s.retry ? { initialMs: s.retry.initial_ms ?? 0, maxMs: s.retry.max_ms ?? 0 } : undefined,
    spool: s.spool
      ? {
          maxEvents: BigInt(s.spool.max_events ?? 0),
          maxBytes: BigInt(s.spool.max_bytes ?? 0),
          ...(s.spool.fsync_interval_ms !== undefined ? { fsyncIntervalMs: s.spool.fsync_interval_ms } : {}),
        }
      : undefined,
  };
}

function selectorInit(s: SelectorJson) {
  return { regions: [...(s.regions ?? [])], labels: { ...(s.labels ?? {}) }, nodeIds: [...(s.node_ids ?? [])] };
}

/** The proto init of trace settings (absent = zero value = the default; an absent ratio stays unset). */
function traceExportInit(t: TraceExportJson): MessageInitShape<typeof TraceExportSchema> {
  return {
    endpoint: t.endpoint ?? "",
    ...(t.sample_ratio !== undefined ? { sampleRatio: t.sample_ratio } : {}),
    headers: { ...(t.headers ?? {}) },
    timeoutMs: t.timeout_ms ?? 0,
    maxQueueSpans: t.max_queue_spans ?? 0,
    maxBatchSpans: t.max_batch_spans ?? 0,
    scheduledDelayMs: t.scheduled_delay_ms ?? 0,
    disabled: t.disabled ?? false,
  };
}

/**
 * The snapshot resource of the draft telemetry config, `undefined` for the default (nothing
 * set): a config without telemetry keeps the content hash it had before the kind existed.
 * @param prefix the field path errors name before the body's own (`telemetry` at publish)
 * @throws DomainError VALIDATION_FAILED naming the field, with the sink check's code in the message
 *   (`SINK_ADDRESS_INVALID: …`, events/README.md "SIEM sink config")
 */
export function telemetryResource(draft: DraftTelemetry, prefix = ""): TelemetrySettings | undefined {
  const at = (f: string) => (prefix ? `${prefix}.${f}` : f);
  const sinks = draft.siem_sinks ?? [];
  const overrides = draft.siem_overrides ?? [];
  const headers = draft.secret_headers ?? [];
  const fields = draft.secret_fields ?? [];
  const traceOverrides = draft.trace_export_overrides ?? [];
  // `{}` (what GET answers when nothing is set) is no trace setting: the content hash stays.
  const traceExport =
    draft.trace_export !== undefined && Object.keys(draft.trace_export).length > 0 ? draft.trace_export : undefined;
  if (
    sinks.length + overrides.length + headers.length + fields.length + traceOverrides.length === 0 &&
    traceExport === undefined
  )
    return undefined;
  const message = create(TelemetrySettingsSchema, {
    id: "global",
    siemSinks: sinks.map((s, i) => sinkInit(s, at(`siem_sinks.${i}`))),
    siemOverrides: overrides.map((o, i) => ({
      sinkName: o.sink_name,
      selector: selectorInit(o.selector),
      sink: o.sink ? sinkInit(o.sink, at(`siem_overrides.${i}.sink`)) : undefined,
      disabled: o.disabled ?? false,
    })),
    secretHeaders: [...headers],
    secretFields: [...fields],
    traceExport: traceExport ? traceExportInit(traceExport) : undefined,
    traceExportOverrides: traceOverrides.map((o) => ({
      selector: selectorInit(o.selector),
      traceExport: traceExportInit(o.trace_export),
    })),
  });
  try {
    checkTelemetrySettings(message);
  } catch (err) {
    if (err instanceof SinkConfigError)
      throw new DomainError("VALIDATION_FAILED", `${err.code}: ${SINK_CONFIG_ERRORS[err.code]}`, at(err.field));
    throw err;
  }
  return message;
}

/** Visits every secret of a draft: TLS keys, webhook and trace export header values, by a stable path. */
function secrets(
  d: DraftTelemetry,
  fn: (path: string, get: () => string | undefined, set: (v: string) => void) => void,
): void {
  const sink = (s: SinkJson | undefined, at: string) => {
    if (!s) return;
    for (const t of [s.syslog?.tls, s.webhook?.tls])
      if (t?.key_pem !== undefined)
        fn(
          `${at}/${s.name}/tls`,
          () => t.key_pem,
          (v) => {
            t.key_pem = v;
          },
        );
    const h = s.webhook?.headers;
    if (h)
      for (const k of Object.keys(h))
        fn(
          `${at}/${s.name}/header/${k.toLowerCase()}`,
          () => h[k],
          (v) => {
            h[k] = v;
          },
        );
  };
  for (const s of d.siem_sinks ?? []) sink(s, "fleet");
  for (const o of d.siem_overrides ?? []) sink(o.sink, `override/${o.sink_name}/${JSON.stringify(o.selector)}`);
  const traceHeaders = (t: TraceExportJson | undefined, at: string) => {
    const h = t?.headers;
    if (h)
      for (const k of Object.keys(h))
        fn(
          `${at}/header/${k.toLowerCase()}`,
          () => h[k],
          (v) => {
            h[k] = v;
          },
        );
  };
  traceHeaders(d.trace_export, "trace/fleet");
  for (const o of d.trace_export_overrides ?? []) traceHeaders(o.trace_export, `trace/${JSON.stringify(o.selector)}`);
}

/** A copy of the draft for answers: TLS keys, webhook and trace export header values are `[redacted]`. */
export function presentTelemetry(d: DraftTelemetry): Required<DraftTelemetry> {
  const copy = structuredClone(d);
  secrets(copy, (_p, get, set) => {
    if (get()) set(REDACTED);
  });
  return {
    siem_sinks: copy.siem_sinks ?? [],
    siem_overrides: copy.siem_overrides ?? [],
    secret_headers: copy.secret_headers ?? [],
    secret_fields: copy.secret_fields ?? [],
    trace_export: copy.trace_export ?? {},
    trace_export_overrides: copy.trace_export_overrides ?? [],
  };
}

/**
 * Puts the stored secrets back where a `PUT` body sends `[redacted]` (what `GET` showed), by
 * sink name and header or key: a form can be saved without typing every secret again.
 * @throws DomainError VALIDATION_FAILED when `[redacted]` stands where nothing is stored
 */
export function keepRedactedSecrets(body: DraftTelemetry, stored: DraftTelemetry): DraftTelemetry {
  const old = new Map<string, string>();
  secrets(stored, (p, get) => {
    const v = get();
    if (v) old.set(p, v);
  });
  secrets(body, (p, get, set) => {
    if (get() !== REDACTED) return;
    const v = old.get(p);
    if (v === undefined)
      throw new DomainError(
        "VALIDATION_FAILED",
        `a secret is ${REDACTED} but none is stored for it (${p.split("/").slice(-2).join(" ")})`,
        p.startsWith("trace/") ? "trace_export" : "siem_sinks",
      );
    set(v);
  });
  return body;
}
