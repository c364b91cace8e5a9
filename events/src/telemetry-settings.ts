/**
 * The fleet-wide telemetry config as it travels in a snapshot (`palisade.config.v1.TelemetrySettings`,
 * one resource, id `global`) and what a node makes of it: its SIEM sinks after the per-node
 * overrides and its node-local sinks, and the redactor's extra secret names. The control plane
 * checks the same resource at publish with {@link checkTelemetrySettings}, so a config it
 * publishes is one every node can start, and its errors name the field as the admin API and the
 * proto do (`siem_sinks.0.syslog.address`, `siem_overrides.1.selector`).
 */
import {
  type SiemSink,
  type SinkTls,
  SyslogFraming,
  SyslogProtocol,
  type TelemetrySettings,
  WebhookFormat,
} from "@palisade/proto";
import { SinkConfigError } from "./errors.js";
import type { RedactionOptions } from "./redact.js";
import { type NodeFacts, selectorEmpty, selectorMatches } from "./selector.js";
import type { FacilityName } from "./severity.js";
import {
  resolveSinkConfigs,
  type SiemSinkConfig,
  type SinkTlsConfig,
  type SyslogSinkConfig,
  type WebhookSinkConfig,
} from "./sink-config.js";
import { checkTraceSettings } from "./trace-export.js";

/** `""` and `0` are a proto field's "unset": the default applies. */
function opt<T extends string | number>(v: T): T | undefined {
  return v === "" || v === 0 ? undefined : v;
}

function num(v: number | bigint): number | undefined {
  const n = Number(v);
  return n === 0 ? undefined : n;
}

function tlsOf(t: SinkTls | undefined): SinkTlsConfig | undefined {
  if (!t) return undefined;
  const out: { caPem?: string; certPem?: string; keyPem?: string; serverName?: string } = {};
  if (t.caPem) out.caPem = t.caPem;
  if (t.certPem) out.certPem = t.certPem;
  if (t.keyPem) out.keyPem = t.keyPem;
  if (t.serverName) out.serverName = t.serverName;
  return out;
}

const PROTOCOLS: Record<number, SyslogSinkConfig["protocol"]> = {
  [SyslogProtocol.UDP]: "udp",
  [SyslogProtocol.TCP]: "tcp",
  [SyslogProtocol.TLS]: "tls",
};
const FRAMINGS: Record<number, NonNullable<SyslogSinkConfig["framing"]>> = {
  [SyslogFraming.OCTET_COUNTING]: "octet-counting",
  [SyslogFraming.LF]: "lf",
};
const FORMATS: Record<number, NonNullable<WebhookSinkConfig["format"]>> = {
  [WebhookFormat.NDJSON]: "ndjson",
  [WebhookFormat.JSON]: "json",
};

/** Drops the keys whose value is `undefined` (the configs are `exactOptionalPropertyTypes`-clean). */
function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * The {@link SiemSinkConfig} of a proto `SiemSink`, field for field: zero values become unset
 * (the default applies), `disabled` becomes `enabled: false`, enums become their names. An
 * unspecified protocol, framing or format that is required stays out, so
 * {@link resolveSinkConfigs} refuses it by name.
 */
export function sinkConfigFromProto(s: SiemSink): SiemSinkConfig {
  const t = s.transport;
  let transport: SiemSinkConfig["transport"];
  if (t.case === "syslog") {
    const v = t.value;
    transport = {
      case: "syslog",
      value: defined({
        address: v.address,
        protocol: PROTOCOLS[v.protocol] as SyslogSinkConfig["protocol"],
        framing: FRAMINGS[v.framing],
        facility: opt(v.facility) as FacilityName | undefined,
        appName: opt(v.appName),
        hostname: opt(v.hostname),
        maxMessageBytes: opt(v.maxMessageBytes),
        tls: tlsOf(v.tls),
        connectTimeoutMs: opt(v.connectTimeoutMs),
      }),
    };
  } else if (t.case === "file") {
    transport = {
      case: "file",
      value: defined({ path: t.value.path, rotateBytes: num(t.value.rotateBytes), maxFiles: opt(t.value.maxFiles) }),
    };
  } else if (t.case === "webhook") {
    const v = t.value;
    transport = {
      case: "webhook",
      value: defined({
        url: v.url,
        format: v.format === WebhookFormat.UNSPECIFIED ? undefined : (FORMATS[v.format] ?? ("?" as "json")),
        headers: Object.keys(v.headers).length > 0 ? { ...v.headers } : undefined,
        requestTimeoutMs: opt(v.requestTimeoutMs),
        batchMaxBytes: opt(v.batchMaxBytes),
        tls: tlsOf(v.tls),
      }),
    };
  } else {
    // No transport: resolveSinkConfigs answers SINK_KIND_INVALID.
    transport = undefined as unknown as SiemSinkConfig["transport"];
  }
  return defined({
    name: s.name,
    enabled: s.disabled ? false : undefined,
    transport,
    batchMaxEvents: opt(s.batchMaxEvents),
    retry: s.retry ? defined({ initialMs: opt(s.retry.initialMs), maxMs: opt(s.retry.maxMs) }) : undefined,
    spool: s.spool
      ? defined({
          maxEvents: num(s.spool.maxEvents),
          maxBytes: num(s.spool.maxBytes),
          fsyncIntervalMs: s.spool.fsyncIntervalMs,
        })
      : undefined,
  });
}

/**
 * The SIEM sinks one node runs, unchecked (pass them to `SiemShipper.start`, which resolves
 * them): the fleet-wide sinks in order; for each sink name the first override whose selector
 * matches the node replaces that sink whole (or adds it after the fleet-wide ones, in override
 * order) or, with `disabled`, removes it; then each of the node's `local` sinks (its
 * `--siem-sinks-file`) replaces the sink of its name or is added. Pure.
 * @param settings the snapshot's `telemetry` resource, `undefined` when it has none
 * @param node the node's id, region and labels
 * @param local the node-local sinks, which win by name
 */
export function sinksForNode(
  settings: TelemetrySettings | undefined,
  node: NodeFacts,
  local: readonly SiemSinkConfig[] = [],
): SiemSinkConfig[] {
  const out = new Map<string, SiemSinkConfig | null>();
  for (const s of settings?.siemSinks ?? []) out.set(s.name, sinkConfigFromProto(s));
  const decided = new Set<string>();
  for (const o of settings?.siemOverrides ?? []) {
    if (decided.has(o.sinkName) || !selectorMatches(o.selector, node)) continue;
    decided.add(o.sinkName);
    if (o.disabled) out.set(o.sinkName, null);
    else if (o.sink) out.set(o.sinkName, sinkConfigFromProto(o.sink));
  }
  for (const s of local) out.set(s.name, s);
  return [...out.values()].filter((s): s is SiemSinkConfig => s !== null);
}

/** The redactor's extra secret names from the snapshot's telemetry resource. */
export function redactionOf(settings: TelemetrySettings | undefined): RedactionOptions {
  return { secretHeaders: [...(settings?.secretHeaders ?? [])], secretFields: [...(settings?.secretFields ?? [])] };
}

const SNAKE = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * `sinks[0].transport.value.address` (resolveSinkConfigs' path) as the proto and admin API name
 * it under `prefix`: `siem_sinks.0.syslog.address`.
 */
function protoField(field: string, prefix: string, sinks: readonly SiemSink[]): string {
  const m = /^sinks\[(\d+)\](.*)$/.exec(field);
  if (!m) return prefix;
  const sink = sinks[Number(m[1])];
  const rest = m[2]!
    .replace(/^\.transport\.value/, `.${sink?.transport.case ?? "transport"}`)
    .replace(/^\.transport$/, "")
    .replace(/^\.enabled/, ".disabled");
  return `${prefix}.${m[1]}${SNAKE(rest)}`;
}

/** RFC 9110 §5.1 token, for header names. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A secret field name: printable ASCII without spaces, at most 128 characters. */
const FIELD_NAME = /^[!-~]{1,128}$/;

/**
 * Checks the snapshot's telemetry resource as every node would take it: the fleet-wide sinks
 * together (names unique), each override's sink on its own, the overrides themselves, the
 * redaction names, and the trace export settings (trace-export.ts). Pure; what a node reads from its own disk (`--siem-sinks-file`) is the node's
 * to check.
 * @throws SinkConfigError whose `field` is the proto/admin API path (`siem_sinks.0.syslog.address`,
 *   `siem_overrides.1.sink_name`, `secret_headers.2`); the message never holds a value
 */
export function checkTelemetrySettings(settings: TelemetrySettings): void {
  const retag = (err: unknown, prefix: string, sinks: readonly SiemSink[]): never => {
    if (err instanceof SinkConfigError) throw new SinkConfigError(err.code, protoField(err.field, prefix, sinks));
    throw err;
  };
  const fleet = settings.siemSinks;
  try {
    resolveSinkConfigs(fleet.map(sinkConfigFromProto));
  } catch (err) {
    retag(err, "siem_sinks", fleet);
  }
  const names = new Set(fleet.map((s) => s.name));
  settings.siemOverrides.forEach((o, i) => {
    const f = `siem_overrides.${i}`;
    if (!names.has(o.sinkName) && (o.disabled || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(o.sinkName)))
      throw new SinkConfigError(o.disabled ? "SINK_OVERRIDE_INVALID" : "SINK_NAME_INVALID", `${f}.sink_name`);
    if (selectorEmpty(o.selector)) throw new SinkConfigError("SINK_SELECTOR_INVALID", `${f}.selector`);
    if (o.disabled === (o.sink !== undefined)) throw new SinkConfigError("SINK_OVERRIDE_INVALID", f);
    if (o.sink) {
      if (o.sink.name !== o.sinkName) throw new SinkConfigError("SINK_OVERRIDE_INVALID", `${f}.sink.name`);
      try {
        resolveSinkConfigs([sinkConfigFromProto(o.sink)]);
      } catch (err) {
        const e = err as SinkConfigError;
        if (!(e instanceof SinkConfigError)) throw err;
        throw new SinkConfigError(e.code, protoField(e.field, "_", [o.sink]).replace(/^_\.0/, `${f}.sink`));
      }
    }
  });
  settings.secretHeaders.forEach((h, i) => {
    if (!TOKEN.test(h) || h.length > 128) throw new SinkConfigError("SECRET_NAME_INVALID", `secret_headers.${i}`);
  });
  settings.secretFields.forEach((h, i) => {
    if (!FIELD_NAME.test(h)) throw new SinkConfigError("SECRET_NAME_INVALID", `secret_fields.${i}`);
  });
  checkTraceSettings(settings);
}
