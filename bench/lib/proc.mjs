// Child-process bookkeeping for the bench: every process it starts is tracked here and stopped by
// its PID (then its descendants by PID) at the end, on failure and on SIGINT. Also reads CPU time
// and RSS of a process tree from /proc, which is how the bench charges a system under test.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on Linux nearly always). */
export const CLK_TCK = (() => {
  const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const n = Number.parseInt(r.stdout ?? "", 10);
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/**
 * CPUs this process may run on: `taskset -pc <pid>`'s list expanded ("0-3,6" → ["0","1","2","3","6"]);
 * [] when taskset is missing or its answer cannot be read.
 * @returns {string[]}
 */
export function affinityCpus() {
  const r = spawnSync("taskset", ["-pc", String(process.pid)], { encoding: "utf8" });
  const list = /list:\s*(\S+)/.exec(r.stdout ?? "")?.[1] ?? "";
  const out = [];
  for (const part of list.split(",")) {
    const [a, b] = part.split("-").map((x) => Number.parseInt(x, 10));
    if (!Number.isFinite(a)) continue;
    for (let c = a; c <= (Number.isFinite(b) ? b : a); c++) out.push(String(c));
  }
  return out;
}

/**
 * The bench's pinning: the system under test on the first CPU of this process's affinity, load
 * (generators, upstreams, the control plane) on the second; both null (not pinned) with fewer than two.
 * @returns {{sut: string | null, load: string | null}}
 */
export function benchPinning() {
  const cpus = affinityCpus();
  return cpus.length >= 2 ? { sut: cpus[0], load: cpus[1] } : { sut: null, load: null };
}

/**
 * @typedef {object} Tracked
 * @property {string} label name used in messages
 * @property {import("node:child_process").ChildProcessByStdio<null, import("node:stream").Readable, import("node:stream").Readable>} child
 * @property {number} pid
 * @property {Promise<{code: number | null, signal: string | null}>} exited resolves when the process is gone
 * @property {Promise<void>} closed resolves once its stdout and stderr are drained too (after `exited`)
 * @property {boolean} hasExited
 * @property {() => string} output last lines of stdout + stderr (for error messages)
 */

/** @type {Set<Tracked>} */
const running = new Set();

/**
 * Keeps the last `max` characters of a stream's text.
 * @param {number} max
 */
function tail(max) {
  let text = "";
  return {
    /** @param {Buffer} chunk */
    push(chunk) {
      text = (text + chunk.toString("utf8")).slice(-max);
    },
    get text() {
      return text;
    },
  };
}

/**
 * Starts a tracked child process, optionally pinned with `taskset -c <cpus>` (taskset execs the
 * command, so the PID is the command's own).
 * @param {string} label
 * @param {string} command
 * @param {string[]} args
 * @param {{cpus?: string | null, env?: NodeJS.ProcessEnv, cwd?: string, onStdoutLine?: (line: string) => void}} [opts]
 * @returns {Tracked}
 * @throws Error when the process cannot be spawned
 */
export function startProcess(label, command, args, opts = {}) {
  const [file, argv] = opts.cpus ? ["taskset", ["-c", opts.cpus, command, ...args]] : [command, args];
  const child = spawn(file, argv, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`${label}: could not start ${command}`);
  const out = tail(4000);
  let partial = "";
  child.stdout.on("data", (/** @type {Buffer} */ chunk) => {
    out.push(chunk);
    if (!opts.onStdoutLine) return;
    partial += chunk.toString("utf8");
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) opts.onStdoutLine(line);
  });
  child.stderr.on("data", (/** @type {Buffer} */ chunk) => out.push(chunk));
  /** @type {Tracked} */
  const tracked = {
    label,
    child,
    pid: child.pid,
    hasExited: false,
    exited: new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        tracked.hasExited = true;
        running.delete(tracked);
        resolve({ code, signal });
      });
    }),
    closed: new Promise((resolve) => child.on("close", () => resolve())),
    output: () => out.text.trim().split("\n").slice(-12).join("\n"),
  };
  child.on("error", () => {}); // spawn errors surface as an exit (code null); never as an uncaught throw
  running.add(tracked);
  return tracked;
}

/**
 * Stops a tracked process by PID: SIGTERM, then SIGKILL after `graceMs`; descendants seen before
 * the signal (nginx workers, cluster workers) that outlive it are killed by their PIDs too.
 * @param {Tracked | undefined} t
 * @param {number} [graceMs]
 */
export async function stopProcess(t, graceMs = 3000) {
  if (!t) return;
  const tree = t.hasExited ? [] : processTree(t.pid).filter((p) => p !== t.pid);
  if (!t.hasExited) signal(t.pid, "SIGTERM");
  const timer = new Promise((r) => setTimeout(r, graceMs, "timeout"));
  if ((await Promise.race([t.exited, timer])) === "timeout") {
    signal(t.pid, "SIGKILL");
    await t.exited;
  }
  for (const pid of tree) if (isAlive(pid)) signal(pid, "SIGKILL");
  running.delete(t);
}

/** Stops every process still tracked (in reverse start order). */
export async function stopAll() {
  for (const t of [...running].reverse()) await stopProcess(t, 2000);
}

/** Synchronous last resort for `process.on("exit")`: SIGKILL every tracked PID. */
export function killAllNow() {
  for (const t of running) if (!t.hasExited) signal(t.pid, "SIGKILL");
}

/**
 * What a standalone bench script (soak, chaos) starts from: the bench's pinning, a temporary
 * directory `<prefix>…` and the context the starters take; every tracked process is killed on
 * exit and stopped on SIGINT/SIGTERM (exit 130).
 * @param {string} prefix temporary directory name prefix
 * @param {string} repoRoot
 * @param {(msg: string) => void} log
 */
export function scriptSetup(prefix, repoRoot, log) {
  const pin = benchPinning();
  const dir = mkdtempSync(join(os.tmpdir(), prefix));
  const ctx = { dir, repoRoot, upstreamPort: 0, sutCpus: pin.sut, loadCpus: pin.load, log };
  process.on("exit", killAllNow);
  for (const sig of ["SIGINT", "SIGTERM"])
    process.on(sig, () => {
      log(`${sig}: stopping`);
      stopAll().finally(() => process.exit(130));
    });
  return { pin, dir, ctx };
}

/** @param {number} pid @param {NodeJS.Signals} sig */
function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** @param {number} pid */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * One row of /proc/<pid>/stat: parent PID and CPU ticks (utime + stime + cutime + cstime, so a
 * child reaped during the run stays counted through its parent).
 * @typedef {{pid: number, ppid: number, ticks: number}} ProcStat
 */

/** @returns {Map<number, ProcStat>} every process visible in /proc */
function readProcTable() {
  /** @type {Map<number, ProcStat>} */
  const table = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let text;
    try {
      text = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // comm (field 2) may contain spaces and parentheses: fields resume after the last ")".
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const n = (/** @type {number} */ i) => Number.parseInt(rest[i] ?? "0", 10);
    // rest[0] is field 3 (state): ppid = field 4, utime..cstime = fields 14..17 (proc(5)).
    table.set(Number(name), { pid: Number(name), ppid: n(1), ticks: n(11) + n(12) + n(13) + n(14) });
  }
  return table;
}

/**
 * PIDs of `root` and every process whose ancestry includes it.
 * @param {number} root
 * @param {Map<number, ProcStat>} [table]
 * @returns {number[]}
 */
export function processTree(root, table = readProcTable()) {
  /** @type {Map<number, number[]>} */
  const children = new Map();
  for (const p of table.values()) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  if (!table.has(root)) return [];
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}

/**
 * CPU time of a process tree so far, in seconds (user + system, children included).
 * @param {number} root
 * @returns {number}
 */
export function treeCpuSeconds(root) {
  const table = readProcTable();
  let ticks = 0;
  for (const pid of processTree(root, table)) ticks += table.get(pid)?.ticks ?? 0;
  return ticks / CLK_TCK;
}

/**
 * Resident set size of a process tree, in MiB (sum of VmRSS; shared pages count once per process,
 * as `ps` would show them).
 * @param {number} root
 * @returns {number}
 */
export function treeRssMiB(root) {
  let kib = 0;
  for (const pid of processTree(root)) {
    try {
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) kib += Number(m[1]);
    } catch {
      // exited while we looked
    }
  }
  return kib / 1024;
}

/**
 * Busy and total jiffies of each CPU from /proc/stat (busy = everything but idle and iowait).
 * @returns {Map<string, {busy: number, total: number}>} keyed by CPU id ("0", "1", ...)
 */
export function readCpuTimes() {
  /** @type {Map<string, {busy: number, total: number}>} */
  const out = new Map();
  for (const line of readFileSync("/proc/stat", "utf8").split("\n")) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2].trim().split(/\s+/).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    out.set(m[1], { busy: total - v[3] - v[4], total });
  }
  return out;
}

/**
 * Busy percentage of each CPU between two `readCpuTimes()` snapshots.
 * @param {Map<string, {busy: number, total: number}>} before
 * @param {Map<string, {busy: number, total: number}>} after
 * @returns {Record<string, number>}
 */
export function cpuBusyPct(before, after) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const [id, a] of after) {
    const b = before.get(id);
    if (!b || a.total === b.total) continue;
    out[id] = Math.round((1000 * (a.busy - b.busy)) / (a.total - b.total)) / 10;
  }
  return out;
}
