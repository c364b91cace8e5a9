#!/usr/bin/env node
// `node bench/profile.mjs`: where palisade-dp spends its time, and what its collector does, under
// the bench's own load (see bench/PROFILE.md for a run and its reading). Two modes:
//
//   --mode cpu  --route bare|full [--duration S] [--requests N]
//       palisade-dp runs with --cpu-prof; after a 2 s wrk warm-up and one measured wrk run the node
//       is stopped (SIGTERM, so the profile is written) and the samples are summed bottom-up (self
//       time) into categories: V8 GC, native outside JS (libuv reads/epoll/kernel), socket writes,
//       HTTP parsing (llhttp), node:http, streams/net, undici, Palisade by file, other packages.
//       --requests N: the measured run is a fixed N requests (wrk stops after them) instead of
//       --duration seconds, so CPU µs/request covers the same work on a busy machine; requests/s
//       is then the warm-up's, and the 1-minute load average is printed beside the figures.
//   --mode gc   --variant standard|routes-10k [--semi MiB] [--duration S]
//       palisade-dp runs with --trace-gc (and --max-semi-space-size when --semi is given); reports
//       wrk requests/s and CPU µs/request, the fixed-rate (5,000 requests/s) p99, and per run the
//       scavenges and mark-compacts seen (count, total and longest pause, ms), and RSS after load.
//
// Same pinning, upstream and Palisade set-up as `npm run bench` (bench/lib/*); loopback only; every
// process started is stopped by PID. A tool for people, never part of `npm test`.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runFixedRate } from "./lib/fixed-rate.mjs";
import { startPalisade } from "./lib/palisade.mjs";
import { benchPinning, killAllNow, stopAll, stopProcess, treeCpuSeconds, treeRssMiB } from "./lib/proc.mjs";
import { startUpstream } from "./lib/upstream.mjs";
import { runWrk } from "./lib/wrk.mjs";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = dirname(BENCH_DIR);
const log = (/** @type {string} */ msg) => process.stderr.write(`[profile] ${msg}\n`);

const { values: opt } = parseArgs({
  options: {
    mode: { type: "string", default: "cpu" },
    route: { type: "string", default: "bare" },
    variant: { type: "string", default: "standard" },
    semi: { type: "string" },
    duration: { type: "string", default: "10" },
    "node-options": { type: "string", default: "" },
    load: { type: "string", default: "wrk" },
    requests: { type: "string" },
  },
  strict: true,
});
const durationS = Number(opt.duration);

/**
 * Bottom-up self time of a .cpuprofile, in categories.
 * @param {any} prof V8 CPU profile (nodes, samples, timeDeltas; timestamps are CLOCK_MONOTONIC µs)
 * @param {[number, number]} window only samples inside [from, to] µs (process.hrtime of the measured wrk run)
 * @returns {{total: number, byCategory: Map<string, number>, byFunction: Map<string, number>, busy: {ms: number, top: string}[]}} µs
 */
function summarise(prof, window) {
  /** @type {Map<number, any>} */
  const nodes = new Map(prof.nodes.map((/** @type {any} */ n) => [n.id, n]));
  /** @type {Map<number, number>} */
  const self = new Map();
  let t = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i];
    if (t < window[0] || t > window[1]) continue;
    const dt = prof.timeDeltas[i + 1] ?? 0;
    self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt);
  }
  const byCategory = new Map();
  const byFunction = new Map();
  let total = 0;
  // Longest stretches of consecutive non-idle samples: where the event loop was held (stalls).
  /** @type {{ms: number, top: string}[]} */
  const busy = [];
  let run = 0;
  /** @type {Map<string, number>} */
  let runFns = new Map();
  t = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i];
    if (t < window[0] || t > window[1]) continue;
    const cf = nodes.get(prof.samples[i]).callFrame;
    const dt = prof.timeDeltas[i + 1] ?? 0;
    if (cf.functionName === "(idle)") {
      if (run > 5000)
        busy.push({
          ms: run / 1000,
          top: [...runFns]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 4)
            .map(([k, v]) => `${k} ${Math.round(v / 1000)}ms`)
            .join("; "),
        });
      run = 0;
      runFns = new Map();
      continue;
    }
    run += dt;
    const k = `${cf.functionName || "(anon)"}@${(cf.url || "").replace(/^.*\/(dist|node_modules)\//, "")}:${cf.lineNumber}`;
    runFns.set(k, (runFns.get(k) ?? 0) + dt);
  }
  busy.sort((a, b) => b.ms - a.ms);
  for (const [id, us] of self) {
    const { functionName: fn, url } = nodes.get(id).callFrame;
    const cat = categorise(fn, url);
    if (cat === "idle") continue;
    total += us;
    byCategory.set(cat, (byCategory.get(cat) ?? 0) + us);
    const key = `${fn || "(anonymous)"} ${url ? url.replace(/^.*\/(dist|node_modules)\//, "$1/") : ""}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  return { total, byCategory, byFunction, busy: busy.slice(0, 8) };
}

/** @param {string} fn @param {string} url */
function categorise(fn, url) {
  if (fn === "(idle)") return "idle";
  if (fn === "(garbage collector)") return "V8 GC";
  if (fn === "(program)") return "native outside JS (libuv poll/reads, kernel, V8 runtime)";
  if (!url) {
    if (/^(writev|writeUtf8String|writeLatin1String|writeBuffer|writeAsciiString)$/.test(fn))
      return "socket writes (native writev/write)";
    if (fn === "execute" || fn === "finish") return "HTTP parsing (llhttp, native)";
    return `native builtins (${fn})`;
  }
  if (url.includes("/data-plane/dist/")) return `palisade ${url.replace(/^.*\/data-plane\/dist\//, "")}`;
  if (url.includes("node_modules/undici/")) return "undici";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `package ${pkg[1]}`;
  if (/^node:_http_|^node:http$/.test(url)) return "node:http (JS)";
  if (/^node:(net|stream|internal\/streams|internal\/stream_base_commons)/.test(url)) return "node net/streams (JS)";
  if (url.startsWith("node:")) return `node core ${url.slice(5)}`;
  return `other ${url}`;
}

async function main() {
  const pin = benchPinning();
  const dir = mkdtempSync(join(os.tmpdir(), "palisade-profile-"));
  const profDir = join(dir, "prof");
  /** @type {{t: number, line: string}[]} */
  const gcLines = [];
  const ctx = {
    dir,
    repoRoot: REPO_ROOT,
    upstreamPort: 0,
    sutCpus: pin.sut,
    loadCpus: pin.load,
    log,
    onDpStdoutLine: (/** @type {string} */ line) => {
      if (/Scavenge|Mark-Compact|Mark-sweep|Minor/.test(line)) gcLines.push({ t: performance.now(), line });
    },
  };
  const flags = [opt["node-options"]];
  /** @type {[number, number]} */
  let profWindow = [0, 0];
  if (opt.mode === "cpu") flags.push(`--cpu-prof --cpu-prof-dir=${profDir}`);
  else flags.push("--trace-gc");
  if (opt.semi) flags.push(`--max-semi-space-size=${opt.semi}`);
  process.env.BENCH_DP_NODE_ARGS = flags.filter(Boolean).join(" ");
  log(`palisade-dp node flags: ${process.env.BENCH_DP_NODE_ARGS}; pinned sut=${pin.sut} load=${pin.load}`);
  const upstream = await startUpstream(ctx);
  ctx.upstreamPort = upstream.port;
  const pal = await startPalisade(ctx, /** @type {any} */ (opt.variant));
  try {
    const route = pal.routes[opt.route];
    if (!route || !("url" in route)) throw new Error(`route ${opt.route}: ${JSON.stringify(route)}`);
    const common = { url: route.url, headers: route.headers, connections: 50, cpus: pin.load };
    const warm = await runWrk({ ...common, durationS: 2 });
    // --requests: a fixed request count (wrk stops after it; -d is the bound, from the warm-up's rate).
    const count = opt.requests === undefined ? undefined : Number(opt.requests);
    const measured =
      count === undefined
        ? { durationS }
        : { durationS: Math.ceil((count / Math.max(1, warm.rps)) * 1.5) + 2, requests: count };
    const window = (/** @type {number} */ t0, /** @type {number} */ t1) =>
      gcStats(gcLines.filter((g) => g.t >= t0 && g.t <= t1));
    const cpu0 = treeCpuSeconds(pal.dpPid);
    const w0 = performance.now();
    const mono0 = Number(process.hrtime.bigint() / 1000n);
    const wrk = await runWrk({ ...common, ...measured });
    if (count !== undefined && wrk.requests < count)
      log(`only ${wrk.requests} of ${count} requests within ${measured.durationS} s`);
    const w1 = performance.now();
    profWindow = [mono0, Number(process.hrtime.bigint() / 1000n)];
    const cpuUs = ((treeCpuSeconds(pal.dpPid) - cpu0) * 1e6) / wrk.requests;
    const out = {
      flags: process.env.BENCH_DP_NODE_ARGS,
      route: opt.route,
      variant: opt.variant,
      requests: wrk.requests,
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
      rps: Math.round(count === undefined ? wrk.rps : warm.rps),
      wrkP99Ms: wrk.p99Ms,
      cpuUsPerReq: Math.round(cpuUs * 10) / 10,
      gcUnderWrk: window(w0, w1),
    };
    if (opt.mode === "gc" || opt.load === "fixed") {
      const f0 = performance.now();
      const fmono0 = Number(process.hrtime.bigint() / 1000n);
      const fr = await runFixedRate({ ...common, rate: 5000, durationS, warmupS: 2 });
      const f1 = performance.now();
      Object.assign(out, {
        fixedRate: { p50Ms: fr.p50Ms, p99Ms: fr.p99Ms, p999Ms: fr.p999Ms, maxMs: fr.maxMs, late: fr.maxLateMs },
        // the generator's 2 s warm-up is inside [f0, f1]; the rate is the same throughout
        gcUnderFixedRate: window(f0, f1),
        rssMiB: treeRssMiB(pal.dpPid),
      });
      if (opt.load === "fixed") profWindow = [fmono0, Number(process.hrtime.bigint() / 1000n)];
    }
    console.log(JSON.stringify(out));
  } finally {
    await pal.stop();
    await stopProcess(upstream.proc);
  }
  if (opt.mode === "cpu") {
    const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error("no .cpuprofile written");
    const { total, byCategory, byFunction, busy } = summarise(
      JSON.parse(readFileSync(join(profDir, file), "utf8")),
      profWindow,
    );
    const pct = (/** @type {number} */ us) => `${((100 * us) / total).toFixed(1)} %`;
    console.log(`\nbusy (non-idle) sampled time: ${(total / 1e6).toFixed(2)} s`);
    console.log("| category | % of busy |\n| --- | ---: |");
    for (const [k, v] of [...byCategory].sort((a, b) => b[1] - a[1]))
      if (v / total >= 0.002) console.log(`| ${k} | ${pct(v)} |`);
    console.log("\nlongest busy stretches (event loop never idle), ms, with their top self-time frames:");
    for (const b of busy) console.log(`${b.ms.toFixed(1).padStart(8)}  ${b.top}`);
    console.log("\ntop functions by self time:");
    for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 40))
      console.log(`${pct(v).padStart(7)}  ${k}`);
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Pauses by kind from --trace-gc lines ("Scavenge 10.1 (12.0) -> 9.0 (13.0) MB, 0.52 / 0.00 ms").
 * @param {{line: string}[]} lines
 */
function gcStats(lines) {
  /** @type {Record<string, {n: number, totalMs: number, maxMs: number}>} */
  const s = {};
  let heapMb = 0;
  for (const { line } of lines) {
    const m =
      /:\s+(Scavenge|Mark-Compact(?: \(reduce\))?|Minor Mark-Sweep|Mark-sweep)\b.*?->\s*([\d.]+)\s*\(([\d.]+)\)\s*MB,\s*(?:pooled: [\d.]+ MB,\s*)?([\d.]+)/.exec(
        line,
      );
    if (!m) continue;
    const k = m[1];
    s[k] ??= { n: 0, totalMs: 0, maxMs: 0 };
    const ms = Number(m[4]);
    s[k].n++;
    s[k].totalMs = Math.round((s[k].totalMs + ms) * 100) / 100;
    s[k].maxMs = Math.max(s[k].maxMs, ms);
    heapMb = Number(m[3]);
  }
  return { ...s, heapCommittedMb: heapMb };
}

process.on("exit", killAllNow);
main().catch(async (err) => {
  process.stderr.write(`profile: ${err?.stack ?? err}\n`);
  await stopAll();
  process.exit(1);
});
