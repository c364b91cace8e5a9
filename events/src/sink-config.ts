/**
 * SIEM sink config: the shape the control plane pushes with the config (and a node may
 * override), written as protobuf-es would generate it from the proposed messages (README,
 * "Proposed proto"): a `oneof transport` is `{ case, value }`, durations are `…Ms` numbers,
 * sizes are bytes. {@link resolveSinkConfigs} checks a list and fills every default; the
 * control plane runs it at publish, the data plane before it starts sinks.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { SinkConfigError } from "./errors.js";
import { type FacilityName, isFacilityName } from "./severity.js";

/** TLS material of a sink, PEM text. */
export interface SinkTlsConfig {
  /** CA certificates that sign the receiver's certificate; default the system store. */
  readonly caPem?: string;
  /** Client certificate (chain) and key, for receivers that require one. */
  readonly certPem?: string;
  readonly keyPem?: string;
  /** Name the receiver's certificate must carry; default the address's host. */
  readonly serverName?: string;
}

/** RFC 5424 syslog over UDP (RFC 5426), TCP (RFC 6587) or TLS (RFC 5425). */
export interface SyslogSinkConfig {
  /** `host:port` or `[v6]:port`. */
  readonly address: string;
  readonly protocol: "udp" | "tcp" | "tls";
  /**
   * Stream framing: `octet-counting` (RFC 6587 §3.4.1, required by RFC 5425 §4.3; rsyslog,
   * syslog-ng) or `lf` (RFC 6587 §3.4.2 non-transparent framing: what Wazuh's remoted reads).
   * Default `octet-counting`.
   */
  readonly framing?: "octet-counting" | "lf";
  readonly facility?: FacilityName;
  /** APP-NAME, default `palisade`. */
  readonly appName?: string;
  /** HOSTNAME, default the node id. */
  readonly hostname?: string;
  /** Largest message, bytes: default 2,048 over UDP (RFC 5426 §3.2), 8,192 over TCP/TLS. */
  readonly maxMessageBytes?: number;
  readonly tls?: SinkTlsConfig;
  /** Connection (and TLS handshake) timeout, ms. Default 5,000. */
  readonly connectTimeoutMs?: number;
}

/** An NDJSON file of ECS documents, rotated by size. */
export interface FileSinkConfig {
  /** Absolute path of the live file; rotated files get a numeric suffix. */
  readonly path: string;
  /** Rotate when the file reaches this size, bytes. Default 100 MiB. */
  readonly rotateBytes?: number;
  /** Rotated files kept. Default 10. */
  readonly maxFiles?: number;
}

/** An HTTP(S) endpoint that receives batches of ECS documents by POST. */
export interface WebhookSinkConfig {
  readonly url: string;
  /** `ndjson` (one document a line, `application/x-ndjson`) or `json` (an array). Default `ndjson`. */
  readonly format?: "ndjson" | "json";
  /** Extra request headers, e.g. an `Authorization` for the receiver (secret: never logged). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Whole-request timeout, ms. Default 10,000. */
  readonly requestTimeoutMs?: number;
  /** Largest request body, bytes. Default 1 MiB. */
  readonly batchMaxBytes?: number;
  readonly tls?: SinkTlsConfig;
}

/** Retry delays after a failure: full-jitter exponential backoff, ms. */
export interface SinkRetryConfig {
  /** Default 500. */
  readonly initialMs?: number;
  /** Default 30,000. */
  readonly maxMs?: number;
}

/** The sink's on-disk spool. */
export interface SinkSpoolConfig {
  /** Events kept while the sink is down; beyond, the oldest are dropped (counted). Default 100,000. */
  readonly maxEvents?: number;
  /** Bytes kept, the same way. Default 1 GiB. */
  readonly maxBytes?: number;
  /** fdatasync of the spool at most this often, ms; 0 = after every write. Default 1,000. */
  readonly fsyncIntervalMs?: number;
}

/** One SIEM sink. */
export interface SiemSinkConfig {
  /** 1–63 of `a-z0-9-`; also the name of its spool folder and of its metrics. */
  readonly name: string;
  /** Default true. */
  readonly enabled?: boolean;
  readonly transport:
    | { readonly case: "syslog"; readonly value: SyslogSinkConfig }
    | { readonly case: "file"; readonly value: FileSinkConfig }
    | { readonly case: "webhook"; readonly value: WebhookSinkConfig };
  /** Events per send (a syslog write, a file write, a webhook request). Default 500. */
  readonly batchMaxEvents?: number;
  readonly retry?: SinkRetryConfig;
  readonly spool?: SinkSpoolConfig;
}

/** A syslog sink config with every default filled and its address split. */
export interface ResolvedSyslog {
  readonly case: "syslog";
  readonly host: string;
  readonly port: number;
  readonly protocol: "udp" | "tcp" | "tls";
  readonly framing: "octet-counting" | "lf";
  readonly facility: FacilityName;
  readonly appName: string;
  /** `null` = the node id. */
  readonly hostname: string | null;
  readonly maxMessageBytes: number;
  readonly tls: SinkTlsConfig | null;
  readonly connectTimeoutMs: number;
}

/** A file sink config with every default filled. */
export interface ResolvedFile {
  readonly case: "file";
  readonly path: string;
  readonly rotateBytes: number;
  readonly maxFiles: number;
}

/** A webhook sink config with every default filled. */
export interface ResolvedWebhook {
  readonly case: "webhook";
  readonly url: string;
  readonly format: "ndjson" | "json";
  readonly headers: Readonly<Record<string, string>>;
  readonly requestTimeoutMs: number;
  readonly batchMaxBytes: number;
  readonly tls: SinkTlsConfig | null;
}

/** A checked sink config, every default filled. */
export interface ResolvedSinkConfig {
  readonly name: string;
  readonly enabled: boolean;
  readonly transport: ResolvedSyslog | ResolvedFile | ResolvedWebhook;
  readonly batchMaxEvents: number;
  readonly retry: { readonly initialMs: number; readonly maxMs: number };
  readonly spool: { readonly maxEvents: number; readonly maxBytes: number; readonly fsyncIntervalMs: number };
}

/** Defaults, in one place (the README's table repeats them). */
export const SINK_DEFAULTS = {
  batchMaxEvents: 500,
  retryInitialMs: 500,
  retryMaxMs: 30_000,
  spoolMaxEvents: 100_000,
  spoolMaxBytes: 1024 * 1024 * 1024,
  fsyncIntervalMs: 1_000,
  udpMaxMessageBytes: 2_048,
  streamMaxMessageBytes: 8_192,
  connectTimeoutMs: 5_000,
  rotateBytes: 100 * 1024 * 1024,
  maxFiles: 10,
  requestTimeoutMs: 10_000,
  webhookBatchMaxBytes: 1024 * 1024,
} as const;

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the webhook sink sets itself. */
const RESERVED_HEADERS = new Set(["content-type", "content-length", "host", "transfer-encoding", "connection"]);

function int(v: number | undefined, dflt: number, min: number, max: number, field: string): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min || v > max) throw new SinkConfigError("SINK_VALUE_OUT_OF_RANGE", field);
  return v;
}

/**
 * Splits `host:port` / `[v6]:port`.
 * @throws SinkConfigError SINK_ADDRESS_INVALID
 */
export function parseAddress(address: string, field: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[3]) : 0;
  if (!m || port < 1 || port > 65535) throw new SinkConfigError("SINK_ADDRESS_INVALID", field);
  const host = m[1] ?? m[2]!;
  if (m[1] !== undefined && isIP(host) !== 6) throw new SinkConfigError("SINK_ADDRESS_INVALID", field);
  if (m[2] !== undefined && (host.startsWith(".") || host.endsWith(".") || host.includes(".."))) {
    throw new SinkConfigError("SINK_ADDRESS_INVALID", field);
  }
  return { host, port };
}

function printable(v: string | undefined, max: number, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (v.length < 1 || v.length > max || !/^[!-~]+$/.test(v))
    throw new SinkConfigError("SINK_HEADER_FIELD_INVALID", field);
  return v;
}

function tlsConfig(t: SinkTlsConfig | undefined, field: string): SinkTlsConfig | null {
  if (t === undefined) return null;
  try {
    if (t.caPem !== undefined) new X509Certificate(t.caPem);
    if (t.certPem !== undefined) new X509Certificate(t.certPem);
    if (t.keyPem !== undefined) createPrivateKey(t.keyPem);
  } catch {
    throw new SinkConfigError("SINK_TLS_INVALID", field);
  }
  if ((t.keyPem === undefined) !== (t.certPem === undefined)) throw new SinkConfigError("SINK_TLS_INVALID", field);
  if (t.serverName !== undefined) printable(t.serverName, 255, `${field}.serverName`);
  return t;
}

function syslog(s: SyslogSinkConfig, f: string): ResolvedSyslog {
  const { host, port } = parseAddress(s.address, `${f}.address`);
  if (s.protocol !== "udp" && s.protocol !== "tcp" && s.protocol !== "tls") {
    throw new SinkConfigError("SINK_PROTOCOL_INVALID", `${f}.protocol`);
  }
  const framing = s.framing ?? "octet-counting";
  if ((framing !== "octet-counting" && framing !== "lf") || (s.framing !== undefined && s.protocol === "udp")) {
    throw new SinkConfigError("SINK_FRAMING_INVALID", `${f}.framing`);
  }
  const facility = s.facility ?? "local0";
  if (!isFacilityName(facility)) throw new SinkConfigError("SINK_FACILITY_INVALID", `${f}.facility`);
  if (s.tls !== undefined && s.protocol !== "tls") throw new SinkConfigError("SINK_TLS_INVALID", `${f}.tls`);
  const udp = s.protocol === "udp";
  return {
    case: "syslog",
    host,
    port,
    protocol: s.protocol,
    framing,
    facility,
    appName: printable(s.appName, 48, `${f}.appName`) ?? "palisade",
    hostname: printable(s.hostname, 255, `${f}.hostname`) ?? null,
    maxMessageBytes: int(
      s.maxMessageBytes,
      udp ? SINK_DEFAULTS.udpMaxMessageBytes : SINK_DEFAULTS.streamMaxMessageBytes,
      480, // RFC 5426 §3.2: every IPv4 receiver takes 480 octets
      udp ? 65_000 : 1024 * 1024,
      `${f}.maxMessageBytes`,
    ),
    tls: tlsConfig(s.tls, `${f}.tls`),
    connectTimeoutMs: int(s.connectTimeoutMs, SINK_DEFAULTS.connectTimeoutMs, 100, 120_000, `${f}.connectTimeoutMs`),
  };
}

function file(s: FileSinkConfig, f: string): ResolvedFile {
  if (typeof s.path !== "string" || !s.path.startsWith("/") || s.path.includes("\0")) {
    throw new SinkConfigError("SINK_PATH_INVALID", `${f}.path`);
  }
  return {
    case: "file",
    path: s.path,
    rotateBytes: int(s.rotateBytes, SINK_DEFAULTS.rotateBytes, 4096, 2 ** 40, `${f}.rotateBytes`),
    maxFiles: int(s.maxFiles, SINK_DEFAULTS.maxFiles, 1, 10_000, `${f}.maxFiles`),
  };
}

/**
 * An absolute http or https URL without credentials (a webhook's, an OTLP endpoint's).
 * @throws SinkConfigError SINK_URL_INVALID naming `field`
 */
export function checkHttpUrl(value: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SinkConfigError("SINK_URL_INVALID", field);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username !== "" || url.password !== "") {
    throw new SinkConfigError("SINK_URL_INVALID", field);
  }
  return url;
}

/**
 * Extra headers of an HTTP client (a webhook's, an OTLP exporter's): RFC 9110 §5.1 field-name =
 * token, §5.5 field values without CR, LF or NUL, none the client sets itself (Content-Type,
 * Content-Length, Host, Transfer-Encoding, Connection).
 * @throws SinkConfigError SINK_HEADER_INVALID naming `field.<name>` (`?` for a name that is no token)
 */
export function checkHeaders(headers: Readonly<Record<string, string>>, field: string): void {
  for (const [k, v] of Object.entries(headers)) {
    if (!TOKEN.test(k) || RESERVED_HEADERS.has(k.toLowerCase()) || typeof v !== "string" || /[\r\n\0]/.test(v)) {
      throw new SinkConfigError("SINK_HEADER_INVALID", `${field}.${TOKEN.test(k) ? k : "?"}`);
    }
  }
}

function webhook(s: WebhookSinkConfig, f: string): ResolvedWebhook {
  const url = checkHttpUrl(s.url, `${f}.url`);
  const format = s.format ?? "ndjson";
  if (format !== "ndjson" && format !== "json") throw new SinkConfigError("SINK_FORMAT_INVALID", `${f}.format`);
  const headers = s.headers ?? {};
  checkHeaders(headers, `${f}.headers`);
  if (s.tls !== undefined && url.protocol !== "https:") throw new SinkConfigError("SINK_TLS_INVALID", `${f}.tls`);
  return {
    case: "webhook",
    url: url.toString(),
    format,
    headers,
    requestTimeoutMs: int(s.requestTimeoutMs, SINK_DEFAULTS.requestTimeoutMs, 100, 600_000, `${f}.requestTimeoutMs`),
    batchMaxBytes: int(
      s.batchMaxBytes,
      SINK_DEFAULTS.webhookBatchMaxBytes,
      1024,
      256 * 1024 * 1024,
      `${f}.batchMaxBytes`,
    ),
    tls: tlsConfig(s.tls, `${f}.tls`),
  };
}

/**
 * Checks a node's sink list and fills every default.
 * @param sinks the configured sinks
 * @param field the path to name in errors, default `sinks`
 * @throws SinkConfigError with the code and the field at fault (never the value)
 */
export function resolveSinkConfigs(sinks: readonly SiemSinkConfig[], field = "sinks"): ResolvedSinkConfig[] {
  const seen = new Set<string>();
  return sinks.map((s, i) => {
    const f = `${field}[${i}]`;
    if (typeof s.name !== "string" || !NAME.test(s.name)) throw new SinkConfigError("SINK_NAME_INVALID", `${f}.name`);
    if (seen.has(s.name)) throw new SinkConfigError("SINK_NAME_DUPLICATE", `${f}.name`);
    seen.add(s.name);
    const tf = `${f}.transport.value`;
    const t = s.transport;
    let transport: ResolvedSinkConfig["transport"];
    if (t?.case === "syslog") transport = syslog(t.value, tf);
    else if (t?.case === "file") transport = file(t.value, tf);
    else if (t?.case === "webhook") transport = webhook(t.value, tf);
    else throw new SinkConfigError("SINK_KIND_INVALID", `${f}.transport`);
    const initialMs = int(s.retry?.initialMs, SINK_DEFAULTS.retryInitialMs, 10, 600_000, `${f}.retry.initialMs`);
    const maxMs = int(s.retry?.maxMs, SINK_DEFAULTS.retryMaxMs, initialMs, 3_600_000, `${f}.retry.maxMs`);
    return {
      name: s.name,
      enabled: s.enabled ?? true,
      transport,
      batchMaxEvents: int(s.batchMaxEvents, SINK_DEFAULTS.batchMaxEvents, 1, 100_000, `${f}.batchMaxEvents`),
      retry: { initialMs, maxMs },
      spool: {
        maxEvents: int(s.spool?.maxEvents, SINK_DEFAULTS.spoolMaxEvents, 1, 1_000_000_000, `${f}.spool.maxEvents`),
        maxBytes: int(s.spool?.maxBytes, SINK_DEFAULTS.spoolMaxBytes, 64 * 1024, 2 ** 45, `${f}.spool.maxBytes`),
        fsyncIntervalMs: int(
          s.spool?.fsyncIntervalMs,
          SINK_DEFAULTS.fsyncIntervalMs,
          0,
          60_000,
          `${f}.spool.fsyncIntervalMs`,
        ),
      },
    };
  });
}
