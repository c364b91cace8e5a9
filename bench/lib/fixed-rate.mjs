// Runs the fixed-rate generator (bench/load/fixed-rate.mjs) in its own process, pinned with the
// load, and returns its JSON result.
import { fileURLToPath } from "node:url";
import { startProcess, stopProcess } from "./proc.mjs";

const GENERATOR = fileURLToPath(new URL("../load/fixed-rate.mjs", import.meta.url));

/**
 * @typedef {object} FixedRateResult
 * @property {number} rate target requests/s
 * @property {number} achievedRps completed requests/s in the measured window
 * @property {number} sent
 * @property {number} completed
 * @property {number} non2xx
 * @property {number} errors
 * @property {string} [firstError]
 * @property {number} maxLateMs how late the generator itself sent its latest request (should stay ~1 ms)
 * @property {number} p50Ms latency from due time to end of response, ms
 * @property {number} p90Ms
 * @property {number} p99Ms
 * @property {number} p999Ms
 * @property {number} maxMs
 */

/**
 * @param {{url: string, rate: number, connections: number, durationS: number, warmupS: number,
 *   headers?: Record<string, string>, cpus?: string | null}} opts
 * @returns {Promise<FixedRateResult>}
 * @throws Error when the generator fails or prints no result
 */
export async function runFixedRate(opts) {
  const { cpus, ...spec } = opts;
  let last = "";
  const gen = startProcess("fixed-rate generator", process.execPath, [GENERATOR, JSON.stringify(spec)], {
    cpus,
    onStdoutLine: (l) => {
      if (l.trim()) last = l;
    },
  });
  const guard = setTimeout(() => stopProcess(gen), (opts.durationS + opts.warmupS + 40) * 1000);
  const { code } = await gen.exited;
  await gen.closed;
  clearTimeout(guard);
  if (code !== 0 || !last.startsWith("{")) throw new Error(`fixed-rate generator exited with ${code}: ${gen.output()}`);
  return JSON.parse(last);
}
