import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { OptionError } from "./errors.js";
import { type ListenAddress, parseListenAddress } from "./listen-address.js";
import type { OidcConfig } from "./rbac/oidc.js";

/** Start-up options of `palisade-cp`. */
export interface CpOptions {
  /** Path of the SQLite database file (created if missing); unused with {@link databaseUrl}. */
  db: string;
  /** PostgreSQL connection URL (`postgres://…`); when set, the store lives there instead of `db`. */
  databaseUrl: string | undefined;
  /** Admin REST API and web UI listener. */
  adminListen: ListenAddress;
  /** gRPC config sync listener. */
  syncListen: ListenAddress;
  /** Admin bearer token from the environment; when unset one is generated on first start. */
  adminToken: string | undefined;
  logLevel: string;
  /** Folder of the web admin bundle served at `/` on the admin port (holds `index.html`). */
  uiDir: string;
  /** Plain gRPC on the sync port, no node identity: the local demo only. */
  syncInsecure: boolean;
  /** Directory of the fleet CA key and certificate (`undefined`: in memory, with an in-memory db). */
  pkiDir: string | undefined;
  /** Extra DNS names / IP addresses of the sync port's server certificate. */
  syncHostnames: string[];
  /** Lifetime of node client certificates, seconds. */
  nodeCertTtlS: number;
  /** How often the rollout engine moves the active rollout on, ms. */
  rolloutTickMs: number;
  /** Replicas on one PostgreSQL: the leader's lease and how often it is renewed, ms (replicas/leadership.ts). */
  leaseTiming: { ttlMs: number; renewMs: number };
  /**
   * TLS of the admin listener: certificate chain and key (PEM); `clientCa` (PEM) makes the
   * listener ask every client for a certificate signed by it. Undefined: plain HTTP.
   */
  adminTls: { cert: string; key: string; clientCa?: string } | undefined;
  /** OIDC sign-in for the web admin (rbac/oidc.ts); undefined: admin tokens only. */
  oidc: OidcConfig | undefined;
  /** `/metrics` and `/healthz` listener without the admin token; `undefined` = off. */
  statusListen: ListenAddress | undefined;
  /** Most security events kept. */
  securityEventsMax: number;
  /** Oldest security event kept (by arrival), seconds. */
  securityEventsMaxAgeS: number;
}

/** A leader lease of `ttlMs` renewed every 0.3 × `ttlMs`. */
function leaseTiming(ttlMs: number): { ttlMs: number; renewMs: number } {
  return { ttlMs, renewMs: Math.round(ttlMs * 0.3) };
}

/** The web admin bundle of this checkout: `web-admin/dist` beside `control-plane/` (built by `npm run build`). */
export const DEFAULT_UI_DIR = fileURLToPath(new URL("../../web-admin/dist", import.meta.url));

interface OptionSpec {
  flag: string;
  env: string;
  default: string | undefined;
  /** What `--help` says of a default computed at start-up. */
  defaultNote?: string;
  help: string;
}

/** Every option, its environment variable and default: the source of `--help`. */
export const CP_OPTIONS: readonly OptionSpec[] = [
  { flag: "db", env: "PALISADE_DB", default: "./palisade.db", help: "SQLite database file" },
  {
    flag: "database-url",
    env: "PALISADE_DATABASE_URL",
    default: undefined,
    defaultNote: "none: SQLite at --db",
    help: "PostgreSQL URL postgres://user:password@host:5432/db (replaces --db; the password may come from PGPASSWORD)",
  },
  { flag: "admin-listen", env: "PALISADE_ADMIN_LISTEN", default: "127.0.0.1:8001", help: "admin REST API host:port" },
  { flag: "sync-listen", env: "PALISADE_SYNC_LISTEN", default: "127.0.0.1:8005", help: "gRPC config sync host:port" },
  {
    flag: "ui-dir",
    env: "PALISADE_UI_DIR",
    default: undefined,
    defaultNote: "web-admin/dist of this checkout",
    help: "web admin bundle served at / on the admin port",
  },
  {
    flag: "pki-dir",
    env: "PALISADE_PKI_DIR",
    default: undefined,
    defaultNote: "pki/ beside the database",
    help: "fleet CA key and certificate directory",
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
    flag: "rollout-tick-ms",
    env: "PALISADE_ROLLOUT_TICK_MS",
    default: "500",
    help: "how often the rollout engine checks ACKs, soak times and gates, ms (50-60000)",
  },
  {
    flag: "leader-lease-ms",
    env: "PALISADE_LEADER_LEASE_MS",
    default: "5000",
    help: "replicas on one PostgreSQL: lease of the leader that runs rollouts, ms (1000-60000); renewed every 0.3x, a dead leader is replaced within 1.3x",
  },
  {
    flag: "admin-tls-cert",
    env: "PALISADE_ADMIN_TLS_CERT",
    default: "",
    defaultNote: "none (plain HTTP)",
    help: "PEM certificate chain of the admin listener: it then speaks HTTPS only",
  },
  { flag: "admin-tls-key", env: "PALISADE_ADMIN_TLS_KEY", default: "", help: "PEM private key of --admin-tls-cert" },
  {
    flag: "admin-tls-client-ca",
    env: "PALISADE_ADMIN_TLS_CLIENT_CA",
    default: "",
    help: "PEM CA bundle: the admin listener requires a client certificate it signed",
  },
  {
    flag: "oidc-issuer",
    env: "PALISADE_OIDC_ISSUER",
    default: "",
    defaultNote: "none (token sign-in only)",
    help: "OIDC issuer URL: the web admin offers sign-in with it (authorization code + PKCE)",
  },
  { flag: "oidc-client-id", env: "PALISADE_OIDC_CLIENT_ID", default: "", help: "client id registered at the issuer" },
  {
    flag: "oidc-role-claim",
    env: "PALISADE_OIDC_ROLE_CLAIM",
    default: "palisade_role",
    help: "ID token claim that names the role (a string or a list)",
  },
  {
    flag: "oidc-role-map",
    env: "PALISADE_OIDC_ROLE_MAP",
    default: "",
    help: "claim value=role pairs, comma-separated (e.g. platform=admin,sre=operator); empty: the value is the role",
  },
  {
    flag: "oidc-redirect-url",
    env: "PALISADE_OIDC_REDIRECT_URL",
    default: "",
    defaultNote: "this listener's /v1/auth/oidc/callback",
    help: "callback URL registered at the issuer",
  },
  {
    flag: "oidc-session-ttl",
    env: "PALISADE_OIDC_SESSION_TTL",
    default: "28800",
    help: "lifetime of a web admin session signed in with OIDC, seconds",
  },
  {
    flag: "status-listen",
    env: "PALISADE_STATUS_LISTEN",
    default: "off",
    help: "host:port of GET /metrics and /healthz without the admin token (Kong's status_listen: 127.0.0.1:8007), or off",
  },
  {
    flag: "security-events-max",
    env: "PALISADE_SECURITY_EVENTS_MAX",
    default: "250000",
    help: "most security events kept (the oldest arrivals are deleted first), 1000-100000000",
  },
  {
    flag: "security-events-max-age",
    env: "PALISADE_SECURITY_EVENTS_MAX_AGE",
    default: "1209600",
    help: "oldest security event kept, seconds since it arrived (default 14 days), 60-94608000",
  },
  {
    flag: "log-level",
    env: "PALISADE_LOG_LEVEL",
    default: "info",
    help: "fatal, error, warn, info, debug, trace or silent",
  },
];

const LOG_LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/** The `--help` text. */
export function cpHelp(): string {
  const rows = CP_OPTIONS.map(
    (o) => `  --${o.flag.padEnd(14)} ${o.help} (env ${o.env}, default ${o.default ?? o.defaultNote})`,
  );
  return [
    "Usage: palisade-cp [options]",
    "       palisade-cp backup FILE [--db PATH]    online copy of the SQLite database",
    "       palisade-cp restore FILE [--db PATH]   replace the SQLite database by a backup (stopped control plane)",
    "",
    "Palisade control plane: admin REST API, config versions and the gRPC sync server.",
    "",
    "Options:",
    ...rows,
    "  --sync-insecure  plain gRPC on the sync port, no node identity: LOCAL DEMO ONLY (env PALISADE_SYNC_INSECURE=1)",
    "  --help           show this help",
    "  --version        print the version",
    "",
    "Environment:",
    "  PALISADE_ADMIN_TOKEN  admin bearer token; when unset, one is generated on first start,",
    "                        stored hashed, and printed once.",
    "  PALISADE_OIDC_CLIENT_SECRET  client secret of --oidc-client-id (a confidential client)",
  ].join("\n");
}

/**
 * Parses flags, falling back to `PALISADE_*` environment variables, then defaults.
 * @returns the options, or `"help"` when `--help` was given.
 * @throws OptionError naming the flag at fault.
 */
export function parseCpOptions(argv: string[], env: NodeJS.ProcessEnv): CpOptions | "help" | "version" {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries([
        ...CP_OPTIONS.map((o) => [o.flag, { type: "string" as const }]),
        ["help", { type: "boolean" as const }],
        ["version", { type: "boolean" as const }],
        ["sync-insecure", { type: "boolean" as const }],
      ]),
      allowPositionals: false,
      strict: true,
    });
  } catch (err) {
    // parseArgs says e.g. "Unknown option '--x'": keep its words, drop its error code.
    throw new OptionError("usage", (err as Error).message.replace(/\. To specify .*$/, ""));
  }
  if (parsed.values.help) return "help";
  if (parsed.values.version) return "version";
  /** The value and the name to blame for it: the flag, or the flag and its variable when it came from there. */
  const get = (flag: string): [string, string] => {
    const spec = CP_OPTIONS.find((o) => o.flag === flag)!;
    const v = parsed.values[flag];
    if (typeof v === "string") return [v, `--${flag}`];
    const e = env[spec.env];
    if (e !== undefined && e !== "") return [e, `--${flag} (${spec.env})`];
    return [spec.default ?? "", `--${flag}`];
  };
  const [logLevel, logLevelName] = get("log-level");
  if (!LOG_LEVELS.has(logLevel))
    throw new OptionError(
      logLevelName,
      `unknown level ${JSON.stringify(logLevel)} (fatal, error, warn, info, debug, trace, silent)`,
    );
  const [db, dbName] = get("db");
  if (db === "") throw new OptionError(dbName, "must not be empty");
  const [databaseUrl, databaseUrlName] = get("database-url");
  if (databaseUrl !== "") checkDatabaseUrl(databaseUrl, databaseUrlName);
  const adminToken = env.PALISADE_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < 16)
    throw new OptionError("PALISADE_ADMIN_TOKEN", "must be at least 16 characters");
  const [admin, adminName] = get("admin-listen");
  const [sync, syncName] = get("sync-listen");
  const [ttl, ttlName] = get("node-cert-ttl");
  if (!/^\d{1,9}$/.test(ttl) || Number(ttl) < 10)
    throw new OptionError(ttlName, `${JSON.stringify(ttl)} is not a number of seconds >= 10`);
  const [hostList, hostListName] = get("sync-hostnames");
  const hostnames = hostList
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  for (const h of hostnames)
    if (!/^[A-Za-z0-9.:-]{1,253}$/.test(h))
      throw new OptionError(hostListName, `${JSON.stringify(h)} is not a host name or IP address`);
  const [tick, tickName] = get("rollout-tick-ms");
  if (!/^\d{1,5}$/.test(tick) || Number(tick) < 50 || Number(tick) > 60_000)
    throw new OptionError(tickName, `${JSON.stringify(tick)} is not a number of ms from 50 to 60000`);
  const [pki] = get("pki-dir");
  const adminTls = readAdminTls(get("admin-tls-cert"), get("admin-tls-key"), get("admin-tls-client-ca"));
  const [status, statusName] = get("status-listen");
  const count = (flag: string, min: number, max: number): number => {
    const [v, name] = get(flag);
    if (!/^\d{1,12}$/.test(v) || Number(v) < min || Number(v) > max)
      throw new OptionError(name, `${JSON.stringify(v)} is not a number from ${min} to ${max}`);
    return Number(v);
  };
  const insecureEnv = env.PALISADE_SYNC_INSECURE;
  return {
    syncInsecure: parsed.values["sync-insecure"] === true || insecureEnv === "1" || insecureEnv === "true",
    // With PostgreSQL there is no file to sit beside: the working directory's pki/.
    pkiDir: pki !== "" ? pki : databaseUrl !== "" ? "pki" : db === ":memory:" ? undefined : join(dirname(db), "pki"),
    databaseUrl: databaseUrl !== "" ? databaseUrl : undefined,
    syncHostnames: hostnames,
    nodeCertTtlS: Number(ttl),
    rolloutTickMs: Number(tick),
    leaseTiming: leaseTiming(count("leader-lease-ms", 1000, 60_000)),
    adminTls,
    oidc: readOidc(get, env),
    statusListen: status === "off" || status === "" ? undefined : parseListenAddress(statusName, status),
    securityEventsMax: count("security-events-max", 1000, 100_000_000),
    securityEventsMaxAgeS: count("security-events-max-age", 60, 94_608_000),
    db,
    adminListen: parseListenAddress(adminName, admin),
    syncListen: parseListenAddress(syncName, sync),
    adminToken,
    logLevel,
    uiDir: get("ui-dir")[0] || DEFAULT_UI_DIR,
  };
}

/**
 * Refuses a database URL that is not a PostgreSQL URL (the only server backend).
 * @throws OptionError naming the flag, never echoing the URL (it may hold a password)
 */
function checkDatabaseUrl(url: string, name: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OptionError(name, "is not a URL (postgres://user:password@host:5432/db)");
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:")
    throw new OptionError(name, `must be a postgres:// URL (got ${parsed.protocol}//…); SQLite is --db`);
}

/** A database URL fit for a log line: the password replaced by `***`. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/**
 * Reads the admin listener's TLS files: certificate and key go together; a client CA needs them.
 * @throws OptionError naming the flag of a missing pair member or an unreadable file
 */
function readAdminTls(
  [cert, certName]: [string, string],
  [key, keyName]: [string, string],
  [clientCa, caName]: [string, string],
): CpOptions["adminTls"] {
  if (cert === "" && key === "" && clientCa === "") return undefined;
  if (cert === "" || key === "")
    throw new OptionError(cert === "" ? certName : keyName, "--admin-tls-cert and --admin-tls-key go together");
  const read = (path: string, name: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch (err) {
      throw new OptionError(
        name,
        `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  };
  return {
    cert: read(cert, certName),
    key: read(key, keyName),
    ...(clientCa !== "" ? { clientCa: read(clientCa, caName) } : {}),
  };
}

/**
 * The OIDC sign-in settings, when `--oidc-issuer` is given.
 * @throws OptionError naming the flag at fault
 */
function readOidc(get: (flag: string) => [string, string], env: NodeJS.ProcessEnv): OidcConfig | undefined {
  const [issuer, issuerName] = get("oidc-issuer");
  if (issuer === "") return undefined;
  if (!/^https?:\/\/[^\s]+$/.test(issuer))
    throw new OptionError(issuerName, `${JSON.stringify(issuer)} is not an http(s) URL`);
  const [clientId, clientIdName] = get("oidc-client-id");
  if (clientId === "") throw new OptionError(clientIdName, "is required with --oidc-issuer");
  const [mapText, mapName] = get("oidc-role-map");
  const roleMap: Record<string, string> = {};
  for (const pair of mapText.split(",").filter((p) => p.trim() !== "")) {
    const i = pair.lastIndexOf("=");
    if (i <= 0 || i === pair.length - 1) throw new OptionError(mapName, `${JSON.stringify(pair)} is not value=role`);
    roleMap[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  const [ttl, ttlName] = get("oidc-session-ttl");
  if (!/^\d{2,7}$/.test(ttl) || Number(ttl) < 60)
    throw new OptionError(ttlName, `${JSON.stringify(ttl)} is not a number of seconds >= 60`);
  const [redirect] = get("oidc-redirect-url");
  return {
    issuer,
    clientId,
    clientSecret: env.PALISADE_OIDC_CLIENT_SECRET || undefined,
    roleClaim: get("oidc-role-claim")[0],
    roleMap,
    sessionTtlS: Number(ttl),
    ...(redirect !== "" ? { redirectUrl: redirect } : {}),
  };
}
