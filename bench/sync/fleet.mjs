#!/usr/bin/env node
// Fleet bench (issue 19 point 4): the control plane's own cost of keeping a fleet in sync, with
// thin simulated nodes (thin-nodes.mjs: real gRPC streams that validate and ACK, no compile).
//
//   npm run build && node bench/sync/fleet.mjs [--nodes 1000] [--routes 10000] [--publishes 30]
//     [--rate 1] [--procs 4] [--backend both|sqlite|postgres] [--report-ms 5000] [--cpu-prof]
//
// For each backend:
// 1. SQLite: one palisade-cp on a temporary database. PostgreSQL: a throwaway cluster
//    (test-support's startPostgres: initdb + pg_ctl, loopback, no fsync) and two replicas on it.
//    Plain gRPC sync on fixed loopback ports (a restarted control plane takes its port back).
// 2. Seeds `--routes` routes (the GitHub route set) in one GitOps sync and publishes them.
// 3. Starts `--nodes` thin nodes in `--procs` processes, all at once; with two replicas each node
//    takes both addresses, half of them the second first. Times the initial full sync (until
//    every node ACKed), the control planes' RSS before and after (per node: the streams' cost).
// 4. Publishes `--publishes` one-route changes through the first control plane, one after the
//    other at most `--rate` per second: publish request sent → every node ACKed (the last ACK's
//    send time), bytes per node, the control planes' CPU (and PostgreSQL's).
// 5. PostgreSQL: the reconnect storm. The first replica is killed (SIGKILL); a one-route change
//    is published on the survivor at once; times until every node is connected to it and until
//    every node ACKed that version, and the survivor's peak RSS (sampled every 100 ms).
// 6. The cold-start storm: the control plane left (SQLite: the only one) is stopped and started
//    again; every node reconnects to it (the nodes back off up to 5 s meanwhile); a change is
//    published once it listens; times from its start until every node is connected and ACKed.
// Prints a table per backend and writes bench/results/fleet-<time>.json. Loopback only, bounded
// in time (every wait has a deadline); every process started is stopped by PID.
import { fork } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startPostgres } from "@palisade/test-support";
import { freePort } from "../lib/net.mjs";
import { treeCpuSeconds } from "../lib/proc.mjs";
import {
  AckBook,
  adminApi,
  BenchProcesses,
  changeFigures,
  fmt,
  median,
  oneRouteChanges,
  pacedChanges,
  procStats,
  root,
  seedRoutes,
  sleep,
  TOKEN,
} from "./common.mjs";

const { values: args } = parseArgs({
  options: {
    nodes: { type: "string", default: "1000" },
    routes: { type: "string", default: "10000" },
    publishes: { type: "string", default: "30" },
    rate: { type: "string", default: "1" },
    procs: { type: "string", default: "4" },
    regions: { type: "string", default: "4" },
    backend: { type: "string", default: "both" },
    "report-ms": { type: "string", default: "5000" },
    "cpu-prof": { type: "boolean", default: false },
  },
});
const N = Number(args.nodes);
const ROUTES = Number(args.routes);
const PUBLISHES = Number(args.publishes);
const RATE = Number(args.rate);
const PROCS = Number(args.procs);
const REGIONS = Number(args.regions);
const REPORT_MS = Number(args["report-ms"]);
const BACKENDS = args.backend === "both" ? ["sqlite", "postgres"] : [args.backend];
const MB = 1048576;

const dir = mkdtempSync(join(tmpdir(), "palisade-fleet-bench-"));
const procs = new BenchProcesses(dir);
const resultsDir = join(root, "bench/results");
const results = {
  when: new Date().toISOString(),
  loadAverage: loadavg(),
  args: { N, ROUTES, PUBLISHES, RATE, PROCS, REGIONS, REPORT_MS, BACKENDS },
  runs: {},
};

/** Samples the peak RSS of processes every 100 ms while running. */
class PeakRss {
  #timer;
  /** @type {Map<number, number>} pid → peak RSS bytes */
  peaks = new Map();
  constructor(pids) {
    const sample = () => {
      for (const pid of pids)
        try {
          this.peaks.set(pid, Math.max(this.peaks.get(pid) ?? 0, procStats(pid).rss));
        } catch {
          // exited
        }
    };
    sample();
    this.#timer = setInterval(sample, 100);
  }
  stop() {
    clearInterval(this.#timer);
    return this.peaks;
  }
}

/** A control plane of this run: started on a fixed sync port, restartable. */
class ControlPlane {
  constructor(name, storeArgs, syncPort) {
    this.name = name;
    this.storeArgs = storeArgs;
    this.syncPort = syncPort;
    this.address = `127.0.0.1:${syncPort}`;
  }
  async start() {
    const prof = args["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${join(resultsDir, "profiles")}`] : [];
    const p = await procs.start(
      this.name,
      "control-plane/dist/bin/palisade-cp.js",
      [...prof, ...this.storeArgs, "--admin-listen", "127.0.0.1:0", "--sync-listen", this.address, "--sync-insecure"],
      { PALISADE_ADMIN_TOKEN: TOKEN, PALISADE_LOG_LEVEL: "info" },
      ["admin", "sync"],
    );
    this.child = p.child;
    this.pid = p.child.pid;
    this.api = adminApi(p.ports.admin);
    return this;
  }
  stats() {
    return procStats(this.pid);
  }
  /** Stops it with `signal` and waits until it is gone. */
  async stop(signal) {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once("exit", r));
    c.kill(signal);
    await Promise.race([gone, sleep(15_000)]);
    if (c.exitCode === null && c.signalCode === null) {
      c.kill("SIGKILL");
      await gone;
    }
  }
}

/** The simulator processes of a run and what they report. */
class ThinFleet {
  acks = new AckBook();
  #sims = [];
  #status = new Map();
  constructor(addresses) {
    const per = Math.ceil(N / PROCS);
    for (let p = 0; p < PROCS && p * per < N; p++) {
      const count = Math.min(per, N - p * per);
      const child = fork(
        join(root, "bench/sync/thin-nodes.mjs"),
        [addresses.join(","), String(p * per), String(count), String(REGIONS), "1", String(REPORT_MS)],
        { stdio: ["ignore", "inherit", "inherit", "ipc"] },
      );
      child.on("message", (m) => {
        if (m?.type === "acks") this.acks.add(m.acks);
        if (m?.type === "status") this.#status.get(child)?.(m);
      });
      procs.children.push(child);
      this.#sims.push(child);
    }
  }
  /** Connected nodes in total and by control-plane address, and the simulators' RSS. */
  async status() {
    const all = await Promise.all(
      this.#sims.map(
        (c) =>
          new Promise((resolve) => {
            this.#status.set(c, resolve);
            c.send({ type: "status" });
          }),
      ),
    );
    const byAddress = {};
    let connected = 0;
    let rss = 0;
    for (const s of all) {
      connected += s.connected;
      rss += s.rss;
      for (const [a, n] of Object.entries(s.byAddress)) byAddress[a] = (byAddress[a] ?? 0) + n;
    }
    return { connected, byAddress, rss };
  }
  /** Resolves once `check(status)` holds (polled every 100 ms); throws after `timeoutMs`. */
  async until(what, check, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.status();
      if (check(s)) return s;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (${JSON.stringify(s)})`);
      await sleep(100);
    }
  }
  /**
   * Waits until every node streams to `address` and every node ACKed `version` (2 min at most).
   * @param since performance.now() the times count from
   * @returns {Promise<{connectedMs: number, ackedMs: number}>}
   */
  async catchUp(address, version, since) {
    const [connectedMs, ackedMs] = await Promise.all([
      this.until(`every node on ${address}`, (s) => (s.byAddress[address] ?? 0) >= N, 120_000).then(
        () => performance.now() - since,
      ),
      this.acks.allAcked(version, N, 120_000).then(() => performance.now() - since),
    ]);
    return { connectedMs, ackedMs };
  }
  async stop() {
    for (const s of this.#sims) if (s.connected) s.send({ type: "stop" });
    await sleep(500);
  }
}

function pgPostmasterPid(pg) {
  return Number(readFileSync(join(pg.dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
}

/** The PostgreSQL cluster of the run in progress (stopped on SIGINT/SIGTERM too). */
let pg;
for (const signal of ["SIGINT", "SIGTERM"])
  process.once(signal, async () => {
    await procs.stopAll();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  });

/** One backend's run. */
async function runBackend(backend) {
  const out = { backend };
  const cps = [];
  try {
    if (backend === "postgres") {
      pg = await startPostgres();
      const url = await pg.createDatabase("fleet");
      const pki = ["--pki-dir", join(dir, "pki")];
      cps.push(await new ControlPlane("cp-a", ["--database-url", url, ...pki], await freePort()).start());
      cps.push(await new ControlPlane("cp-b", ["--database-url", url, ...pki], await freePort()).start());
    } else cps.push(await new ControlPlane("cp", ["--db", join(dir, "cp.db")], await freePort()).start());
    const pgPid = pg ? pgPostmasterPid(pg) : undefined;
    const [a] = cps;
    const seeded = await seedRoutes(a.api, ROUTES);
    console.log(`[${backend}] seeded ${seeded.created.length} routes in ${fmt(seeded.seconds)} s`);
    let t = performance.now();
    let latest = (await a.api("POST", "/v1/config/versions", { message: "fleet: initial" })).version;
    out.firstPublishMs = performance.now() - t;
    await sleep(2000); // replicas load the version (NOTIFY)
    out.cpRssBeforeNodesMb = cps.map((c) => c.stats().rss / MB);

    // Initial full sync of every node, all started at once.
    let peaks = new PeakRss(cps.map((c) => c.pid));
    t = performance.now();
    const fleet = new ThinFleet(cps.map((c) => c.address));
    const initial = await fleet.acks.allAcked(latest, N, 900_000);
    out.initialSyncS = (performance.now() - t) / 1000;
    out.initialBytesPerNode = median(initial.map((x) => x.bytes));
    out.initialPeakRssMb = [...peaks.stop().values()].map((v) => v / MB);
    console.log(
      `[${backend}] ${N} nodes synced (full, ${fmt(out.initialBytesPerNode / 1024)} KB each) in ${fmt(out.initialSyncS)} s`,
    );
    await sleep(5000);
    const st = await fleet.status();
    out.byAddress = st.byAddress;
    out.simRssMb = st.rss / MB;
    out.cpRssWithNodesMb = cps.map((c) => c.stats().rss / MB);

    // One-route changes.
    const publishChange = oneRouteChanges(seeded);
    const changes = { publishChange, api: a.api, acks: fleet.acks, n: N, message: "fleet change" };
    await pacedChanges({ ...changes, count: 3, rate: 1000 }); // warm-up
    const cpu0 = cps.map((c) => c.stats().cpu);
    const pg0 = pgPid ? treeCpuSeconds(pgPid) : 0;
    peaks = new PeakRss(cps.map((c) => c.pid));
    const { rows, wallS } = await pacedChanges({ ...changes, count: PUBLISHES, rate: RATE });
    latest = rows.at(-1).version;
    const cpu1 = cps.map((c) => c.stats().cpu);
    const pgCpu = pgPid ? treeCpuSeconds(pgPid) - pg0 : undefined;
    const { deltas: _, ...figures } = changeFigures(rows);
    out.changes = {
      publishes: rows.length,
      ...figures,
      cpCpuCores: cpu1.map((x, i) => (x - cpu0[i]) / wallS),
      cpCpuMsPerPublish: cpu1.map((x, i) => ((x - cpu0[i]) * 1000) / rows.length),
      pgCpuMsPerPublish: pgCpu === undefined ? undefined : (pgCpu * 1000) / rows.length,
      cpRssMb: cps.map((c) => c.stats().rss / MB),
      cpPeakRssMb: [...peaks.stop().values()].map((v) => v / MB),
    };
    console.log(`[${backend}] changes: ${JSON.stringify(out.changes.latencyMs)}`);

    // Reconnect storm: a replica dies, its nodes move to the survivor.
    let survivor = a;
    if (cps.length > 1) {
      const [dead, alive] = cps;
      survivor = alive;
      peaks = new PeakRss([alive.pid]);
      const c0 = alive.stats().cpu;
      const killedAt = performance.now();
      await dead.stop("SIGKILL");
      const { version } = await publishChange(alive.api, "storm change");
      latest = version;
      out.storm = {
        moved: out.byAddress[dead.address] ?? 0,
        ...(await fleet.catchUp(alive.address, version, killedAt)),
        survivorPeakRssMb: peaks.stop().get(alive.pid) / MB,
        survivorCpuS: alive.stats().cpu - c0,
      };
      console.log(`[${backend}] reconnect storm: ${JSON.stringify(out.storm)}`);
    }

    // Cold-start storm: the control plane left restarts; every node reconnects to it.
    await survivor.stop("SIGTERM");
    await sleep(3000); // nodes back off
    const started = performance.now();
    await survivor.start();
    const listeningMs = performance.now() - started;
    peaks = new PeakRss([survivor.pid]);
    const { version } = await publishChange(survivor.api, "cold change");
    latest = version;
    out.coldStart = {
      listeningMs,
      ...(await fleet.catchUp(survivor.address, version, started)),
      peakRssMb: peaks.stop().get(survivor.pid) / MB,
      rssAfterMb: survivor.stats().rss / MB,
    };
    console.log(`[${backend}] cold-start storm: ${JSON.stringify(out.coldStart)}`);
    await fleet.stop();
    return out;
  } finally {
    for (const c of cps) await c.stop("SIGTERM");
    await procs.stopAll();
    await pg?.stop();
    pg = undefined;
  }
}

function table(r) {
  const n = r.cpRssBeforeNodesMb.length;
  const list = (xs, d = 0) => xs.map((x) => fmt(x, d)).join(" + ");
  const c = r.changes;
  const perNodeKb = r.cpRssWithNodesMb.map((x, i) => ((x - r.cpRssBeforeNodesMb[i]) * 1024) / (N / n));
  const cpuUsPerNode = c.cpCpuMsPerPublish.reduce((s, x) => s + x, 0) * (1000 / N);
  const lines = [
    "",
    `Fleet bench, ${r.backend === "postgres" ? "2 replicas on PostgreSQL" : "SQLite, one control plane"}: ${N} thin nodes (${PROCS} processes), ${ROUTES} routes, one-route changes`,
    "| figure | value | target |",
    "| --- | ---: | ---: |",
    `| publish → all ${N} nodes ACKed, p50 / p90 / p99 / max | ${fmt(c.latencyMs.p50, 0)} / ${fmt(c.latencyMs.p90, 0)} / ${fmt(c.latencyMs.p99, 0)} / ${fmt(c.latencyMs.max, 0)} ms | p99 ≤ 250 ms |`,
    `| publish request (admin API), p50 / p99 | ${fmt(c.publishRequestMs.p50)} / ${fmt(c.publishRequestMs.p99)} ms | |`,
    `| bytes per node per change, p50 / max | ${c.bytesPerNode.p50} / ${c.bytesPerNode.max} B | ≤ 10 KB |`,
    `| full updates during the changes | ${c.fullUpdates} | 0 |`,
    `| control-plane CPU per publish (${n === 1 ? "one" : "each replica"}) | ${list(c.cpCpuMsPerPublish)} ms (${list(c.cpCpuCores, 2)} cores); ${fmt(cpuUsPerNode)} µs per node${c.pgCpuMsPerPublish === undefined ? "" : `; PostgreSQL ${fmt(c.pgCpuMsPerPublish)} ms`} | |`,
    `| control-plane RSS: before nodes → with ${N} streams (peak while publishing) | ${list(r.cpRssBeforeNodesMb)} → ${list(r.cpRssWithNodesMb)} MB (${list(c.cpPeakRssMb)}); ${list(perNodeKb)} KB per stream | |`,
    `| initial full sync of ${N} nodes at once | ${fmt(r.initialSyncS)} s, ${fmt(r.initialBytesPerNode / 1024)} KB per node, control-plane peak RSS ${list(r.initialPeakRssMb)} MB | |`,
    `| first publish of ${ROUTES} routes | ${fmt(r.firstPublishMs, 0)} ms | |`,
    ...(r.storm
      ? [
          `| reconnect storm: replica killed, ${r.storm.moved} nodes move; all connected / all ACKed a change published at the kill | ${fmt(r.storm.connectedMs / 1000, 2)} / ${fmt(r.storm.ackedMs / 1000, 2)} s; survivor peak RSS ${fmt(r.storm.survivorPeakRssMb, 0)} MB, ${fmt(r.storm.survivorCpuS, 2)} CPU s | ≤ 30 s, bounded memory |`,
        ]
      : []),
    `| cold-start storm: control plane restarted (listening after ${fmt(r.coldStart.listeningMs / 1000, 2)} s), ${N} nodes; all connected / all ACKed | ${fmt(r.coldStart.connectedMs / 1000, 2)} / ${fmt(r.coldStart.ackedMs / 1000, 2)} s; peak RSS ${fmt(r.coldStart.peakRssMb, 0)} MB | |`,
    `| simulators' RSS (${PROCS} processes) | ${fmt(r.simRssMb, 0)} MB | |`,
    "",
  ];
  return lines.join("\n");
}

try {
  console.log(
    `load average at the start: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  for (const b of BACKENDS) {
    results.runs[b] = await runBackend(b);
    console.log(table(results.runs[b]));
  }
  results.loadAverageEnd = loadavg();
  console.log(
    `load average at the end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `fleet-${results.when.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results: ${file}`);
} finally {
  await procs.stopAll();
  rmSync(dir, { recursive: true, force: true });
}
