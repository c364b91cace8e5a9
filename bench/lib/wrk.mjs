// Closed-loop load with wrk 4 (one thread, 50 connections, --latency) and the parser of its report.
import { fileURLToPath } from "node:url";
import { startProcess, stopProcess } from "./proc.mjs";

/**
 * @typedef {object} WrkResult
 * @property {number} rps requests per second over the run
 * @property {number} requests completed requests
 * @property {number} durationS measured seconds (wrk's own figure)
 * @property {number} p50Ms latency percentiles from the --latency distribution, ms
 * @property {number} p75Ms
 * @property {number} p90Ms
 * @property {number} p99Ms
 * @property {number} non2xx responses outside 2xx/3xx
 * @property {{connect: number, read: number, write: number, timeout: number}} socketErrors
 */

/** wrk prints durations as 812.00us, 1.23ms, 1.02s or 2.00m. */
const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** @param {string} v e.g. "1.23ms" @returns {number} milliseconds */
function toMs(v) {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(v.trim());
  if (!m) throw new Error(`unreadable wrk duration ${JSON.stringify(v)}`);
  return Number(m[1]) * UNIT_MS[/** @type {keyof typeof UNIT_MS} */ (m[2])];
}

/**
 * Parses the text report of `wrk --latency`.
 * @param {string} text
 * @returns {WrkResult}
 * @throws Error when the report lacks requests/s or the latency distribution
 */
export function parseWrk(text) {
  const pct = (/** @type {number} */ p) => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m").exec(text);
    if (!m) throw new Error(`wrk output has no ${p}% latency line:\n${text}`);
    return toMs(m[1]);
  };
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  const done = /^\s*(\d+) requests in ([\d.]+\w+),/m.exec(text);
  if (!rps || !done) throw new Error(`wrk output has no Requests/sec line:\n${text}`);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    rps: Number(rps[1]),
    requests: Number(done[1]),
    durationS: toMs(done[2]) / 1000,
    p50Ms: pct(50),
    p75Ms: pct(75),
    p90Ms: pct(90),
    p99Ms: pct(99),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: {
      connect: Number(sock?.[1] ?? 0),
      read: Number(sock?.[2] ?? 0),
      write: Number(sock?.[3] ?? 0),
      timeout: Number(sock?.[4] ?? 0),
    },
  };
}

/** The wrk script that stops after a fixed number of responses (`requests`). */
const STOP_AFTER = fileURLToPath(new URL("./stop-after.lua", import.meta.url));

/**
 * Runs `wrk -t1 -c<connections> -d<durationS>s --latency [-H ...] <url>` to completion.
 * With `requests`, wrk's one thread stops after that many responses (stop-after.lua): a fixed
 * request count, for CPU per request measured over the same work whatever the machine's speed;
 * `durationS` is then the upper bound (wrk waits it out: size it from a warm-up run).
 * @param {{url: string, durationS: number, connections: number, headers?: Record<string, string>,
 *   cpus?: string | null, requests?: number}} opts
 * @returns {Promise<WrkResult>}
 * @throws Error when wrk fails or prints no report
 */
export async function runWrk(opts) {
  const args = ["-t1", `-c${opts.connections}`, `-d${opts.durationS}s`, "--latency", "--timeout", "5s"];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push("-H", `${k}: ${v}`);
  if (opts.requests !== undefined) args.push("-s", STOP_AFTER);
  args.push(opts.url);
  let stdout = "";
  const env = opts.requests === undefined ? process.env : { ...process.env, WRK_REQUESTS: String(opts.requests) };
  const wrk = startProcess("wrk", "wrk", args, {
    cpus: opts.cpus,
    env,
    onStdoutLine: (l) => (stdout += `${l}\n`),
  });
  // wrk stops by itself after -d; the guard only covers a wedged run.
  const guard = setTimeout(() => stopProcess(wrk), (opts.durationS + 20) * 1000);
  const { code } = await wrk.exited;
  await wrk.closed;
  clearTimeout(guard);
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${wrk.output()}`);
  return parseWrk(stdout);
}
