#!/usr/bin/env node
// `npm run chaos:clients` (issue 21 point 3): hostile clients against one real palisade-dp node
// (one worker, the bench's full policy chain on /full, operators' default limits and timeouts)
// while a legitimate open-loop load runs beside them. Phases, each --seconds long (default 20):
//
//   baseline     the legitimate load alone
//   slowloris    --slow connections (default 2,000) that send a request head one header line per
//                second and never finish it: the node must close each at its client header
//                timeout (--client-header-timeout-ms, default 15 s) with 408, and keep serving
//   idle         --idle connections (default 10,000) opened and left silent; the attacker opens
//                a new one for every one the node closes, so the count holds for the whole phase
//   header-flood --flood connections (default 20) sending requests with 150 header fields and
//                then with a 40 KiB header section, back to back: each answered 431
//
// For each phase: the legitimate load's achieved rate, p50/p99, errors and non-2xx, the node's RSS
// and open file descriptors at the phase's end, and what the attack got. Then the node's
// /readyz, its descriptors back near the baseline, and `RESULT chaos-clients …` lines. The target
// (issue 21): 0 failed legitimate requests in every phase and the node alive.
//
//   npm run chaos:clients [-- --seconds 20 --rate 1000 --slow 2000 --idle 10000 --flood 20
//                            --phases baseline,slowloris,idle,header-flood]
// Loopback only, bounded in time; stops every process it started. Not part of npm test.
import { readdirSync, rmSync } from "node:fs";
import net from "node:net";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runFixedRate } from "./lib/fixed-rate.mjs";
import { httpRequest } from "./lib/net.mjs";
import { startPalisade } from "./lib/palisade.mjs";
import { scriptSetup, stopAll, treeRssMiB } from "./lib/proc.mjs";
import { startUpstream } from "./lib/upstream.mjs";

const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const log = (msg) => process.stderr.write(`[chaos-clients] ${msg}\n`);

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "20" },
    rate: { type: "string", default: "1000" },
    slow: { type: "string", default: "2000" },
    idle: { type: "string", default: "10000" },
    flood: { type: "string", default: "20" },
    route: { type: "string", default: "full" },
    phases: { type: "string", default: "baseline,slowloris,idle,header-flood" },
  },
});
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const SLOW = Number(values.slow);
const IDLE = Number(values.idle);
const FLOOD = Number(values.flood);
if (![SECONDS, RATE, SLOW, IDLE, FLOOD].every((n) => Number.isInteger(n) && n > 0)) {
  log("--seconds, --rate, --slow, --idle and --flood must be positive integers");
  process.exit(2);
}

const { pin, dir, ctx } = scriptSetup("palisade-chaos-clients-", REPO_ROOT, log);

/** Open file descriptors of a process (its sockets included), or NaN when /proc cannot say. */
function fdCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return Number.NaN;
  }
}

/**
 * Keeps `count` hostile connections open against `port` until `stop()`: each runs `behave(socket)`
 * once connected; one the node closes is replaced while the attack lasts. Counts what the node did.
 * @param {{port: number, count: number, behave: (s: net.Socket, stats: object) => void}} opts
 */
function attack({ port, count, behave }) {
  const stats = { opened: 0, closedByNode: 0, refused: 0, statuses: new Map(), closeAfterMs: [] };
  const live = new Set();
  let stopping = false;
  const open = () => {
    if (stopping) return;
    const s = net.connect({ port, host: "127.0.0.1" });
    const openedAt = Date.now();
    live.add(s);
    s.setNoDelay(true);
    s.on("connect", () => {
      stats.opened++;
      behave(s, stats);
    });
    let head = "";
    s.on("data", (chunk) => {
      if (head.length < 64) {
        head += chunk.toString("latin1");
        const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
        if (status) {
          stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
          head = "x".repeat(64);
        }
      }
    });
    s.on("error", (err) => {
      if (err.code === "ECONNREFUSED" || err.code === "EADDRNOTAVAIL") stats.refused++;
    });
    s.on("close", () => {
      live.delete(s);
      clearInterval(s.drip);
      if (!stopping) {
        stats.closedByNode++;
        stats.closeAfterMs.push(Date.now() - openedAt);
        setImmediate(open);
      }
    });
  };
  // Open in batches so the attacker's own connect storm does not stall its event loop.
  let pending = count;
  const batch = () => {
    for (let i = 0; i < 500 && pending > 0; i++, pending--) open();
    if (pending > 0 && !stopping) setTimeout(batch, 20);
  };
  batch();
  return {
    stats,
    get live() {
      return live.size;
    },
    stop() {
      stopping = true;
      for (const s of live) {
        clearInterval(s.drip);
        s.destroy();
      }
    },
  };
}

/** A request head sent one header line per second, never finished. */
function slowloris(s) {
  s.write("GET /bare HTTP/1.1\r\nHost: chaos.test\r\n");
  let i = 0;
  s.drip = setInterval(() => {
    if (!s.destroyed) s.write(`X-Slow-${i++}: ${"a".repeat(8)}\r\n`);
  }, 1000);
}

/** Nothing at all after the connect. */
function idle() {}

const MANY_HEADERS = `GET /bare HTTP/1.1\r\nHost: chaos.test\r\n${Array.from({ length: 150 }, (_, i) => `X-Flood-${i}: v\r\n`).join("")}\r\n`;
const BIG_HEADER = `GET /bare HTTP/1.1\r\nHost: chaos.test\r\nX-Big: ${"b".repeat(40 * 1024)}\r\n\r\n`;

/** Oversized request heads back to back: a new one as soon as the node answers (it closes after a 431). */
function headerFlood(s, stats) {
  stats.sent = (stats.sent ?? 0) + 1;
  s.write(stats.sent % 2 ? MANY_HEADERS : BIG_HEADER);
}

/** One phase: the legitimate load for SECONDS with the attack (if any) running beside it. */
async function phase(name, route, palisade, port, make) {
  const atk = make ? make(port) : undefined;
  // Let the attack reach its size before measuring.
  if (atk) await new Promise((r) => setTimeout(r, 3000));
  const load = await runFixedRate({
    url: route.url,
    rate: RATE,
    connections: 50,
    durationS: SECONDS,
    warmupS: 1,
    headers: route.headers,
    cpus: pin.load,
  });
  const row = {
    phase: name,
    ...load,
    rss: treeRssMiB(palisade.dpPid),
    fds: fdCount(palisade.dpPid),
    attackLive: atk?.live ?? 0,
    attack: atk?.stats,
  };
  atk?.stop();
  return row;
}

function describeAttack(a) {
  if (!a) return "—";
  const statuses = [...a.statuses].map(([k, v]) => `${v}×${k}`).join(" ") || "no answer";
  const after = a.closeAfterMs.length
    ? `, closed after ${(Math.min(...a.closeAfterMs) / 1000).toFixed(1)}–${(Math.max(...a.closeAfterMs) / 1000).toFixed(1)} s`
    : "";
  return `opened ${a.opened}, closed by node ${a.closedByNode}${after}, answers ${statuses}${a.refused ? `, refused ${a.refused}` : ""}`;
}

let exitCode = 0;
try {
  const upstream = await startUpstream(ctx);
  ctx.upstreamPort = upstream.port;
  const palisade = await startPalisade(ctx, "standard");
  const route = palisade.routes[values.route];
  if (!route?.url) throw new Error(`route /${values.route} is not served: ${route?.reason ?? "unknown"}`);
  const port = Number(new URL(route.url).port);
  const fdsBefore = fdCount(palisade.dpPid);
  log(`node pid ${palisade.dpPid}, ${fdsBefore} descriptors; legitimate load ${RATE} requests/s on /${values.route}`);

  const attacks = {
    baseline: undefined,
    slowloris: (p) => attack({ port: p, count: SLOW, behave: slowloris }),
    idle: (p) => attack({ port: p, count: IDLE, behave: idle }),
    "header-flood": (p) => attack({ port: p, count: FLOOD, behave: headerFlood }),
  };
  const rows = [];
  for (const name of values.phases.split(",")) {
    if (!(name in attacks)) throw new Error(`unknown phase ${name}: one of ${Object.keys(attacks).join(", ")}`);
    rows.push(await phase(name, route, palisade, port, attacks[name]));
  }

  process.stdout.write(
    "| phase | legit requests/s | p50 ms | p99 ms | errors | non-2xx | node RSS MiB | node fds | attack connections at end | what the attack got |\n",
  );
  process.stdout.write("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
  for (const r of rows)
    process.stdout.write(
      `| ${r.phase} | ${Math.round(r.achievedRps)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.errors} | ${r.non2xx} | ${r.rss.toFixed(1)} | ${r.fds} | ${r.attackLive} | ${describeAttack(r.attack)} |\n`,
    );

  // After the attacks: the node answers and lets go of the attackers' sockets.
  await new Promise((r) => setTimeout(r, 2000));
  const ready = await httpRequest(route.url.replace(/\/[^/]*$/, "/bare"), { timeoutMs: 5000 }).catch(() => undefined);
  const fdsAfter = fdCount(palisade.dpPid);
  const failed = rows.reduce((n, r) => n + r.errors + r.non2xx, 0);
  for (const r of rows)
    process.stdout.write(
      `RESULT chaos-clients phase=${r.phase} rate=${RATE} achieved=${Math.round(r.achievedRps)} p99_ms=${r.p99Ms.toFixed(2)} errors=${r.errors} non2xx=${r.non2xx} rss_mib=${r.rss.toFixed(1)} fds=${r.fds}\n`,
    );
  process.stdout.write(
    `RESULT chaos-clients after status=${ready?.status ?? "none"} fds_before=${fdsBefore} fds_after=${fdsAfter}\n`,
  );
  const alive = ready?.status === 200;
  process.stdout.write(
    `target 0 failed legitimate requests: ${failed === 0 ? "met" : `NOT met (${failed})`}; node alive: ${alive ? "yes" : "NO"}\n`,
  );
  if (failed > 0 || !alive) exitCode = 1;
  await palisade.stop();
} catch (err) {
  log(`failed: ${err.stack ?? err}`);
  exitCode = 1;
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
