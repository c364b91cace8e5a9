// Shadow traffic cost: does a slow shadow upstream move the client's latency? `npm run bench:mirror`
// starts a palisade-cp and one palisade-dp node (1 worker) on loopback, a primary upstream that
// answers at once and a shadow that answers after 1 s, both Node servers, then drives the same
// node at a fixed rate (open loop, bench/load/fixed-rate.mjs) on a route with no mirror and on a
// route that mirrors every request to the slow shadow, and prints the client's p50/p99 side by
// side with the ratio, plus the node's shadow counters. Measurement, not a test: never in
// `npm test`; bounded (BENCH_DURATION seconds per run, loopback only) and it stops what it started.
//
//   BENCH_RATE (requests/s, default 1000), BENCH_DURATION (s, default 10), BENCH_FRACTION (0..1,
//   default 0.1: the write-up's shadow mode), BENCH_SHADOW_MS (default 1000), BENCH_ROUNDS (default 1: one run of each; more
//   alternate the two, no mirror first, and print every run: on a shared machine the spread
//   between rounds is the noise the ratio must be read against)
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runFixedRate } from "./lib/fixed-rate.mjs";
import { freePort, httpRequest, waitFor } from "./lib/net.mjs";
import { dataPlaneArgs, startControlPlane } from "./lib/palisade.mjs";
import { benchPinning, killAllNow, startProcess, stopAll, treeCpuSeconds } from "./lib/proc.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const FRACTION = Number(process.env.BENCH_FRACTION ?? 0.1);
const SHADOW_MS = Number(process.env.BENCH_SHADOW_MS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const CONNECTIONS = 50;

/** A Node upstream in its own process: 100 bytes of JSON after `delayMs`. */
const UPSTREAM = `
const http = require("node:http");
const [port, delay] = process.argv.slice(1).map(Number);
const body = JSON.stringify({ ok: true, pad: "x".repeat(80) });
http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    const send = () => { res.writeHead(200, { "content-type": "application/json", "content-length": body.length }); res.end(body); };
    if (delay > 0) setTimeout(send, delay); else send();
  });
}).listen(port, "127.0.0.1", () => console.log("ready"));
`;

async function main() {
  const cpBin = join(ROOT, "control-plane/dist/bin/palisade-cp.js");
  const dpBin = join(ROOT, "data-plane/dist/bin/palisade-dp.js");
  if (!existsSync(cpBin) || !existsSync(dpBin)) throw new Error("build first: npx tsc -b");
  const dir = mkdtempSync(join(tmpdir(), "palisade-bench-mirror-"));
  const cpus = benchPinning();
  try {
    const [primaryPort, shadowPort, listenPort, statusPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const upstreams = {};
    for (const [label, port, delay] of [
      ["primary upstream", primaryPort, 0],
      ["shadow upstream", shadowPort, SHADOW_MS],
    ]) {
      const p = startProcess(label, process.execPath, ["-e", UPSTREAM, String(port), String(delay)], {
        cpus: cpus.load,
      });
      upstreams[label] = p;
      await waitFor(
        `${label} to listen`,
        async () => ((await httpRequest(`http://127.0.0.1:${port}/`, { timeoutMs: 3000 })).status ? true : undefined),
        { timeoutMs: 10_000, process: p },
      );
    }

    const { api, syncPort } = await startControlPlane({ cpBin, dbFile: join(dir, "cp.db"), cwd: dir, cpus: cpus.load });
    await api("POST", "/v1/upstreams", { name: "primary", targets: [{ host: "127.0.0.1", port: primaryPort }] });
    await api("POST", "/v1/upstreams", { name: "shadow", targets: [{ host: "127.0.0.1", port: shadowPort }] });
    await api("POST", "/v1/policies", {
      name: "shadow",
      type: "mirror",
      // Every shadow request is in flight for SHADOW_MS: allow what the rate needs, with a margin.
      config: {
        upstream: "shadow",
        fraction: FRACTION,
        timeout_ms: SHADOW_MS * 3,
        max_in_flight: Math.min(10_000, Math.ceil(RATE * FRACTION * (SHADOW_MS / 1000) * 2) + 10),
      },
    });
    await api("POST", "/v1/routes", { name: "plain", paths: ["/plain"], upstream: "primary" });
    const mirrored = await api("POST", "/v1/routes", {
      name: "mirrored",
      paths: ["/mirrored"],
      upstream: "primary",
      policies: ["shadow"],
    });
    await api("POST", "/v1/config/versions", { message: "bench:mirror" });

    const dp = startProcess(
      "palisade-dp",
      process.execPath,
      [
        ...dataPlaneArgs({
          dpBin,
          nodeId: "bench-mirror",
          syncPort,
          listenPort,
          statusPort,
          stateDir: join(dir, "dp-state"),
        }),
        "--workers",
        "1",
      ],
      { cpus: cpus.sut, cwd: dir },
    );
    await waitFor(
      "palisade-dp to serve both routes",
      async () => {
        for (const p of ["/plain", "/mirrored"])
          if ((await httpRequest(`http://127.0.0.1:${listenPort}${p}`, { timeoutMs: 3000 })).status !== 200)
            return undefined;
        return true;
      },
      { timeoutMs: 30_000, process: dp },
    );

    // The node's CPU over the whole run (warm-up included), as a share of one CPU.
    const run = async (path) => {
      const cpu0 = treeCpuSeconds(dp.pid);
      const shadow0 = treeCpuSeconds(upstreams["shadow upstream"].pid);
      const t0 = performance.now();
      const r = await runFixedRate({
        url: `http://127.0.0.1:${listenPort}${path}`,
        rate: RATE,
        connections: CONNECTIONS,
        durationS: DURATION_S,
        warmupS: 2,
        cpus: cpus.load,
      });
      const s = (performance.now() - t0) / 1000;
      r.nodeCpuPct = (100 * (treeCpuSeconds(dp.pid) - cpu0)) / s;
      r.shadowCpuPct = (100 * (treeCpuSeconds(upstreams["shadow upstream"].pid) - shadow0)) / s;
      return r;
    };
    const rows = [];
    for (let i = 1; i <= ROUNDS; i++) {
      process.stderr.write(`round ${i}: driving /plain at ${RATE} req/s for ${DURATION_S} s…\n`);
      const a = await run("/plain");
      process.stderr.write(`round ${i}: driving /mirrored (shadow answers after ${SHADOW_MS} ms)…\n`);
      const b = await run("/mirrored");
      rows.push([i, a, b]);
    }
    const metrics = (await httpRequest(`http://127.0.0.1:${statusPort}/metrics`, { timeoutMs: 5000 })).body;
    const shadowLines = metrics
      .split("\n")
      .filter((l) => l.startsWith("palisade_shadow_") && l.includes(`route="${mirrored.id}"`));

    const f = (n) => n.toFixed(2);
    const ratio = (x, y) => (y > 0 ? (x / y).toFixed(2) : "n/a");
    console.log(
      `\n## bench:mirror — ${RATE} req/s for ${DURATION_S} s per run, ${CONNECTIONS} connections, fraction ${FRACTION}, shadow ${SHADOW_MS} ms`,
    );
    console.log(cpus.sut ? `node on CPU ${cpus.sut}; load, upstreams and CP on CPU ${cpus.load}` : "not pinned");
    console.log(
      "\n| route | achieved req/s | non-2xx | errors | p50 ms | p99 ms | max ms | node CPU % | shadow CPU % | generator late ms |",
    );
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const [i, a, b] of rows) {
      for (const [name, r] of [
        [`${i}: no mirror (/plain)`, a],
        [`${i}: mirror to a ${SHADOW_MS} ms shadow (/mirrored)`, b],
      ])
        console.log(
          `| ${name} | ${f(r.achievedRps)} | ${r.non2xx} | ${r.errors} | ${f(r.p50Ms)} | ${f(r.p99Ms)} | ${f(r.maxMs)} | ${Math.round(r.nodeCpuPct)} | ${Math.round(r.shadowCpuPct)} | ${f(r.maxLateMs)} |`,
        );
      console.log(
        `| ${i}: ratio mirror / no mirror | | | | ${ratio(b.p50Ms, a.p50Ms)} | ${ratio(b.p99Ms, a.p99Ms)} | | | | |`,
      );
    }
    console.log("\nnode's shadow counters after the runs (/metrics):");
    for (const l of shadowLines) console.log(`    ${l}`);
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.once("SIGINT", () => {
  killAllNow();
  process.exit(130);
});
main().catch(async (err) => {
  console.error(`bench:mirror failed: ${err.message}`);
  await stopAll();
  process.exit(1);
});
