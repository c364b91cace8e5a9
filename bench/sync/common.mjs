// What the sync benches share (run.mjs: real simulated nodes; fleet.mjs: thin nodes at fleet
// scale): started processes tracked and stopped by PID, /proc figures, the admin API client,
// seeding the route set, and the book of ACKs the simulators report.
import { spawn } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateConfig } from "./generate-config.mjs";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const TOKEN = "bench-admin-token-0123456789abcdef";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The p-th percentile (nearest rank) of `xs`; NaN when empty. */
export function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : Number.NaN;
}

export const median = (xs) => pct(xs, 50);

export function fmt(n, digits = 1) {
  return Number.isFinite(n) ? n.toFixed(digits) : "n/a";
}

/** CPU seconds (user + system) and RSS / peak RSS bytes of a process, from /proc. */
export function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpu = (Number(f[11]) + Number(f[12])) / 100;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { cpu, rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/**
 * Starts built binaries with their logs in `dir` and keeps their handles in `children` (the
 * caller stops them by PID, {@link stopChildren}).
 */
export class BenchProcesses {
  /** @param {string} dir where logs go */
  constructor(dir) {
    this.dir = dir;
    /** @type {import("node:child_process").ChildProcess[]} */
    this.children = [];
  }

  /**
   * Starts `bin` (a path under the repository) with node; resolves once every listener named
   * in `listeners` logged its "listening" line, with the ports.
   * @returns {Promise<{child, ports: Record<string, number>, logPath: string}>}
   * @throws when the process exits or is not listening within 60 s
   */
  async start(name, bin, argv, env, listeners) {
    const logPath = join(this.dir, `${name}.log`);
    const out = openSync(logPath, "a");
    const skip = readFileSync(logPath, "utf8").length; // a restarted process appends to its log
    const nodeFlags = argv.filter((a) => a.startsWith("--inspect") || a.startsWith("--cpu-prof"));
    const args = argv.filter((a) => !a.startsWith("--inspect") && !a.startsWith("--cpu-prof"));
    const child = spawn(process.execPath, [...nodeFlags, join(root, bin), ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", out, out],
    });
    this.children.push(child);
    const ports = {};
    const deadline = Date.now() + 60_000;
    while (listeners.some((l) => ports[l] === undefined)) {
      if (child.exitCode !== null) throw new Error(`${name} exited; see ${logPath}`);
      if (Date.now() > deadline) throw new Error(`${name} did not start; see ${logPath}`);
      for (const line of readFileSync(logPath, "utf8").slice(skip).split("\n")) {
        if (!line.includes('"listening"') || !line.startsWith("{")) continue;
        const j = JSON.parse(line);
        ports[j.listener] = j.port;
      }
      await sleep(50);
    }
    return { child, ports, logPath };
  }

  /** Stops every child still running: SIGTERM, then SIGKILL after 500 ms (by PID, each). */
  async stopAll() {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
    await sleep(500);
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }
}

/** A client of the admin API on 127.0.0.1:`port`: `api(method, path, body)` → parsed JSON; throws on status ≥ 300. */
export function adminApi(port, token = TOKEN) {
  return async (method, path, body) => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/**
 * Seeds `routes` routes of the GitHub route set (generate-config.mjs) through the admin API, in
 * one `POST /v1/config/sync` (the GitOps path: one transaction, much faster than a request per
 * route), then lists the routes for their ids.
 * @returns {{config, created: object[], seconds: number}} the generated config and the stored routes
 */
export async function seedRoutes(api, routes) {
  const t = performance.now();
  const config = generateConfig(routes);
  await api("POST", "/v1/config/sync", { document: config, prune: true, force: true });
  const listed = await api("GET", "/v1/routes");
  const created = Array.isArray(listed) ? listed : listed.items;
  if (created.length !== config.routes.length)
    throw new Error(`seeded ${config.routes.length} routes, the API lists ${created.length}`);
  return { config, created, seconds: (performance.now() - t) / 1000 };
}

/**
 * One-route changes over a seeded route set: each call edits the next route's priority and
 * publishes. @returns {(message: string) => Promise<{version: number, t0: number, publishMs: number}>}
 *   t0 is the wall-clock time (ms) the publish request was sent
 */
export function oneRouteChanges(seeded) {
  let flip = 0;
  return async (api, message) => {
    const r = seeded.created[(flip * 7919) % seeded.created.length];
    flip++;
    const body = { ...seeded.config.routes.find((x) => x.name === r.name), priority: flip % 100 };
    await api("PUT", `/v1/routes/${r.id}`, body);
    const t0 = Date.now();
    const tp = performance.now();
    const version = (await api("POST", "/v1/config/versions", { message: `${message} ${flip}` })).version;
    return { version, t0, publishMs: performance.now() - tp };
  };
}

/**
 * One-route changes waited for: `count` of them, one after the other, at most `rate` per second,
 * each from its publish request to every one of `n` nodes' ACK (the last ACK's send time).
 * @param publishChange from {@link oneRouteChanges}
 * @param acks the {@link AckBook} the simulators report to
 * @returns {Promise<{rows: {version, latencyMs, publishMs, got}[], wallS: number}>}
 */
export async function pacedChanges({ publishChange, api, acks, n, count, rate, message }) {
  const w0 = performance.now();
  const rows = [];
  for (let i = 0; i < count; i++) {
    const slot = performance.now();
    const { version, t0, publishMs } = await publishChange(api, message);
    const got = await acks.allAcked(version, n, 120_000);
    rows.push({ version, latencyMs: Math.max(...got.map((x) => x.at)) - t0, publishMs, got });
    const wait = 1000 / rate - (performance.now() - slot);
    if (wait > 0) await sleep(wait);
  }
  return { rows, wallS: (performance.now() - w0) / 1000 };
}

/**
 * The figures of {@link pacedChanges}' rows: publish → all ACKed and publish request (ms),
 * bytes per node per change, full updates among them; `deltas` are the ACKs of each row's version.
 */
export function changeFigures(rows) {
  const lat = rows.map((r) => r.latencyMs);
  const req = rows.map((r) => r.publishMs);
  const deltas = rows.flatMap((r) => r.got.filter((x) => x.version === r.version));
  const bytes = deltas.map((x) => x.bytes);
  return {
    deltas,
    latencyMs: { p50: pct(lat, 50), p90: pct(lat, 90), p99: pct(lat, 99), max: Math.max(...lat) },
    publishRequestMs: { p50: pct(req, 50), p99: pct(req, 99) },
    bytesPerNode: { p50: pct(bytes, 50), max: Math.max(...bytes) },
    fullUpdates: deltas.filter((x) => x.full).length,
  };
}

/** The ACKs simulated nodes report ({node, version, at, bytes, full, …}), by version. */
export class AckBook {
  /** @type {Map<number, Map<string, object>>} */
  #acks = new Map();
  /** @type {Set<{version: number, got: Map<string, object>, check: () => void}>} */
  #waiters = new Set();

  /** Records a simulator's batch. */
  add(list) {
    for (const a of list) {
      let m = this.#acks.get(a.version);
      if (!m) {
        m = new Map();
        this.#acks.set(a.version, m);
      }
      m.set(a.node, a);
      if (!a.nack)
        for (const w of this.#waiters) if (a.version >= w.version && !w.got.has(a.node)) w.got.set(a.node, a);
    }
    for (const w of this.#waiters) w.check();
  }

  /** Each node's first ACK of `version` or later (NACKs aside). */
  ackedSince(version) {
    const got = new Map();
    for (const [v, m] of this.#acks)
      if (v >= version) for (const [node, a] of m) if (!a.nack && !got.has(node)) got.set(node, a);
    return got;
  }

  /**
   * Waits until `n` nodes ACKed `version` (or later).
   * @returns {Promise<object[]>} the ACKs
   * @throws when `timeoutMs` passes first
   */
  allAcked(version, n, timeoutMs) {
    return new Promise((resolve, reject) => {
      const w = { version, got: this.ackedSince(version), check: () => {} };
      const timer = setTimeout(() => {
        this.#waiters.delete(w);
        reject(new Error(`only ${w.got.size}/${n} nodes ACKed version ${version}`));
      }, timeoutMs);
      w.check = () => {
        if (w.got.size < n) return;
        clearTimeout(timer);
        this.#waiters.delete(w);
        resolve([...w.got.values()]);
      };
      this.#waiters.add(w);
      w.check();
    });
  }
}
