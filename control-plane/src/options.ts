import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { OptionError } from "./errors.js";
import { type ListenAddress, parseListenAddress } from "./listen-address.js";

/** Start-up options of `palisade-cp`. */
export interface CpOptions {
  /** Path of the SQLite database file (created if missing). */
  db: string;
  /** Admin REST API and web UI listener. */
  adminListen: ListenAddress;
  /** gRPC config sync listener. */
  syncListen: ListenAddress;
  /** Admin bearer token from the environment; when unset one is generated on first start. */
  adminToken: string | undefined;
  logLevel: string;
  /** Plain gRPC on the sync port, no node identity: the local demo only. */
  syncInsecure: boolean;
  /** Directory of the fleet CA key and certificate (`undefined`: in memory, with an in-memory db). */
  pkiDir: string | undefined;
  /** Extra DNS names / IP addresses of the sync port's server certificate. */
  syncHostnames: string[];
  /** Lifetime of node client certificates, seconds. */
  nodeCertTtlS: number;
}

interface OptionSpec {
  flag: string;
  env: string;
  default: string | undefined;
  help: string;
}

/** Every option, its environment variable and default: the source of `--help`. */
export const CP_OPTIONS: readonly OptionSpec[] = [
  { flag: "db", env: "PALISADE_DB", default: "./palisade.db", help: "SQLite database file" },
  { flag: "admin-listen", env: "PALISADE_ADMIN_LISTEN", default: "127.0.0.1:8001", help: "admin REST API host:port" },
  { flag: "sync-listen", env: "PALISADE_SYNC_LISTEN", default: "127.0.0.1:8005", help: "gRPC config sync host:port" },
  {
    flag: "pki-dir",
    env: "PALISADE_PKI_DIR",
    default: undefined,
    help: "fleet CA key and certificate directory (default: pki/ beside the database)",
  },
  {
    flag: "sync-hostnames",
    env: "PALISADE_SYNC_HOSTNAMES",
    default: "",
    help: "comma list of names/IPs nodes dial the sync port by (localhost, 127.0.0.1, ::1 always)",
  },
  {
    flag: "node-cert-ttl",
    env: "PALISADE_NODE_CERT_TTL",
    default: "604800",
    help: "lifetime of node client certificates, seconds (nodes renew at 2/3)",
  },
  {
    flag: "log-level",
    env: "PALISADE_LOG_LEVEL",
    default: "info",
    help: "fatal, error, warn, info, debug or trace",
  },
];

const LOG_LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/** The `--help` text. */
export function cpHelp(): string {
  const rows = CP_OPTIONS.map((o) => `  --${o.flag.padEnd(14)} ${o.help} (env ${o.env}, default ${o.default})`);
  return [
    "Usage: palisade-cp [options]",
    "",
    "Palisade control plane: admin REST API, config versions and the gRPC sync server.",
    "",
    "Options:",
    ...rows,
    "  --sync-insecure  plain gRPC on the sync port, no node identity: LOCAL DEMO ONLY (env PALISADE_SYNC_INSECURE=1)",
    "  --help           show this help",
    "",
    "Environment:",
    "  PALISADE_ADMIN_TOKEN  admin bearer token; when unset, one is generated on first start,",
    "                        stored hashed, and printed once.",
  ].join("\n");
}

/**
 * Parses flags, falling back to `PALISADE_*` environment variables, then defaults.
 * @returns the options, or `"help"` when `--help` was given.
 * @throws OptionError naming the flag at fault.
 */
export function parseCpOptions(argv: string[], env: NodeJS.ProcessEnv): CpOptions | "help" {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries([
        ...CP_OPTIONS.map((o) => [o.flag, { type: "string" as const }]),
        ["help", { type: "boolean" as const }],
        ["sync-insecure", { type: "boolean" as const }],
      ]),
      allowPositionals: false,
      strict: true,
    });
  } catch (err) {
    throw new OptionError("argv", (err as Error).message);
  }
  if (parsed.values.help) return "help";
  const get = (flag: string): string => {
    const spec = CP_OPTIONS.find((o) => o.flag === flag)!;
    const v = parsed.values[flag];
    return (typeof v === "string" ? v : undefined) ?? env[spec.env] ?? spec.default ?? "";
  };
  const logLevel = get("log-level");
  if (!LOG_LEVELS.has(logLevel)) throw new OptionError("--log-level", `unknown level ${JSON.stringify(logLevel)}`);
  const db = get("db");
  if (db === "") throw new OptionError("--db", "must not be empty");
  const ttl = get("node-cert-ttl");
  if (!/^\d{1,9}$/.test(ttl) || Number(ttl) < 10)
    throw new OptionError("--node-cert-ttl", `${JSON.stringify(ttl)} is not a number of seconds >= 10`);
  const hostnames = get("sync-hostnames")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  for (const h of hostnames)
    if (!/^[A-Za-z0-9.:-]{1,253}$/.test(h))
      throw new OptionError("--sync-hostnames", `${JSON.stringify(h)} is not a host name or IP address`);
  const pki = get("pki-dir");
  const insecureEnv = env.PALISADE_SYNC_INSECURE;
  return {
    syncInsecure: parsed.values["sync-insecure"] === true || insecureEnv === "1" || insecureEnv === "true",
    pkiDir: pki !== "" ? pki : db === ":memory:" ? undefined : join(dirname(db), "pki"),
    syncHostnames: hostnames,
    nodeCertTtlS: Number(ttl),
    db,
    adminListen: parseListenAddress("--admin-listen", get("admin-listen")),
    syncListen: parseListenAddress("--sync-listen", get("sync-listen")),
    adminToken: env.PALISADE_ADMIN_TOKEN || undefined,
    logLevel,
  };
}
