import { readFileSync } from "node:fs";
import { availableParallelism, hostname } from "node:os";
import { parseArgs } from "node:util";
import { checkHttpUrl, resolveSinkConfigs, type SiemSinkConfig, SinkConfigError } from "@palisade/events";
import { LOG_LEVELS, type LogLevel } from "./log.js";
import { BUNDLED_POLICY_TYPES } from "./policies/registry.js";
import { type ClientAddressHeader, TrustedProxies } from "./request/client-address.js";

/** A listen or dial address. `host` has no brackets (`::` for IPv6 any). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** The node's settings, from flags and PALISADE_* environment variables (a flag wins). */
export interface NodeOptions {
  /**
   * gRPC addresses of the control plane, `host:port` each: replicas on one database, tried in
   * turn when the stream drops (at least one).
   */
  readonly controlPlanes: readonly HostPort[];
  readonly nodeId: string;
  readonly region: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Proxy listener. */
  readonly listen: HostPort;
  /** HTTPS proxy listener (certificates by SNI from config, HTTP/2 and HTTP/1.1); `null` = off. */
  readonly tlsListen: HostPort | null;
  /** Status listener (/healthz, /readyz, /config). */
  readonly statusListen: HostPort;
  /** Policy types this node enforces. */
  readonly policyTypes: ReadonlySet<string>;
  readonly logLevel: LogLevel;
  /** Where the node keeps its last-known-good config and its identity (key, certificate). */
  readonly stateDir: string;
  /** Run from this exported snapshot file, with no control plane at all. */
  readonly configFile: string | undefined;
  /** Single-use join token, presented once when the node has no valid certificate. */
  readonly joinToken: string | undefined;
  /** The fleet CA certificate (PEM file) the sync port is verified with when joining. */
  readonly caCert: string | undefined;
  /** Plain gRPC to the control plane, no identity: the local demo only. */
  readonly syncInsecure: boolean;
  /** Interval between reports (heartbeats) to the control plane, ms. */
  readonly reportIntervalMs: number;
  /** Time a client has to send its request headers, ms (slowloris). */
  readonly clientHeaderTimeoutMs: number;
  /** Time a client has to send its whole request, ms. */
  readonly clientRequestTimeoutMs: number;
  /** Idle time of a client keep-alive connection or HTTP/2 session, ms. */
  readonly clientIdleTimeoutMs: number;
  /** Size of a request's header section, bytes. */
  readonly maxHeaderBytes: number;
  /** Header fields in a request at most. */
  readonly maxHeaders: number;
  /**
   * Request body limit of a route that sets none, in bytes, when the config's settings set none
   * either and no `request-size` policy of the route sets one; 0 = no limit.
   */
  readonly maxBodyBytes: number;
  /** How long SIGTERM waits for in-flight requests before cutting connections, ms. */
  readonly shutdownTimeoutMs: number;
  /** Proxy processes; 1 = a single process (no cluster, no IPC). */
  readonly workers: number;
  /**
   * Young-generation semi-space of each cluster worker, MiB (`--max-semi-space-size`); 0 = node's
   * default (16 MiB on 64-bit). A node flag already in `NODE_OPTIONS`/execArgv wins. With
   * `--workers 1` node has read its flags before Palisade runs: see cluster/heap-flags.ts.
   */
  readonly semiSpaceMib: number;
  /** Proxies in front of the node whose forwarding header names the client; `null` = none (the peer is the client). */
  readonly trustedProxies: TrustedProxies | null;
  /** Access log format (`off`: none, the debug line only). */
  readonly accessLog: "off" | "ecs" | "clf";
  /** Access log file, `null` for stdout. */
  readonly accessLogFile: string | null;
  /** Probability (0–1) that a request answered below 400 is logged (4xx/5xx always are). */
  readonly accessLogSample: number;
  /** Access log file size before rotation, bytes. */
  readonly accessLogRotateBytes: number;
  /** Rotated access log files kept. */
  readonly accessLogMaxFiles: number;
  /**
   * Probability (0–1) that a trace the node starts is sampled (W3C `sampled` flag); `null`: the
   * config's `trace_export.sample_ratio` (0 without one). Set, it wins over the config.
   */
  readonly traceSampleRatio: number | null;
  /**
   * OTLP/HTTP traces URL the node exports sampled spans to; `null`: the config's
   * `trace_export.endpoint` (no export without one). Set, it wins over the config.
   */
  readonly otlpTracesEndpoint: string | null;
  /** Node-local SIEM sinks (`--siem-sinks-file`, checked), which win over the config's by name. */
  readonly siemSinks: readonly SiemSinkConfig[];
}

/** What the command line asks for. */
export type Command =
  | { readonly kind: "run"; readonly options: NodeOptions }
  | { readonly kind: "help" }
  | { readonly kind: "version" };

/** A bad flag or environment value; `flag` is the option's name (`--listen`). */
export class OptionsError extends Error {
  override readonly name = "OptionsError";
  readonly flag: string;

  constructor(flag: string, message: string) {
    super(`${flag}: ${message}`);
    this.flag = flag;
  }
}

interface OptionSpec {
  readonly flag: string;
  readonly env: string;
  /** The default value, or a function for computed defaults. */
  readonly fallback: string | (() => string);
  /** The default as --help shows it. */
  readonly shown: string;
  readonly help: string;
}

const SPECS = [
  {
    flag: "control-plane",
    env: "PALISADE_CONTROL_PLANE",
    fallback: "127.0.0.1:8005",
    shown: "127.0.0.1:8005",
    help: "control plane gRPC address, host:port; replicas: a comma-separated list or the flag repeated (the node moves to the next when its stream drops)",
  },
  {
    flag: "node-id",
    env: "PALISADE_NODE_ID",
    fallback: () => hostname(),
    shown: "the host name",
    help: "this node's id in the fleet",
  },
  { flag: "region", env: "PALISADE_REGION", fallback: "default", shown: "default", help: "this node's region" },
  {
    flag: "labels",
    env: "PALISADE_LABELS",
    fallback: "",
    shown: "(none)",
    help: "node labels, k=v,k2=v2",
  },
  {
    flag: "listen",
    env: "PALISADE_LISTEN",
    fallback: "0.0.0.0:8000",
    shown: "0.0.0.0:8000",
    help: "proxy listener, host:port (port 0 = any free port)",
  },
  {
    flag: "tls-listen",
    env: "PALISADE_TLS_LISTEN",
    fallback: "0.0.0.0:8443",
    shown: "0.0.0.0:8443",
    help: 'HTTPS proxy listener (SNI certificates from config; HTTP/2 and HTTP/1.1), host:port or "off"',
  },
  {
    flag: "status-listen",
    env: "PALISADE_STATUS_LISTEN",
    fallback: "127.0.0.1:8100",
    shown: "127.0.0.1:8100",
    help: "status listener (/healthz /readyz /config), host:port",
  },
  {
    flag: "policies",
    env: "PALISADE_POLICIES",
    fallback: "bundled",
    shown: "bundled",
    help: `policy types enforced: comma list; "bundled" = all built-in (${BUNDLED_POLICY_TYPES.join(", ")}), "-name" removes one`,
  },
  {
    flag: "state-dir",
    env: "PALISADE_STATE_DIR",
    fallback: "./palisade-state",
    shown: "./palisade-state",
    help: "last-known-good config and node identity directory",
  },
  {
    flag: "config-file",
    env: "PALISADE_CONFIG_FILE",
    fallback: "",
    shown: "(none)",
    help: "run from an exported snapshot file (GET /v1/config/versions/{n}/export), no control plane",
  },
  {
    flag: "join-token",
    env: "PALISADE_JOIN_TOKEN",
    fallback: "",
    shown: "(none)",
    help: "single-use join token (POST /v1/nodes/join-tokens), used once to get a client certificate",
  },
  {
    flag: "ca-cert",
    env: "PALISADE_CA_CERT",
    fallback: "",
    shown: "(none)",
    help: "fleet CA certificate PEM file, to verify the control plane when joining",
  },
  {
    flag: "report-interval",
    env: "PALISADE_REPORT_INTERVAL",
    fallback: "5000",
    shown: "5000",
    help: "ms between health reports to the control plane (the heartbeat; 3 missed = stale)",
  },
  {
    flag: "workers",
    env: "PALISADE_WORKERS",
    fallback: () => String(availableParallelism()),
    shown: "the number of CPUs",
    help: "proxy processes sharing the listeners; 1 = a single process",
  },
  {
    flag: "semi-space-mib",
    env: "PALISADE_SEMI_SPACE_MIB",
    fallback: "8",
    shown: "8",
    help: "young generation (V8 semi-space) of each worker, MiB; 0 = node's default (16); --workers 1: NODE_OPTIONS",
  },
  {
    flag: "client-header-timeout-ms",
    env: "PALISADE_CLIENT_HEADER_TIMEOUT_MS",
    fallback: "15000",
    shown: "15000",
    help: "time a client has to send its request headers, ms (slowloris); then 408 and close",
  },
  {
    flag: "client-request-timeout-ms",
    env: "PALISADE_CLIENT_REQUEST_TIMEOUT_MS",
    fallback: "120000",
    shown: "120000",
    help: "time a client has to send its whole request (headers and body), ms",
  },
  {
    flag: "client-idle-timeout-ms",
    env: "PALISADE_CLIENT_IDLE_TIMEOUT_MS",
    fallback: "5000",
    shown: "5000",
    help: "idle time of a client keep-alive connection or HTTP/2 session, ms",
  },
  {
    flag: "max-header-bytes",
    env: "PALISADE_MAX_HEADER_BYTES",
    fallback: "32768",
    shown: "32768",
    help: "size of a request's header section, bytes; more is refused with 431",
  },
  {
    flag: "max-headers",
    env: "PALISADE_MAX_HEADERS",
    fallback: "100",
    shown: "100",
    help: "header fields in a request at most; more is refused with 431",
  },
  {
    flag: "max-body-bytes",
    env: "PALISADE_MAX_BODY_BYTES",
    fallback: "8388608",
    shown: "8388608 (8 MiB)",
    help: "request body limit when neither the route, the config's settings nor a request-size policy sets one, bytes; 0 = none; more is 413",
  },
  {
    flag: "shutdown-timeout-ms",
    env: "PALISADE_SHUTDOWN_TIMEOUT_MS",
    fallback: "10000",
    shown: "10000",
    help: "on SIGTERM, how long in-flight requests may finish before connections are cut, ms",
  },
  {
    flag: "trusted-proxies",
    env: "PALISADE_TRUSTED_PROXIES",
    fallback: "",
    shown: "(none)",
    help: "CIDRs of proxies in front of the node whose forwarding header names the client, comma list",
  },
  {
    flag: "client-address-header",
    env: "PALISADE_CLIENT_ADDRESS_HEADER",
    fallback: "x-forwarded-for",
    shown: "x-forwarded-for",
    help: "header the trusted proxies write the client chain into: x-forwarded-for|forwarded",
  },
  {
    flag: "log-level",
    env: "PALISADE_LOG_LEVEL",
    fallback: "info",
    shown: "info",
    help: LOG_LEVELS.join("|"),
  },
  {
    flag: "access-log",
    env: "PALISADE_ACCESS_LOG",
    fallback: "off",
    shown: "off",
    help: "access log at info level: off|ecs (ECS JSON)|clf (Combined Log Format)",
  },
  {
    flag: "access-log-file",
    env: "PALISADE_ACCESS_LOG_FILE",
    fallback: "",
    shown: "(stdout)",
    help: "write the access log to this file, rotated by size",
  },
  {
    flag: "access-log-sample",
    env: "PALISADE_ACCESS_LOG_SAMPLE",
    fallback: "1",
    shown: "1",
    help: "share (0-1) of requests answered below 400 that are logged; 4xx/5xx always are",
  },
  {
    flag: "access-log-rotate-bytes",
    env: "PALISADE_ACCESS_LOG_ROTATE_BYTES",
    fallback: "104857600",
    shown: "104857600",
    help: "access log file size before rotation (.1 ... .N), bytes",
  },
  {
    flag: "access-log-max-files",
    env: "PALISADE_ACCESS_LOG_MAX_FILES",
    fallback: "10",
    shown: "10",
    help: "rotated access log files kept",
  },
  {
    flag: "trace-sample-ratio",
    env: "PALISADE_TRACE_SAMPLE_RATIO",
    fallback: "",
    shown: "(config's, else 0)",
    help: "share (0-1) of the traces the node starts that are flagged sampled (W3C traceparent); wins over the config's",
  },
  {
    flag: "otlp-traces-endpoint",
    env: "PALISADE_OTLP_TRACES_ENDPOINT",
    fallback: "",
    shown: "(config's, else none)",
    help: "OTLP/HTTP traces URL sampled spans are exported to (e.g. http://collector:4318/v1/traces); wins over the config's",
  },
  {
    flag: "siem-sinks-file",
    env: "PALISADE_SIEM_SINKS_FILE",
    fallback: "",
    shown: "(none)",
    help: "JSON array of node-local SIEM sinks (@palisade/events SiemSinkConfig), winning over the config's by name",
  },
] as const satisfies readonly OptionSpec[];

type FlagName = (typeof SPECS)[number]["flag"];

/** Every flag with its environment variable and default as --help shows it (the README lists the same). */
export function optionSpecs(): ReadonlyArray<{ readonly flag: string; readonly env: string; readonly shown: string }> {
  return SPECS.map((s) => ({ flag: s.flag, env: s.env, shown: s.shown }));
}

/** The --help text: every flag with its environment variable and default. */
export function helpText(): string {
  const lines = ["Usage: palisade-dp [options]", "", "Palisade data plane: the proxy node.", "", "Options:"];
  const rows = SPECS.map((s) => [`--${s.flag} <value>`, s.env, s.shown, s.help] as const);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [flag, env, shown, help] of rows) {
    lines.push(`  ${flag.padEnd(w0)}  ${env.padEnd(w1)}  ${help} (default: ${shown})`);
  }
  lines.push(
    `  ${"--sync-insecure".padEnd(w0)}  ${"PALISADE_SYNC_INSECURE".padEnd(w1)}  plain gRPC to the control plane, no identity: LOCAL DEMO ONLY`,
  );
  lines.push(`  ${"--help".padEnd(w0)}  ${"".padEnd(w1)}  print this help and exit`);
  lines.push(`  ${"--version".padEnd(w0)}  ${"".padEnd(w1)}  print the version and exit`);
  lines.push("", "A flag wins over its environment variable.");
  return `${lines.join("\n")}\n`;
}

/**
 * Parses the command line (node:util parseArgs, strict) and the environment.
 * @param argv arguments after the script (`process.argv.slice(2)`)
 * @param env the environment (`process.env`)
 * @throws OptionsError on an unknown flag, a missing value or a bad value, naming the flag
 */
export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    const options = Object.fromEntries(SPECS.map((s) => [s.flag, { type: "string" as const }]));
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        ...options,
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
        "sync-insecure": { type: "boolean" },
        "control-plane": { type: "string", multiple: true },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw argError(err);
  }
  if (values.help) return { kind: "help" };
  // Repeated --control-plane flags are one list, as a comma-separated value is.
  const cps = values["control-plane"];
  if (Array.isArray(cps)) values["control-plane"] = cps.join(",");
  if (values.version) return { kind: "version" };
  // Each value with the name to blame: the flag, or the flag and its variable when it came from there.
  const get = (flag: FlagName): [name: string, value: string] => {
    const spec = SPECS.find((s) => s.flag === flag)!;
    const fromFlag = values[flag];
    if (typeof fromFlag === "string") return [`--${flag}`, fromFlag];
    const fromEnv = env[spec.env];
    if (fromEnv !== undefined) return [`--${flag} (${spec.env})`, fromEnv];
    return [`--${flag}`, typeof spec.fallback === "function" ? spec.fallback() : spec.fallback];
  };
  const options: NodeOptions = {
    controlPlanes: parseHostPortList(...get("control-plane"), 1),
    nodeId: parseName(...get("node-id")),
    region: parseName(...get("region")),
    labels: parseLabels(...get("labels")),
    listen: parseHostPort(...get("listen"), 0),
    tlsListen: parseOptionalHostPort(...get("tls-listen")),
    statusListen: parseHostPort(...get("status-listen"), 0),
    policyTypes: parsePolicies(...get("policies")),
    logLevel: parseLogLevel(...get("log-level")),
    stateDir: parsePath(...get("state-dir"), true),
    configFile: parsePath(...get("config-file"), false),
    joinToken: parseToken(...get("join-token")),
    caCert: parsePath(...get("ca-cert"), false),
    syncInsecure:
      values["sync-insecure"] === true || env.PALISADE_SYNC_INSECURE === "1" || env.PALISADE_SYNC_INSECURE === "true",
    reportIntervalMs: parseInterval(...get("report-interval")),
    clientHeaderTimeoutMs: parseInteger(...get("client-header-timeout-ms"), 100, 3_600_000),
    clientRequestTimeoutMs: parseInteger(...get("client-request-timeout-ms"), 100, 3_600_000),
    clientIdleTimeoutMs: parseInteger(...get("client-idle-timeout-ms"), 100, 3_600_000),
    maxHeaderBytes: parseInteger(...get("max-header-bytes"), 1_024, 1_048_576),
    maxHeaders: parseInteger(...get("max-headers"), 1, 10_000),
    maxBodyBytes: parseInteger(...get("max-body-bytes"), 0, Number.MAX_SAFE_INTEGER),
    shutdownTimeoutMs: parseInteger(...get("shutdown-timeout-ms"), 0, 3_600_000),
    workers: parseInteger(...get("workers"), 1, 256),
    semiSpaceMib: parseInteger(...get("semi-space-mib"), 0, 1024),
    trustedProxies: parseTrustedProxies(get("trusted-proxies"), get("client-address-header")),
    accessLog: parseChoice(...get("access-log"), ["off", "ecs", "clf"] as const),
    accessLogFile: parsePath(...get("access-log-file"), false) ?? null,
    accessLogSample: parseRatio(...get("access-log-sample")),
    accessLogRotateBytes: parseInteger(...get("access-log-rotate-bytes"), 1_024, 1_000_000_000_000),
    accessLogMaxFiles: parseInteger(...get("access-log-max-files"), 1, 1_000),
    traceSampleRatio: parseOptional(get("trace-sample-ratio"), parseRatio),
    otlpTracesEndpoint: parseOptional(get("otlp-traces-endpoint"), parseHttpUrl),
    siemSinks: parseSinksFile(...get("siem-sinks-file")),
  };
  if (options.clientHeaderTimeoutMs > options.clientRequestTimeoutMs) {
    throw new OptionsError(
      "--client-header-timeout-ms",
      `${options.clientHeaderTimeoutMs} is longer than --client-request-timeout-ms (${options.clientRequestTimeoutMs}); the headers are part of the request`,
    );
  }
  return { kind: "run", options: Object.freeze(options) };
}

function argError(err: unknown): OptionsError {
  const e = err as { code?: string; message?: string };
  const m = /'(-[^']*)'/.exec(e.message ?? "");
  const flag = m?.[1]?.split(" ")[0] ?? "arguments";
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new OptionsError(flag, "unknown option (see --help)");
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return new OptionsError(flag, "missing value");
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL": {
      const arg = /'([^']*)'/.exec(e.message ?? "")?.[1] ?? "";
      return new OptionsError("arguments", `unexpected argument "${arg}" (options only, see --help)`);
    }
    default:
      return new OptionsError(flag, e.message ?? "invalid arguments");
  }
}

/**
 * Parses `host:port` or `[v6]:port`.
 * @param minPort 0 for listeners (0 = any free port), 1 for addresses to dial
 */
export function parseHostPort(flag: string, value: string, minPort: number): HostPort {
  const v = value.trim();
  let host: string;
  let portText: string;
  if (v.startsWith("[")) {
    const end = v.indexOf("]");
    if (end === -1 || v[end + 1] !== ":") throw new OptionsError(flag, `"${value}" is not [ipv6]:port`);
    host = v.slice(1, end);
    portText = v.slice(end + 2);
  } else {
    const colon = v.lastIndexOf(":");
    if (colon === -1 || v.indexOf(":") !== colon) throw new OptionsError(flag, `"${value}" is not host:port`);
    host = v.slice(0, colon);
    portText = v.slice(colon + 1);
  }
  if (host === "" || /[\s/]/.test(host)) throw new OptionsError(flag, `"${value}" has no valid host`);
  if (!/^\d{1,5}$/.test(portText)) throw new OptionsError(flag, `"${portText}" is not a port number`);
  const port = Number(portText);
  if (port < minPort || port > 65535) throw new OptionsError(flag, `port ${port} is out of range (${minPort}-65535)`);
  return Object.freeze({ host, port });
}

/**
 * Parses a comma-separated list of `host:port` (at least one, none twice).
 * @throws OptionsError naming `flag` for an empty list, a bad entry or a repeated one
 */
export function parseHostPortList(flag: string, value: string, minPort: number): readonly HostPort[] {
  const items = value.split(",").map((v) => v.trim());
  if (items.some((v) => v === "")) throw new OptionsError(flag, `"${value}" has an empty address`);
  const out = items.map((v) => parseHostPort(flag, v, minPort));
  const seen = new Set<string>();
  for (const a of out) {
    const key = `${a.host}:${a.port}`;
    if (seen.has(key)) throw new OptionsError(flag, `"${value}" lists ${key} twice`);
    seen.add(key);
  }
  return Object.freeze(out);
}

/** Parses `host:port`, or `off` (any case) for a listener that is not bound. */
export function parseOptionalHostPort(flag: string, value: string): HostPort | null {
  return value.trim().toLowerCase() === "off" ? null : parseHostPort(flag, value, 0);
}

/** Formats a HostPort back to `host:port` (`[v6]:port`). */
export function formatHostPort(hp: HostPort): string {
  return hp.host.includes(":") ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,252}$/;

function parseName(flag: string, value: string): string {
  if (!NAME.test(value)) {
    throw new OptionsError(flag, `"${value}" must be 1-253 of A-Z a-z 0-9 . _ : - starting with a letter or digit`);
  }
  return value;
}

const LABEL_KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9._/:-]{0,63}$/;

/** Parses `k=v,k2=v2` (empty = no labels). Keys and values as Kubernetes labels, roughly. */
export function parseLabels(flag: string, value: string): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  if (value.trim() === "") return Object.freeze(out);
  for (const item of value.split(",")) {
    const pair = item.trim();
    const eq = pair.indexOf("=");
    if (eq === -1) throw new OptionsError(flag, `"${pair}" is not key=value`);
    const k = pair.slice(0, eq);
    const v = pair.slice(eq + 1);
    if (!LABEL_KEY.test(k)) throw new OptionsError(flag, `"${k}" is not a valid label key`);
    if (!LABEL_VALUE.test(v)) throw new OptionsError(flag, `"${v}" is not a valid label value (for key "${k}")`);
    if (Object.hasOwn(out, k)) throw new OptionsError(flag, `label "${k}" is given twice`);
    out[k] = v;
  }
  return Object.freeze(out);
}

/**
 * Parses the policy list with Kong's `plugins =` semantics, left to right: `bundled` adds every
 * built-in type, `name` adds one, `-name` removes one. An empty list enforces no policy (any
 * snapshot with a policy is then refused).
 * @throws OptionsError on an unknown type name
 */
export function parsePolicies(flag: string, value: string): ReadonlySet<string> {
  const out = new Set<string>();
  for (const item of value.split(",")) {
    const t = item.trim();
    if (t === "") continue;
    if (t === "bundled") {
      for (const b of BUNDLED_POLICY_TYPES) out.add(b);
      continue;
    }
    const remove = t.startsWith("-");
    const name = remove ? t.slice(1) : t;
    if (!BUNDLED_POLICY_TYPES.includes(name)) {
      throw new OptionsError(flag, `unknown policy type "${name}" (known: ${BUNDLED_POLICY_TYPES.join(", ")})`);
    }
    if (remove) out.delete(name);
    else out.add(name);
  }
  return out;
}

function parsePath<R extends boolean>(
  flag: string,
  value: string,
  required: R,
): R extends true ? string : string | undefined {
  if (value === "") {
    if (required) throw new OptionsError(flag, "must not be empty");
    return undefined as never;
  }
  if (value.includes("\u0000")) throw new OptionsError(flag, "is not a valid path");
  return value as never;
}

function parseToken(flag: string, value: string): string | undefined {
  if (value === "") return undefined;
  if (!/^[A-Za-z0-9_.-]{16,512}$/.test(value)) throw new OptionsError(flag, "is not a join token");
  return value;
}

function parseInterval(flag: string, value: string): number {
  if (!/^\d{1,7}$/.test(value) || Number(value) < 100 || Number(value) > 600_000)
    throw new OptionsError(flag, `"${value}" is not a number of ms between 100 and 600000`);
  return Number(value);
}

/** Parses a decimal integer within [min, max]. */
/** Parses one of `choices` (case-insensitive). */
function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  const v = value.trim().toLowerCase();
  const hit = choices.find((c) => c === v);
  if (hit === undefined) throw new OptionsError(flag, `"${value}" is not one of ${choices.join(", ")}`);
  return hit;
}

/** `null` for an empty value, else `parse`'s result. */
function parseOptional<T>([flag, value]: [string, string], parse: (flag: string, value: string) => T): T | null {
  return value.trim() === "" ? null : parse(flag, value);
}

/** Parses an absolute http or https URL without credentials. */
function parseHttpUrl(flag: string, value: string): string {
  try {
    return checkHttpUrl(value.trim(), flag).toString();
  } catch {
    throw new OptionsError(flag, "is not an absolute http or https URL without credentials");
  }
}

/** Parses a probability, 0 to 1. */
function parseRatio(flag: string, value: string): number {
  const v = value.trim();
  const n = Number(v);
  if (v === "" || !Number.isFinite(n) || n < 0 || n > 1)
    throw new OptionsError(flag, `"${value}" is not a number from 0 to 1`);
  return n;
}

/**
 * Reads `--siem-sinks-file`: a JSON array of SiemSinkConfig, checked as the control plane checks
 * the config's sinks. The error names the field, never a value (a TLS key may be in it).
 */
function parseSinksFile(flag: string, value: string): readonly SiemSinkConfig[] {
  if (value === "") return [];
  let list: unknown;
  try {
    list = JSON.parse(readFileSync(value, "utf8"));
  } catch (err) {
    throw new OptionsError(
      flag,
      `cannot read a JSON array from it (${(err as NodeJS.ErrnoException).code ?? "invalid JSON"})`,
    );
  }
  if (!Array.isArray(list)) throw new OptionsError(flag, "is not a JSON array of sinks");
  try {
    resolveSinkConfigs(list as SiemSinkConfig[]);
  } catch (err) {
    if (err instanceof SinkConfigError) throw new OptionsError(flag, `${err.code} at ${err.field}`);
    throw err;
  }
  return Object.freeze(list as SiemSinkConfig[]);
}

export function parseInteger(flag: string, value: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(value.trim())) throw new OptionsError(flag, `"${value}" is not a whole number`);
  const n = Number(value.trim());
  if (n < min || n > max) throw new OptionsError(flag, `${n} is out of range (${min}-${max})`);
  return n;
}

/**
 * Parses `--trusted-proxies` (comma list of CIDRs or addresses, ipaddr.js) and
 * `--client-address-header`.
 * @returns `null` when no proxy is trusted
 * @throws OptionsError naming the flag and the bad value
 */
export function parseTrustedProxies(
  [flag, value]: [string, string],
  [headerFlag, headerValue]: [string, string],
): TrustedProxies | null {
  const header = headerValue.trim().toLowerCase();
  if (header !== "x-forwarded-for" && header !== "forwarded")
    throw new OptionsError(headerFlag, `"${headerValue}" is not x-forwarded-for or forwarded`);
  const cidrs = value
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "");
  if (cidrs.length === 0) return null;
  try {
    return new TrustedProxies(cidrs, header as ClientAddressHeader);
  } catch (err) {
    throw new OptionsError(flag, (err as Error).message);
  }
}

function parseLogLevel(flag: string, value: string): LogLevel {
  const v = value.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(v)) {
    throw new OptionsError(flag, `"${value}" is not one of ${LOG_LEVELS.join(", ")}`);
  }
  return v as LogLevel;
}
