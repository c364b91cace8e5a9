#!/usr/bin/env node
import { mkdtempSync, rmSync } from "node:fs";
// SIEM down for 60 s under load (issue 17 target: 0 failed client requests, 0 events lost within
// the spool). Real processes on loopback: a control plane, a data-plane node (default workers:
// the events leave from the cluster primary), an upstream, and Debian's rsyslogd as the SIEM,
// configured through the admin API (`PUT /v1/telemetry`). Two open-loop fixed-rate generators
// run for warm + outage + after seconds: one on a plain route (every answer must be 200), one on a
// route whose ip-restriction policy refuses 127.0.0.1 (every answer a 403 and one security event).
// rsyslogd is stopped by PID after `warm` seconds and started again on the same port `outage`
// seconds later; the script then waits for the node's spool to drain and compares the events the
// node made (its /security-events counts) with the distinct event ids rsyslogd received across
// both of its runs, and reads the node's SIEM metrics (dropped, failures). Not part of `npm test`.
//
//   npx tsc -b && node bench/siem-outage.mjs [--rate 200] [--warm 10] [--outage 60] [--after 10]
// `--outage 0` is the baseline: the same load with rsyslogd up throughout (compare the p99s).
import { createServer } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startRsyslog } from "../test-support/dist/index.js";
import { runFixedRate } from "./lib/fixed-rate.mjs";
import { freePort, httpRequest, waitFor } from "./lib/net.mjs";
import { dataPlaneArgs, startControlPlane } from "./lib/palisade.mjs";
import { startProcess, stopAll, stopProcess } from "./lib/proc.mjs";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "200" },
    warm: { type: "string", default: "10" },
    outage: { type: "string", default: "60" },
    after: { type: "string", default: "10" },
  },
});
const rate = Number(values.rate);
const warmS = Number(values.warm);
const outageS = Number(values.outage);
const afterS = Number(values.after);
const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "palisade-siem-outage-"));
const log = (msg) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

const upstream = createServer((_req, res) => res.end("ok"));
await new Promise((r) => upstream.listen(0, "127.0.0.1", r));
let rs = await startRsyslog();
const rsPort = rs.tcpPort;
const received = new Set();
const collect = () => {
  for (const line of rs.received()) {
    const m = /"event":\{[^}]*"id":"([0-9a-f-]{36})"/.exec(line) ?? /"id":"([0-9a-f-]{36})"/.exec(line);
    if (m && line.includes('"ip_denied"')) received.add(m[1]);
  }
};

let dp;
let cp;
try {
  cp = await startControlPlane({
    cpBin: join(root, "control-plane/dist/bin/palisade-cp.js"),
    dbFile: join(dir, "cp.db"),
    cwd: root,
    cpus: null,
  });
  await cp.api("POST", "/v1/upstreams", {
    name: "a",
    targets: [{ host: "127.0.0.1", port: upstream.address().port }],
  });
  await cp.api("POST", "/v1/policies", { name: "walls", type: "ip-restriction", config: { deny: ["127.0.0.1"] } });
  await cp.api("POST", "/v1/routes", { name: "denied", paths: ["/denied"], upstream: "a", policies: ["walls"] });
  await cp.api("POST", "/v1/routes", { name: "ok", paths: ["/ok"], upstream: "a" });
  await cp.api("PUT", "/v1/telemetry", {
    siem_sinks: [
      {
        name: "rsyslog",
        syslog: { address: `127.0.0.1:${rsPort}`, protocol: "tcp" },
        retry: { initial_ms: 500, max_ms: 5000 },
      },
    ],
  });
  await cp.api("POST", "/v1/config/versions", { message: "siem outage bench" });
  const listenPort = await freePort();
  const statusPort = await freePort();
  dp = startProcess(
    "palisade-dp",
    process.execPath,
    dataPlaneArgs({
      dpBin: join(root, "data-plane/dist/bin/palisade-dp.js"),
      nodeId: "node-outage",
      syncPort: cp.syncPort,
      listenPort,
      statusPort,
      stateDir: join(dir, "dp-state"),
    }),
    { cwd: root },
  );
  const status = `http://127.0.0.1:${statusPort}`;
  await waitFor(
    "the node to serve config 1",
    async () => ((await httpRequest(`${status}/readyz`, { timeoutMs: 2000 })).status === 200 ? true : undefined),
    { timeoutMs: 60_000, process: dp },
  );
  const metric = async (series) => {
    const text = (await httpRequest(`${status}/metrics`, { timeoutMs: 5000 })).body;
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  log(
    `load: ${rate} req/s on /ok and ${rate} req/s on /denied for ${warmS + outageS + afterS} s; load average ${loadavg()[0].toFixed(1)}`,
  );
  const durationS = warmS + outageS + afterS;
  const spec = (path) => ({
    url: `http://127.0.0.1:${listenPort}${path}`,
    rate,
    connections: 10,
    durationS,
    warmupS: 1,
  });
  const okRun = runFixedRate(spec("/ok"));
  const deniedRun = runFixedRate(spec("/denied"));
  await new Promise((r) => setTimeout(r, (1 + warmS) * 1000));
  collect();
  let pendingAtEnd = 0;
  if (outageS > 0) {
    log(`rsyslogd stopped (${received.size} events received so far)`);
    await rs.stop();
    await new Promise((r) => setTimeout(r, Math.min(5, outageS) * 1000));
    log(`sink up during the outage: ${await metric('palisade_siem_sink_up{sink="rsyslog"}')}`);
    await new Promise((r) => setTimeout(r, Math.max(0, outageS - 5) * 1000));
    pendingAtEnd = await metric('palisade_siem_spool_pending_events{sink="rsyslog"}');
    const first = rs;
    rs = await startRsyslog({ tcpPort: rsPort });
    first.dispose();
    log(`rsyslogd started again on port ${rsPort}; ${pendingAtEnd} events spooled at the end of the outage`);
  } else log("baseline: rsyslogd stays up");
  const [ok, denied] = await Promise.all([okRun, deniedRun]);
  await waitFor(
    "the spool to drain",
    async () => ((await metric('palisade_siem_spool_pending_events{sink="rsyslog"}')) === 0 ? true : undefined),
    { timeoutMs: 180_000, process: dp },
  );
  await new Promise((r) => setTimeout(r, 2000));
  collect();
  const made = JSON.parse((await httpRequest(`${status}/security-events`)).body).counts.ip_denied;
  const dropped = (await httpRequest(`${status}/metrics`)).body
    .split("\n")
    .filter((l) => l.startsWith("palisade_siem_events_dropped_total{"))
    .reduce((n, l) => n + Number(l.split(" ").at(-1)), 0);
  const result = {
    ok: {
      sent: ok.sent,
      completed: ok.completed,
      non2xx: ok.non2xx,
      errors: ok.errors,
      p50Ms: ok.p50Ms,
      p99Ms: ok.p99Ms,
    },
    denied: { sent: denied.sent, completed: denied.completed, errors: denied.errors, p99Ms: denied.p99Ms },
    eventsMade: made,
    eventsAtRsyslog: received.size,
    lost: made - received.size,
    spooledAtOutageEnd: pendingAtEnd,
    droppedMetric: dropped,
    sinkFailures: await metric('palisade_siem_sink_failures_total{sink="rsyslog"}'),
  };
  console.log(`RESULT siem-outage ${JSON.stringify(result)}`);
} finally {
  await stopProcess(dp);
  await stopProcess(cp?.proc);
  await stopAll();
  await rs.stop().catch(() => {});
  rs.dispose();
  upstream.close();
  rmSync(dir, { recursive: true, force: true });
}
