import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { PemPair } from "@palisade/test-support";
import { request } from "undici";
import { eventually, REPO_ROOT, TestProcess } from "./process.js";

const CP_BIN = join(REPO_ROOT, "control-plane/dist/bin/palisade-cp.js");
const DP_BIN = join(REPO_ROOT, "data-plane/dist/bin/palisade-dp.js");
const CTL_BIN = join(REPO_ROOT, "control-plane/dist/bin/palisadectl.js");

/** Answer of an HTTP call made by a test. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => any;
}

/** Plain HTTP call to 127.0.0.1 (no retries, no redirects). */
export async function http(
  port: number,
  path: string,
  init: { method?: string; headers?: Record<string, string | string[]>; body?: string } = {},
): Promise<HttpAnswer> {
  const r = await request(`http://127.0.0.1:${port}${path}`, {
    method: (init.method ?? "GET") as "GET",
    headers: init.headers ?? {},
    body: init.body ?? null,
  });
  const text = await r.body.text();
  return { status: r.statusCode, headers: r.headers, text, json: () => JSON.parse(text) };
}

/**
 * GET from a chosen loopback source address (127.0.0.x: the kernel routes all of 127/8 to lo), on
 * a new connection each time, so a node sees distinct clients and a cluster node's primary hands
 * each request to its workers in turn.
 */
export function httpFrom(address: string, port: number, path: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, localAddress: address, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * The anomaly tests' API: upstream `app` at `upstreamPort`, route `login` (`/login`, api-key
 * policy `keys`: a request without a key is a failed login, 401) and route `public` (`/public`).
 */
export async function loginAndPublicRoutes(cp: ControlPlaneProcess, upstreamPort: number): Promise<void> {
  await cp.ok("POST", "/v1/upstreams", { name: "app", targets: [{ host: "127.0.0.1", port: upstreamPort }] });
  await cp.ok("POST", "/v1/policies", { name: "keys", type: "api-key", config: {} });
  await cp.ok("POST", "/v1/routes", { name: "login", paths: ["/login"], upstream: "app", policies: ["keys"] });
  await cp.ok("POST", "/v1/routes", { name: "public", paths: ["/public"], upstream: "app" });
}

/** `palisade_config_updates_total` by kind (`full`, `delta`, `nacked`), from a node's /metrics. */
export async function updateCounts(node: DataPlaneProcess): Promise<Record<string, number>> {
  const text = (await http(node.statusPort, "/metrics")).text;
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^palisade_config_updates_total\{kind="(\w+)"\} (\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

/** `palisade_config_update_bytes_total` from a node's /metrics: encoded bytes of the config updates it received. */
export async function updateBytes(node: DataPlaneProcess): Promise<number> {
  const text = (await http(node.statusPort, "/metrics")).text;
  return Number(/^palisade_config_update_bytes_total (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

/** A `POST /v1/certificates` (or `PUT /v1/certificates/{name}`) body: `pair`'s certificate and key (PEM) served for `snis`. */
export function certificateBody(name: string, snis: string[], pair: PemPair) {
  return { name, snis, cert_pem: pair.certPem, key_pem: pair.keyPem };
}

/**
 * A control plane process with a temporary SQLite database (or `databaseUrl`: PostgreSQL, which
 * several of them may share as replicas). By default its sync port runs
 * insecure (`--sync-insecure`, as the local demo); `{ mtls: true }` gives the production setup:
 * TLS with the fleet CA (created in `<dir>/pki`), client certificates, join tokens.
 */
export class ControlPlaneProcess {
  readonly dir: string;
  readonly adminToken = "e2e-admin-token-for-tests-only-0123456789";
  readonly mtls: boolean;
  readonly #extraArgs: string[];
  readonly #databaseUrl: string | undefined;
  proc!: TestProcess;
  adminPort = 0;
  syncPort = 0;

  constructor(dir?: string, opts: { mtls?: boolean; extraArgs?: string[]; databaseUrl?: string } = {}) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), "palisade-e2e-cp-"));
    this.mtls = opts.mtls ?? false;
    this.#extraArgs = opts.extraArgs ?? [];
    this.#databaseUrl = opts.databaseUrl;
  }

  /** Starts (or restarts) the process on the same database; `syncPort` keeps the previous port when set. */
  async start(): Promise<this> {
    const sync = this.syncPort ? `127.0.0.1:${this.syncPort}` : "127.0.0.1:0";
    this.proc = new TestProcess(
      "palisade-cp",
      CP_BIN,
      [
        ...(this.#databaseUrl
          ? ["--database-url", this.#databaseUrl, "--pki-dir", join(this.dir, "pki")]
          : ["--db", join(this.dir, "palisade.db")]),
        "--admin-listen",
        "127.0.0.1:0",
        "--sync-listen",
        sync,
        ...(this.mtls ? [] : ["--sync-insecure"]),
        ...this.#extraArgs,
      ],
      { PALISADE_ADMIN_TOKEN: this.adminToken },
    );
    this.syncPort = await this.proc.port("sync");
    this.adminPort = await this.proc.port("admin");
    return this;
  }

  /** Admin API call with the admin token (pass `token: ""` to send none). */
  async api(method: string, path: string, body?: unknown, token = this.adminToken): Promise<HttpAnswer> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    return http(this.adminPort, path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  /** Admin API call that must succeed (2xx); returns the parsed body. */
  async ok(method: string, path: string, body?: unknown): Promise<any> {
    const r = await this.api(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${r.text}`);
    return r.text ? r.json() : undefined;
  }

  /** Runs `palisadectl` against this control plane (its admin URL and token); never throws. */
  async palisadectl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    try {
      const r = await promisify(execFile)(process.execPath, [CTL_BIN, ...args], {
        env: {
          ...process.env,
          PALISADE_ADMIN_URL: `http://127.0.0.1:${this.adminPort}`,
          PALISADE_ADMIN_TOKEN: this.adminToken,
        },
      });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout, err: e.stderr };
    }
  }

  /** Waits until every listed node reports `version` applied (within `timeoutMs`, 20 s by default). */
  async waitForNodes(ids: string[], version: number, timeoutMs?: number): Promise<any[]> {
    return eventually(
      `nodes ${ids.join(",")} at version ${version}`,
      async () => {
        const items = (await this.ok("GET", "/v1/nodes")).items as any[];
        const mine = ids.map((id) => items.find((n) => n.id === id));
        return mine.every((n) => n?.connected && n.applied_version === version) ? mine : undefined;
      },
      timeoutMs,
    );
  }

  /** Mints a join token for `region` (mTLS mode); returns the token. */
  async joinToken(region: string, ttlS = 600): Promise<string> {
    return (await this.ok("POST", "/v1/nodes/join-tokens", { region, ttl_s: ttlS })).token as string;
  }

  /** Writes the fleet CA certificate (GET /v1/fleet/ca) to a file in the CP's directory; returns its path. */
  async caCertFile(): Promise<string> {
    const pem = (await this.ok("GET", "/v1/fleet/ca")).certificate_pem as string;
    const path = join(this.dir, "fleet-ca.crt");
    writeFileSync(path, pem);
    return path;
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
  }

  /** Stops the process and deletes its database directory. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Options of a {@link DataPlaneProcess}. */
export interface DataPlaneOptions {
  region?: string;
  extraArgs?: string[];
  /** Plain gRPC to the control plane (default true, as the harness's control plane). */
  insecure?: boolean;
  /** mTLS: the join token to present on first start, and the fleet CA file. */
  joinToken?: string;
  caCert?: string;
  /** Run from a snapshot file with no control plane (`--config-file`). */
  configFile?: string;
  /** The node's state directory; default a fresh temporary one kept across restarts of this object. */
  stateDir?: string;
  /** Extra environment for the node's process (e.g. `OPENSSL_CONF` for a hardened host). */
  env?: Record<string, string>;
}

/** A data-plane node process. Its state directory survives `stop()`/`start()`. */
export class DataPlaneProcess {
  readonly nodeId: string;
  readonly stateDir: string;
  proc!: TestProcess;
  proxyPort = 0;
  /** The HTTPS listener's port. */
  tlsPort = 0;
  statusPort = 0;
  controlPlanePort: number;
  readonly #opts: DataPlaneOptions;

  constructor(nodeId: string, controlPlanePort: number, opts: DataPlaneOptions = {}) {
    this.nodeId = nodeId;
    this.controlPlanePort = controlPlanePort;
    this.#opts = opts;
    this.stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), `palisade-e2e-${nodeId}-`));
  }

  #args(): string[] {
    const o = this.#opts;
    return [
      "--node-id",
      this.nodeId,
      "--region",
      o.region ?? "eu-west",
      "--control-plane",
      `localhost:${this.controlPlanePort}`,
      "--listen",
      "127.0.0.1:0",
      "--status-listen",
      "127.0.0.1:0",
      "--state-dir",
      this.stateDir,
      "--report-interval",
      "1000",
      "--tls-listen",
      "127.0.0.1:0",
      // One process unless a test asks for more (extraArgs come later and win).
      "--workers",
      "1",
      ...((o.insecure ?? true) ? ["--sync-insecure"] : []),
      ...(o.joinToken ? ["--join-token", o.joinToken] : []),
      ...(o.caCert ? ["--ca-cert", o.caCert] : []),
      ...(o.configFile ? ["--config-file", o.configFile] : []),
      ...(o.extraArgs ?? []),
    ];
  }

  async start(): Promise<this> {
    this.proc = new TestProcess(`palisade-dp ${this.nodeId}`, DP_BIN, this.#args(), this.#opts.env);
    this.proxyPort = await this.proc.port("proxy");
    this.statusPort = await this.proc.port("status");
    this.tlsPort = await this.proc.port("tls");
    return this;
  }

  /** Starts the process without waiting for its listeners (for nodes expected to exit). */
  spawn(): TestProcess {
    this.proc = new TestProcess(`palisade-dp ${this.nodeId}`, DP_BIN, this.#args(), this.#opts.env);
    return this.proc;
  }

  /** Proxy request through this node. */
  get(path: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    return http(this.proxyPort, path, { headers });
  }

  /** Proxy request with any method, headers (arrays send a header several times) and body. */
  request(
    path: string,
    init: { method?: string; headers?: Record<string, string | string[]>; body?: string } = {},
  ): Promise<HttpAnswer> {
    return http(this.proxyPort, path, init);
  }

  /** Security events counted by type and the most recent ones (`GET /security-events`). */
  async securityEvents(): Promise<{ counts: Record<string, number>; recent: any[] }> {
    return (await http(this.statusPort, "/security-events")).json();
  }

  /** The node's `GET /config` (status port). */
  async config(): Promise<any> {
    return (await http(this.statusPort, "/config")).json();
  }

  /** The node's own view of its applied config (`GET /config` on the status port). */
  async appliedVersion(): Promise<number> {
    return (await http(this.statusPort, "/config")).json().version as number;
  }

  /** `GET /readyz` on the status port. */
  async readyz(): Promise<HttpAnswer> {
    return http(this.statusPort, "/readyz");
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the node: its stream stays open, it goes silent. */
  freeze(frozen: boolean): void {
    this.proc?.freeze(frozen);
  }

  /** Stops the process and deletes its state directory. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
