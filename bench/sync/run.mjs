#!/usr/bin/env node
// Sync scale bench: how fast and how cheaply a config change reaches a fleet.
//
//   npm run build && node bench/sync/run.mjs [--nodes 100] [--routes 10000] [--publishes 50]
//     [--rate 2] [--procs 2] [--regions 4] [--rss-publishes 1000]
//
// 1. Starts a real palisade-cp (temporary SQLite, sync port on 127.0.0.1, plain gRPC: the TLS
//    cost is the same per message either way and is not what this measures), seeds `--routes`
//    routes generated from GitHub's REST API description (@octokit/openapi, see
//    generate-config.mjs) through the admin API, publishes them.
// 2. Starts `--nodes` simulated nodes in `--procs` processes (sim-nodes.mjs: real gRPC clients
//    that decode, apply to a real compiled table and ACK) and waits for each to ACK.
// 3. Publishes `--publishes` one-route changes, one after the other at most `--rate` per second,
//    and measures for each: publish request sent → every node ACKed (the last ACK's send time),
//    bytes received per node, the control plane's CPU and RSS.
// 4. Times a full 10,000-route snapshot on a node: decode + compile (the data plane's compile).
// 5. Starts one real palisade-dp, applies `--rss-publishes` one-route changes and compares its
//    RSS after them with its RSS after the first 20 (each read after 10 s idle and a full GC
//    forced through the node's inspector, on loopback).
// Prints a table and writes bench/results/sync-<time>.json. Loopback only, bounded in time.
import { fork } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ConfigState, compile } from "@palisade/data-plane";
import { decodeSnapshotBytes, decodeSnapshotFile } from "@palisade/proto";
import {
  AckBook,
  adminApi,
  BenchProcesses,
  changeFigures,
  fmt,
  median,
  oneRouteChanges,
  pacedChanges,
  pct,
  procStats,
  root,
  seedRoutes,
  sleep,
  TOKEN,
} from "./common.mjs";

const { values: args } = parseArgs({
  options: {
    nodes: { type: "string", default: "100" },
    routes: { type: "string", default: "10000" },
    publishes: { type: "string", default: "50" },
    rate: { type: "string", default: "2" },
    procs: { type: "string", default: "2" },
    regions: { type: "string", default: "4" },
    "rss-publishes": { type: "string", default: "1000" },
  },
});
const N = Number(args.nodes);
const ROUTES = Number(args.routes);
const PUBLISHES = Number(args.publishes);
const RATE = Number(args.rate);
const PROCS = Number(args.procs);
const REGIONS = Number(args.regions);
const RSS_PUBLISHES = Number(args["rss-publishes"]);
const dir = mkdtempSync(join(tmpdir(), "palisade-sync-bench-"));
const results = { when: new Date().toISOString(), args: { N, ROUTES, PUBLISHES, RATE, PROCS, REGIONS, RSS_PUBLISHES } };

const procs = new BenchProcesses(dir);
const children = procs.children;
const startProcess = (...a) => procs.start(...a);

async function main() {
  // 1. Control plane and config.
  const cp = await startProcess(
    "control-plane",
    "control-plane/dist/bin/palisade-cp.js",
    ["--db", join(dir, "cp.db"), "--admin-listen", "127.0.0.1:0", "--sync-listen", "127.0.0.1:0", "--sync-insecure"],
    { PALISADE_ADMIN_TOKEN: TOKEN, PALISADE_LOG_LEVEL: "info" },
    ["admin", "sync"],
  );
  const adminPort = cp.ports.admin;
  const api = adminApi(adminPort);
  const syncAddress = `127.0.0.1:${cp.ports.sync}`;
  const seeded = await seedRoutes(api, ROUTES);
  console.log(`seeded ${seeded.created.length} routes in ${fmt(seeded.seconds)} s`);
  let t = performance.now();
  let latest = (await api("POST", "/v1/config/versions", { message: "bench: initial" })).version;
  results.firstPublishMs = performance.now() - t;

  // 2. Simulated nodes.
  const acks = new AckBook();
  const sims = [];
  const per = Math.ceil(N / PROCS);
  for (let p = 0; p < PROCS; p++) {
    const count = Math.min(per, N - p * per);
    if (count <= 0) break;
    const child = fork(
      join(root, "bench/sync/sim-nodes.mjs"),
      [syncAddress, String(p * per), String(count), String(REGIONS)],
      {
        // Each simulated node holds its own compiled 10,000-route table: a large heap, and a young
        // generation big enough that a publish's short-lived garbage does not reach the old one.
        execArgv: ["--max-old-space-size=8192", "--max-semi-space-size=64"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      },
    );
    child.on("message", (m) => m?.type === "acks" && acks.add(m.acks));
    children.push(child);
    sims.push(child);
  }
  const allAcked = (version, timeoutMs) => acks.allAcked(version, N, timeoutMs);
  t = performance.now();
  const initial = await allAcked(latest, 600_000);
  results.initialSyncS = (performance.now() - t) / 1000;
  results.initialFullBytesPerNode = median(initial.map((a) => a.bytes));
  console.log(
    `${N} nodes synced version ${latest} (full, ${fmt(results.initialFullBytesPerNode / 1024)} KB each) in ${fmt(results.initialSyncS)} s`,
  );

  // 3. One-route changes.
  const publishChange = oneRouteChanges(seeded);
  const changes = { publishChange, api, acks, n: N, message: "bench change" };
  await pacedChanges({ ...changes, count: 3, rate: 1000 }); // warm-up
  const cpu0 = procStats(cp.child.pid);
  const { rows, wallS } = await pacedChanges({ ...changes, count: PUBLISHES, rate: RATE });
  latest = rows.at(-1).version;
  const cpu1 = procStats(cp.child.pid);
  const { deltas, fullUpdates, ...figures } = changeFigures(rows);
  results.delta = {
    publishes: rows.length,
    ...figures,
    fullUpdatesDuringChanges: fullUpdates,
    nodeApplyMs: {
      p50: pct(
        deltas.map((a) => a.applyMs),
        50,
      ),
      p99: pct(
        deltas.map((a) => a.applyMs),
        99,
      ),
    },
    cpCpuCores: (cpu1.cpu - cpu0.cpu) / wallS,
    cpCpuMsPerPublish: ((cpu1.cpu - cpu0.cpu) * 1000) / rows.length,
    cpRssMb: cpu1.rss / 1048576,
    cpPeakRssMb: cpu1.hwm / 1048576,
  };
  for (const s of sims) s.send({ type: "stop" });

  // 4. Full snapshot on a node: decode + compile of the latest version.
  const exported = await fetch(`http://127.0.0.1:${adminPort}/v1/config/versions/${latest}/export`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const file = new Uint8Array(await exported.arrayBuffer());
  const decodeMs = [];
  const compileMs = [];
  for (let i = 0; i < 7; i++) {
    const t1 = performance.now();
    const raw = decodeSnapshotBytes(decodeSnapshotFile(file));
    const state = ConfigState.full(raw.version, raw.createdAtMs, raw.resources);
    const snap = state.snapshot();
    const t2 = performance.now();
    compile(snap, { policyTypes: new Set(["jwt"]) });
    const t3 = performance.now();
    decodeMs.push(t2 - t1);
    compileMs.push(t3 - t2);
  }
  results.full = {
    snapshotBytes: file.byteLength,
    decodeMs: median(decodeMs.slice(2)),
    compileMs: median(compileMs.slice(2)),
    compileMsFirst: compileMs[0],
  };

  // 5. A real node's RSS over many publishes.
  if (RSS_PUBLISHES > 0) {
    const node = await startProcess(
      "palisade-dp",
      "data-plane/dist/bin/palisade-dp.js",
      [
        // The inspector (loopback, ephemeral port) lets the bench force a full GC before reading
        // memory, so garbage the collector has not reached yet does not count as growth.
        "--inspect=127.0.0.1:0",
        "--node-id",
        "rss-node",
        "--region",
        "bench",
        "--control-plane",
        syncAddress,
        "--listen",
        "127.0.0.1:0",
        "--status-listen",
        "127.0.0.1:0",
        "--state-dir",
        join(dir, "node-state"),
        "--sync-insecure",
      ],
      { PALISADE_LOG_LEVEL: "info" },
      ["proxy", "status"],
    );
    const nodeVersion = async () =>
      (await (await fetch(`http://127.0.0.1:${node.ports.status}/config`)).json()).version;
    const waitNode = async (v) => {
      const deadline = Date.now() + 120_000;
      while ((await nodeVersion()) !== v) {
        if (Date.now() > deadline) throw new Error(`rss node did not reach ${v}`);
        await sleep(5);
      }
    };
    await waitNode(latest);
    const publishAndWait = async () => {
      latest = (await publishChange(api, "rss")).version;
      await waitNode(latest);
    };
    // Full GC through the inspector, then the node's own process.memoryUsage().
    const { WebSocket } = await import("undici");
    const wsUrl = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(readFileSync(node.logPath, "utf8"))?.[0];
    const afterGc = async () => {
      const ws = new WebSocket(wsUrl);
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = reject;
      });
      let id = 0;
      const call = (method, params = {}) =>
        new Promise((resolve) => {
          const mine = ++id;
          ws.onmessage = (ev) => {
            const m = JSON.parse(ev.data);
            if (m.id === mine) resolve(m.result);
          };
          ws.send(JSON.stringify({ id: mine, method, params }));
        });
      await call("HeapProfiler.collectGarbage");
      const r = await call("Runtime.evaluate", {
        expression: "JSON.stringify(process.memoryUsage())",
        returnByValue: true,
      });
      ws.close();
      const mem = JSON.parse(r.result.value);
      return { rss: mem.rss, heapUsed: mem.heapUsed };
    };
    const heapUsed = async () => (await afterGc()).heapUsed;
    for (let i = 0; i < 20; i++) await publishAndWait();
    // Settle: V8 shrinks its heap when the process goes idle (memory reducer), as a node does
    // between config changes.
    await sleep(10_000);
    const heapBefore = await heapUsed();
    const before = procStats(node.child.pid);
    const t5 = performance.now();
    for (let i = 0; i < RSS_PUBLISHES; i++) await publishAndWait();
    const seconds = (performance.now() - t5) / 1000;
    const right = procStats(node.child.pid);
    await sleep(10_000);
    const heapAfter = await heapUsed();
    const afterStats = procStats(node.child.pid);
    results.nodeRss = {
      publishes: RSS_PUBLISHES,
      seconds,
      beforeMb: before.rss / 1048576,
      rightAfterMb: right.rss / 1048576,
      afterMb: afterStats.rss / 1048576,
      growthPct: ((afterStats.rss - before.rss) / before.rss) * 100,
      heapBeforeMb: heapBefore / 1048576,
      heapAfterMb: heapAfter / 1048576,
    };
  }

  const d = results.delta;
  const lines = [
    "",
    `Sync bench: ${N} nodes (${PROCS} processes), ${ROUTES} routes from GitHub's REST API, one-route changes`,
    "| figure | value | target |",
    "| --- | ---: | ---: |",
    `| publish → all ${N} nodes ACKed, p50 / p90 / p99 / max | ${fmt(d.latencyMs.p50, 0)} / ${fmt(d.latencyMs.p90, 0)} / ${fmt(d.latencyMs.p99, 0)} / ${fmt(d.latencyMs.max, 0)} ms | p99 < 250 ms |`,
    `| publish request (admin API), p50 / p99 | ${fmt(d.publishRequestMs.p50)} / ${fmt(d.publishRequestMs.p99)} ms | |`,
    `| bytes received per node per change, p50 / max | ${d.bytesPerNode.p50} / ${d.bytesPerNode.max} B | < 10 KB |`,
    `| full updates during the changes | ${d.fullUpdatesDuringChanges} | 0 |`,
    `| node apply (decode + delta + compile + swap), p50 / p99 | ${fmt(d.nodeApplyMs.p50, 2)} / ${fmt(d.nodeApplyMs.p99, 2)} ms | |`,
    `| control plane CPU while publishing | ${fmt(d.cpCpuCores, 2)} cores, ${fmt(d.cpCpuMsPerPublish, 0)} ms per publish | |`,
    `| control plane RSS (peak) | ${fmt(d.cpRssMb, 0)} MB (${fmt(d.cpPeakRssMb, 0)} MB) | |`,
    `| initial full sync of ${N} nodes | ${fmt(results.initialSyncS)} s, ${fmt(results.initialFullBytesPerNode / 1024)} KB per node | |`,
    `| first publish of ${ROUTES} routes (encode all) | ${fmt(results.firstPublishMs, 0)} ms | |`,
    `| full snapshot on a node: decode / compile (first compile) | ${fmt(results.full.decodeMs)} / ${fmt(results.full.compileMs)} (${fmt(results.full.compileMsFirst)}) ms, ${fmt(results.full.snapshotBytes / 1048576, 2)} MB | compile < 100 ms |`,
    ...(results.nodeRss
      ? [
          `| real node RSS after ${results.nodeRss.publishes} publishes (10 s idle before and after) | ${fmt(results.nodeRss.beforeMb)} → ${fmt(results.nodeRss.afterMb)} MB (${fmt(results.nodeRss.growthPct)} %; ${fmt(results.nodeRss.rightAfterMb)} MB right after), ${fmt(results.nodeRss.seconds)} s | growth < 10 % |`,
          `| real node V8 heap in use after a full GC, same points | ${fmt(results.nodeRss.heapBeforeMb)} → ${fmt(results.nodeRss.heapAfterMb)} MB | |`,
        ]
      : []),
    "",
  ];
  console.log(lines.join("\n"));
  mkdirSync(join(root, "bench/results"), { recursive: true });
  const out = join(root, "bench/results", `sync-${results.when.replace(/[:.]/g, "-")}.json`);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results: ${out}`);
}

try {
  await main();
} finally {
  await procs.stopAll();
  rmSync(dir, { recursive: true, force: true });
}
