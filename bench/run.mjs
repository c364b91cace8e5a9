#!/usr/bin/env node
// `npm run bench`: end-to-end proxy benchmark of Palisade beside its peers (nginx, haproxy,
// fastify-http-proxy, a minimal undici proxy). Starts a fixed-body nginx upstream, then each
// system in turn as real processes on 127.0.0.1, drives each with wrk (closed loop, max
// throughput) and with a fixed-rate generator (p99 at 5k requests/s), charges CPU time and RSS of
// each system's process tree from /proc, and prints one markdown table plus one RESULT line per
// measured system. Every process it starts is stopped by PID at the end, on failure and on SIGINT.
// See bench/README.md.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureSystemPackages } from "../scripts/system-packages.mjs";
import { runFixedRate } from "./lib/fixed-rate.mjs";
import { httpRequest } from "./lib/net.mjs";
import { LARGE_TABLE_ROUTES } from "./lib/palisade.mjs";
import {
  affinityCpus,
  cpuBusyPct,
  killAllNow,
  readCpuTimes,
  stopAll,
  stopProcess,
  treeCpuSeconds,
  treeRssMiB,
} from "./lib/proc.mjs";
import { median, renderTable, resultLines, versusNginx } from "./lib/report.mjs";
import { SYSTEMS, stopPalisade } from "./lib/systems.mjs";
import { startUpstream, UPSTREAM_BODY } from "./lib/upstream.mjs";
import { runWrk } from "./lib/wrk.mjs";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = dirname(BENCH_DIR);
/** wrk: one thread, 50 connections. */
const CONNECTIONS = 50;
/** Unmeasured wrk run before the measured ones (JIT, connection pools, caches). */
const WARMUP_S = 2;
/** Fixed-rate run: 5,000 requests/s from 50 connections, after 2 s of the same schedule unmeasured (lets the GC debt of the saturating wrk runs settle). */
const RATE = 5000;
const RATE_CONNECTIONS = 50;
const RATE_WARMUP_S = 2;
/** The latency target: palisade-full p99 at 5k rps ≤ nginx p99 + 1 ms. */
const TARGET_P99_DELTA_MS = 1;
/**
 * Issue 15's throughput targets (one core for the proxy): palisade-bare ≥ 0.55 × nginx requests/s
 * (moonshot 0.70), palisade-full ≥ 0.40 × (moonshot 0.50).
 */
const TARGET_BARE_VS_NGINX = 0.55;
const MOONSHOT_BARE_VS_NGINX = 0.7;
const TARGET_FULL_VS_NGINX = 0.4;
const MOONSHOT_FULL_VS_NGINX = 0.5;
/** Issue 15's CPU targets, µs of CPU per request: bare ≤ 40, full ≤ 50. */
const TARGET_BARE_CPU_US = 40;
const TARGET_FULL_CPU_US = 50;
/** Issue 14's WAF target: palisade-waf ≥ 0.6 × palisade-full requests/s in the same run. */
const TARGET_WAF_VS_FULL = 0.6;
/** Issue 15's memory target: data-plane worker RSS with 10,000 routes loaded, MiB. */
const TARGET_RSS_10K_MIB = 100;

const USAGE = `Usage: npm run bench -- [--duration N] [--runs N] [--only name,name]

  --duration N   seconds of each measured run (default 10, or BENCH_DURATION)
  --runs N       measured runs per system; figures are their medians (default 1)
  --only LIST    comma-separated subset of: ${SYSTEMS.map((s) => s.name).join(", ")}
  --help         this text`;

/** @param {string} msg */
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

/**
 * @param {string[]} argv
 * @param {NodeJS.ProcessEnv} env
 * @returns {{durationS: number, runs: number, only: string[]} | "help"}
 * @throws Error on a bad flag or value
 */
function parseOptions(argv, env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: "string" },
      runs: { type: "string" },
      only: { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return "help";
  /** @type {(name: string, v: string | undefined, dflt: number) => number} */
  const positiveInt = (name, v, dflt) => {
    if (v === undefined || v === "") return dflt;
    if (!/^\d+$/.test(v) || Number(v) < 1)
      throw new Error(`${name} must be a whole number ≥ 1, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const known = SYSTEMS.map((s) => s.name);
  const only = values.only
    ? values.only
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : known;
  const unknown = only.filter((n) => !known.includes(n));
  if (unknown.length) throw new Error(`unknown system(s) ${unknown.join(", ")}; known: ${known.join(", ")}`);
  return {
    durationS: positiveInt("--duration", values.duration ?? env.BENCH_DURATION, 10),
    runs: positiveInt("--runs", values.runs, 1),
    only,
  };
}

/**
 * Two CPUs from this process's affinity: the system under test on the first, load on the second.
 * @param {boolean} hasTaskset
 * @returns {{sut: string | null, load: string | null, text: string}}
 */
function choosePinning(hasTaskset) {
  if (!hasTaskset) return { sut: null, load: null, text: "not pinned: taskset (util-linux) is missing" };
  const cpus = affinityCpus();
  if (cpus.length < 2) return { sut: null, load: null, text: `not pinned: only ${cpus.length || 1} CPU available` };
  return {
    sut: cpus[0],
    load: cpus[1],
    text: `system under test on CPU ${cpus[0]} (taskset -c ${cpus[0]}); wrk, the fixed-rate generator, the upstream nginx and palisade-cp on CPU ${cpus[1]}`,
  };
}

/** First line of a tool's version output. @param {string} cmd @param {string[]} args */
function versionOf(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n")[0] ?? "";
}

/** Builds control-plane and data-plane (`tsc -b`); a failure is reported, not fatal. */
function buildPalisade() {
  log("building Palisade (npx tsc -b)");
  const r = spawnSync("npx", ["tsc", "-b"], { cwd: REPO_ROOT, encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-5).join("\n  ");
    log(`tsc -b failed (${r.status ?? r.signal}); using whatever dist/ exists:\n  ${out}`);
  }
}

/**
 * One measured wrk run.
 * @typedef {object} RunRecord
 * @property {import("./lib/wrk.mjs").WrkResult} wrk
 * @property {number} cpuSeconds CPU time of the system's process tree during the run
 * @property {number | null} cpuUsPerReq
 * @property {number} sutCpuPct that CPU time as a share of one CPU
 * @property {Record<string, number>} cpuBusyPct busy share of every CPU (from /proc/stat)
 */

/**
 * Everything measured for one system, as written to bench/results/latest.json.
 * @typedef {object} SystemRecord
 * @property {string} system
 * @property {string} [description]
 * @property {"ok" | "unavailable"} status
 * @property {string} [reason] why it was not measured
 * @property {string} [url]
 * @property {string[]} [requestHeaders] names of the headers the load sent (values stay out of the file)
 * @property {string[]} notes
 * @property {RunRecord[]} runs
 * @property {Array<import("./lib/fixed-rate.mjs").FixedRateResult & {sutCpuPct: number, cpuBusyPct: Record<string, number>}>} fixedRate
 *   each fixed-rate run, with the system's CPU share and every CPU's busy share during it
 * @property {number} [rssMiB] RSS of the process tree after all load
 * @property {number} [rssBeforeLoadMiB] the same once it answered its sanity check, before any load
 * @property {import("./lib/report.mjs").Summary} [summary]
 */

/**
 * Measures one system: start, sanity check, warm-up, `runs` wrk runs with CPU accounting,
 * `runs` fixed-rate runs, RSS, stop.
 * @param {import("./lib/systems.mjs").SystemSpec} spec
 * @param {import("./lib/upstream.mjs").BenchContext} ctx
 * @param {{durationS: number, runs: number}} opts
 */
async function measure(spec, ctx, opts) {
  /** @type {SystemRecord} */
  const raw = { system: spec.name, description: spec.description, status: "ok", notes: [], runs: [], fixedRate: [] };
  log(`${spec.name}: starting`);
  /** @type {import("./lib/systems.mjs").RunningSystem | undefined} */
  let sys;
  try {
    sys = await spec.start(ctx);
    raw.url = sys.url;
    raw.requestHeaders = Object.keys(sys.headers);
    raw.notes.push(...sys.notes);
    const probe = await httpRequest(sys.url, { headers: sys.headers, timeoutMs: 5000 });
    if (probe.status !== 200 || probe.body !== UPSTREAM_BODY) {
      throw new Error(`sanity check: ${sys.url} answered ${probe.status} ${JSON.stringify(probe.body.slice(0, 120))}`);
    }
    raw.rssBeforeLoadMiB = treeRssMiB(sys.pid);
    const problem = await sys.extraCheck?.();
    if (problem) raw.notes.push(`check failed: ${problem}`);

    log(`${spec.name}: warm-up ${WARMUP_S} s`);
    await runWrk({
      url: sys.url,
      headers: sys.headers,
      durationS: WARMUP_S,
      connections: CONNECTIONS,
      cpus: ctx.loadCpus,
    });
    for (let i = 1; i <= opts.runs; i++) {
      log(`${spec.name}: wrk run ${i}/${opts.runs} (${opts.durationS} s)`);
      const cpu0 = treeCpuSeconds(sys.pid);
      const times0 = readCpuTimes();
      const wrk = await runWrk({
        url: sys.url,
        headers: sys.headers,
        durationS: opts.durationS,
        connections: CONNECTIONS,
        cpus: ctx.loadCpus,
      });
      const cpuSeconds = treeCpuSeconds(sys.pid) - cpu0;
      const busy = cpuBusyPct(times0, readCpuTimes());
      raw.runs.push({
        wrk,
        cpuSeconds,
        cpuUsPerReq: wrk.requests > 0 ? (cpuSeconds * 1e6) / wrk.requests : null,
        sutCpuPct: Math.round((1000 * cpuSeconds) / wrk.durationS) / 10,
        cpuBusyPct: busy,
      });
      if (wrk.non2xx > 0) raw.notes.push(`wrk run ${i}: ${wrk.non2xx} responses outside 2xx/3xx`);
      const se = wrk.socketErrors;
      if (se.connect + se.read + se.write + se.timeout > 0)
        raw.notes.push(`wrk run ${i}: socket errors ${JSON.stringify(se)}`);
    }
    for (let i = 1; i <= opts.runs; i++) {
      log(`${spec.name}: fixed-rate run ${i}/${opts.runs} (${RATE} rps, ${opts.durationS} s)`);
      const cpu0 = treeCpuSeconds(sys.pid);
      const times0 = readCpuTimes();
      const t0 = performance.now();
      const fr = await runFixedRate({
        url: sys.url,
        headers: sys.headers,
        rate: RATE,
        connections: RATE_CONNECTIONS,
        durationS: opts.durationS,
        warmupS: RATE_WARMUP_S,
        cpus: ctx.loadCpus,
      });
      // CPU seconds over wall milliseconds, as a percentage of one CPU with one decimal.
      const sutCpuPct = Math.round((1_000_000 * (treeCpuSeconds(sys.pid) - cpu0)) / (performance.now() - t0)) / 10;
      const cpuBusy = cpuBusyPct(times0, readCpuTimes());
      raw.fixedRate.push({ ...fr, sutCpuPct, cpuBusyPct: cpuBusy });
      const n = `fixed-rate run ${i}`;
      if (fr.errors || fr.non2xx) raw.notes.push(`${n}: ${fr.errors} errors, ${fr.non2xx} non-2xx`);
      if (fr.achievedRps < RATE * 0.95) raw.notes.push(`${n}: kept up with only ${fr.achievedRps} rps`);
      if (fr.maxLateMs > 10) raw.notes.push(`${n}: the generator's timer slipped by up to ${fr.maxLateMs} ms`);
      const foreign = ctx.sutCpus ? (cpuBusy[ctx.sutCpus] ?? sutCpuPct) - sutCpuPct : 0;
      if (foreign > 5) raw.notes.push(`${n}: other processes took ~${Math.round(foreign)}% of CPU ${ctx.sutCpus}`);
    }
    raw.rssMiB = treeRssMiB(sys.pid);
    raw.summary = {
      rps: median(raw.runs.map((r) => r.wrk.rps)),
      p50Ms: median(raw.runs.map((r) => r.wrk.p50Ms)),
      p99Ms: median(raw.runs.map((r) => r.wrk.p99Ms)),
      p99At5kMs: median(raw.fixedRate.map((r) => r.p99Ms)),
      cpuUsPerReq: median(raw.runs.map((r) => r.cpuUsPerReq)),
      rssMiB: raw.rssMiB,
    };
    const sutPct = median(raw.runs.map((r) => r.sutCpuPct));
    // The SUT's tree is pinned to its CPU, so any other busy time there belongs to someone else.
    const foreign = median(
      raw.runs.map((r) => (r.cpuBusyPct[/** @type {string} */ (ctx.sutCpus)] ?? r.sutCpuPct) - r.sutCpuPct),
    );
    if (ctx.sutCpus && foreign !== null && foreign > 5) {
      raw.notes.push(
        `other processes took ~${Math.round(foreign)}% of CPU ${ctx.sutCpus} during its wrk runs: figures are noisy`,
      );
    }
    if (ctx.sutCpus && sutPct !== null && sutPct < 90 && (foreign ?? 0) <= 5) {
      const loadPct = median(raw.runs.map((r) => r.cpuBusyPct[/** @type {string} */ (ctx.loadCpus)]));
      raw.notes.push(
        `used ${sutPct}% of its CPU under wrk (load CPU ${ctx.loadCpus} ${loadPct}% busy): the load side, not this system, may cap its requests/s`,
      );
    }
  } catch (err) {
    raw.status = "unavailable";
    raw.reason = /** @type {Error} */ (err).message;
    log(`${spec.name}: unavailable: ${raw.reason}`);
  } finally {
    await sys?.stop();
  }
  return raw;
}

async function main() {
  /** @type {ReturnType<typeof parseOptions>} */
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`bench: ${/** @type {Error} */ (err).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  // Debian puts nginx and haproxy in /usr/sbin, which a non-root PATH may lack.
  process.env.PATH = [process.env.PATH, "/usr/sbin", "/sbin"].filter(Boolean).join(":");
  const missing = ensureSystemPackages(
    [
      { command: "wrk", pkg: "wrk" },
      { command: "nginx", pkg: "nginx" },
      { command: "haproxy", pkg: "haproxy" },
      { command: "caddy", pkg: "caddy" },
      { command: "taskset", pkg: "util-linux" },
    ],
    { optional: true },
  );
  for (const cmd of ["wrk", "nginx"]) {
    if (missing.includes(cmd)) {
      process.stderr.write(`bench: ${cmd} is required (the load generator / the upstream); see the message above\n`);
      return 1;
    }
  }
  const pin = choosePinning(!missing.includes("taskset"));
  if (opts.only.some((n) => n.startsWith("palisade-"))) buildPalisade();

  const dir = mkdtempSync(join(os.tmpdir(), "palisade-bench-"));
  /** @type {import("./lib/upstream.mjs").BenchContext} */
  const ctx = { dir, repoRoot: REPO_ROOT, upstreamPort: 0, sutCpus: pin.sut, loadCpus: pin.load, log };
  let interrupted = false;
  /** @type {Promise<void> | undefined} */
  let cleaning;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await stopPalisade();
      await stopAll();
      rmSync(dir, { recursive: true, force: true });
    })());
  for (const sig of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
    process.on(sig, () => {
      if (interrupted) return;
      interrupted = true;
      log(`${sig}: stopping every process the bench started`);
      cleanup().finally(() => process.exit(130));
    });
  }
  process.on("exit", killAllNow);

  const machine = {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model?.trim() ?? "",
    pinning: pin.text,
    wrk: versionOf("wrk", ["--version"]),
    nginx: versionOf("nginx", ["-v"]),
    haproxy: missing.includes("haproxy") ? "missing" : versionOf("haproxy", ["-v"]),
    caddy: missing.includes("caddy") ? "missing" : versionOf("caddy", ["version"]),
  };
  log(`pinning: ${pin.text}`);
  const load1 = os.loadavg()[0];
  const busyNote =
    load1 > 0.5
      ? `the machine was not idle at the start (1-min load average ${load1.toFixed(2)}): figures are noisy`
      : "";

  /** @type {import("./lib/report.mjs").Row[]} */
  const rows = [];
  /** @type {SystemRecord[]} */
  const raws = [];
  try {
    const upstream = await startUpstream(ctx);
    ctx.upstreamPort = upstream.port;
    log(`upstream nginx on 127.0.0.1:${upstream.port} (100-byte JSON body)`);
    for (const spec of SYSTEMS.filter((s) => opts.only.includes(s.name))) {
      if (interrupted) break;
      if ((spec.name === "haproxy" || spec.name === "caddy") && missing.includes(spec.name)) {
        /** @type {SystemRecord} */
        const raw = {
          system: spec.name,
          status: "unavailable",
          reason: `${spec.name} is not installed (apt package ${spec.name})`,
          notes: [],
          runs: [],
          fixedRate: [],
        };
        raws.push(raw);
        rows.push({ system: spec.name, unavailable: raw.reason ?? "" });
        continue;
      }
      const raw = await measure(spec, ctx, opts);
      raws.push(raw);
      rows.push(
        raw.summary
          ? { system: spec.name, summary: raw.summary }
          : { system: spec.name, unavailable: raw.reason ?? "unknown" },
      );
    }
    await stopPalisade();
    await stopProcess(upstream.proc);
  } finally {
    await cleanup();
  }
  if (interrupted) return 130;

  const table = renderTable(rows, RATE);
  const results = resultLines(rows);
  const nginx = raws.find((r) => r.system === "nginx" && r.summary)?.summary;
  const notes = [];
  const full = raws.find((r) => r.system === "palisade-full" && r.summary)?.summary;
  if (full && nginx) {
    const d = versusNginx(full, nginx).p99DeltaMs;
    const verdict = d === null ? "not measured" : d <= TARGET_P99_DELTA_MS ? "met" : "NOT met";
    notes.push(
      `target: palisade-full p99 @${RATE} rps ≤ nginx p99 + ${TARGET_P99_DELTA_MS} ms → ${verdict} (${full.p99At5kMs?.toFixed(2)} ms vs ${nginx.p99At5kMs?.toFixed(2)} ms)`,
    );
  }
  const byName = (/** @type {string} */ name) => raws.find((r) => r.system === name && r.summary)?.summary;
  const bare = byName("palisade-bare");
  if (nginx?.rps) {
    for (const [name, s, min, moonshot] of /** @type {const} */ ([
      ["palisade-bare", bare, TARGET_BARE_VS_NGINX, MOONSHOT_BARE_VS_NGINX],
      ["palisade-full", full, TARGET_FULL_VS_NGINX, MOONSHOT_FULL_VS_NGINX],
    ])) {
      if (!s?.rps) continue;
      const ratio = s.rps / nginx.rps;
      const shot = ratio >= moonshot ? `, moonshot ${moonshot}× met` : `, moonshot ${moonshot}× not met`;
      notes.push(
        `target: ${name} ≥ ${min} × nginx requests/s → ${ratio >= min ? "met" : "NOT met"} (${ratio.toFixed(2)}×${shot})`,
      );
    }
  }
  for (const [name, s, max] of /** @type {const} */ ([
    ["palisade-bare", bare, TARGET_BARE_CPU_US],
    ["palisade-full", full, TARGET_FULL_CPU_US],
  ])) {
    const us = s?.cpuUsPerReq;
    if (us === null || us === undefined) continue;
    notes.push(`target: ${name} CPU ≤ ${max} µs/request → ${us <= max ? "met" : "NOT met"} (${us.toFixed(1)} µs)`);
  }
  const waf = byName("palisade-waf");
  if (waf?.rps && full?.rps) {
    const ratio = waf.rps / full.rps;
    const cpu =
      waf.cpuUsPerReq != null && full.cpuUsPerReq != null
        ? `; the WAF's CPU: ${(waf.cpuUsPerReq - full.cpuUsPerReq).toFixed(1)} µs/request (${waf.cpuUsPerReq.toFixed(1)} − ${full.cpuUsPerReq.toFixed(1)})`
        : "";
    notes.push(
      `target: palisade-waf ≥ ${TARGET_WAF_VS_FULL} × palisade-full requests/s → ${ratio >= TARGET_WAF_VS_FULL ? "met" : "NOT met"} (${ratio.toFixed(2)}×${cpu})`,
    );
  }
  const large = raws.find((r) => r.system === "palisade-10k-routes" && r.summary);
  const largeRss = large?.summary?.rssMiB;
  if (large && largeRss !== null && largeRss !== undefined) {
    notes.push(
      `target: data-plane worker RSS with ${LARGE_TABLE_ROUTES.toLocaleString("en")} routes loaded ≤ ${TARGET_RSS_10K_MIB} MiB → ${largeRss <= TARGET_RSS_10K_MIB ? "met" : "NOT met"} (${largeRss.toFixed(1)} MiB after its load, ${large.rssBeforeLoadMiB?.toFixed(1)} MiB before; one worker)`,
    );
  }
  if (busyNote) notes.push(busyNote);
  for (const r of raws) for (const n of r.notes ?? []) notes.push(`${r.system}: ${n}`);

  const header = [
    `Palisade bench — ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.wrk.replace(/ Copyright.*$/, "")}, ${machine.nginx}, ${machine.haproxy.replace(/ - https.*$/, "")}, caddy ${machine.caddy.split(" ")[0]}`,
    `pinning: ${pin.text}`,
    `load: wrk -t1 -c${CONNECTIONS} -d${opts.durationS}s --latency after a ${WARMUP_S} s warm-up; fixed-rate ${RATE} rps from ${RATE_CONNECTIONS} connections for ${opts.durationS} s after ${RATE_WARMUP_S} s; ${opts.runs} run(s), medians`,
    "CPU µs/req and RSS: the system's whole process tree (workers included) from /proc; p99 vs nginx: difference of the fixed-rate p99",
  ];
  const out = [
    "",
    ...header,
    "",
    table,
    "",
    ...(notes.length ? ["notes:", ...notes.map((n) => `- ${n}`), ""] : []),
    ...results,
  ].join("\n");
  process.stdout.write(`${out}\n`);

  const resultsDir = join(BENCH_DIR, "results");
  mkdirSync(resultsDir, { recursive: true });
  const json = {
    finishedAt: new Date().toISOString(),
    options: { ...opts, connections: CONNECTIONS, warmupS: WARMUP_S, rate: RATE, rateConnections: RATE_CONNECTIONS },
    machine: { ...machine, loadAverage1mAtStart: load1 },
    systems: raws,
    table,
    notes,
    results,
  };
  writeFileSync(join(resultsDir, "latest.json"), `${JSON.stringify(json, null, 2)}\n`);
  log(`wrote ${join("bench", "results", "latest.json")}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    process.stderr.write(`bench: ${err?.stack ?? err}\n`);
    await stopAll();
    process.exit(1);
  },
);
