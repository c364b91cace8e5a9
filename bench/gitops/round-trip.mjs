// `node bench/gitops/round-trip.mjs [--routes 10000] [--runs 3]`: the GitOps round trip of issue 18
// on the benchmarks' 10,000-route configuration (bench/sync/generate-config.mjs), with the real
// binaries: a palisade-cp on a temporary database and 127.0.0.1 ports is seeded with the file by
// `palisadectl sync --prune`, then `palisadectl dump > dump.yaml`, `palisadectl sync -f dump.yaml
// --prune` and `palisadectl diff -f dump.yaml` run in turn, each timed from process start to
// exit (wall clock, ms), with the CPU time they and the control plane used (a loaded machine
// stretches the wall clock, not the CPU time). Target: the three together under 10 s, and no
// difference reported.
// Needs `npm run build`; installs @octokit/openapi into bench/.cache/ on first use.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { dump } from "js-yaml";
import { generateConfig } from "../sync/generate-config.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));

/**
 * CPU time (user + system, ms) of a process from /proc/<pid>/stat (Linux; 0 elsewhere): its own,
 * or (children) that of its children it has waited for.
 */
function cpuMs(pid, children) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14-17 of stat(5) (utime, stime, cutime, cstime) are 11-14 here, in clock ticks (100/s).
    const [u, s] = children ? [f[13], f[14]] : [f[11], f[12]];
    return (Number(u) + Number(s)) * 10;
  } catch {
    return 0;
  }
}
const { values } = parseArgs({
  options: { routes: { type: "string", default: "10000" }, runs: { type: "string", default: "3" } },
});
const dir = mkdtempSync(join(tmpdir(), "palisade-gitops-bench-"));
const token = "gitops-bench-admin-token-0123456789";
const run = promisify(execFile);

const log = join(dir, "cp.log");
const cp = spawn(
  process.execPath,
  [
    join(root, "control-plane/dist/bin/palisade-cp.js"),
    "--db",
    join(dir, "cp.db"),
    "--admin-listen",
    "127.0.0.1:0",
    "--sync-listen",
    "127.0.0.1:0",
    "--sync-insecure",
  ],
  {
    env: { ...process.env, PALISADE_ADMIN_TOKEN: token, PALISADE_LOG_LEVEL: "info" },
    stdio: ["ignore", openSync(log, "a"), openSync(log, "a")],
  },
);
let port = 0;
try {
  for (const deadline = Date.now() + 30_000; port === 0; ) {
    if (Date.now() > deadline || cp.exitCode !== null) throw new Error(`palisade-cp did not start; see ${log}`);
    const line = readFileSync(log, "utf8")
      .split("\n")
      .find((l) => l.includes('"listener":"admin"') && l.includes('"listening"'));
    if (line) port = JSON.parse(line).port;
    else await new Promise((r) => setTimeout(r, 50));
  }
  const env = { ...process.env, PALISADE_ADMIN_URL: `http://127.0.0.1:${port}`, PALISADE_ADMIN_TOKEN: token };
  /**
   * Runs palisadectl; returns its output, exit status, wall time and CPU time (ms): the command's
   * own (this process's reaped children) plus the control plane's while it ran, the figure that
   * tells what the round trip costs when other processes share the cores.
   */
  const ctl = async (...args) => {
    const t0 = performance.now();
    const cpu0 = cpuMs("self", true) + cpuMs(cp.pid, false);
    const done = (code, out) => ({
      code,
      out,
      ms: performance.now() - t0,
      cpu: cpuMs("self", true) + cpuMs(cp.pid, false) - cpu0,
    });
    try {
      const r = await run(process.execPath, [join(root, "control-plane/bin/palisadectl.js"), ...args], {
        env,
        maxBuffer: 1 << 28,
      });
      return done(0, r.stdout);
    } catch (e) {
      return done(e.code, `${e.stdout}${e.stderr}`);
    }
  };
  // With the mapping sections a document holds beside the resources (telemetry, anomaly).
  const generated = generateConfig(Number(values.routes));
  const config = {
    ...generated,
    telemetry: { siem_sinks: [{ name: "audit", file: { path: "/var/log/palisade/siem.ndjson" } }] },
    anomaly: {
      enabled: true,
      thresholds: { routes: { [generated.routes[0].name]: { bruteForce: { minPerMin: 5 } } } },
    },
  };
  const file = join(dir, "config.yaml");
  writeFileSync(file, dump(config, { noRefs: true, lineWidth: -1 }));
  const seed = await ctl("sync", "-f", file, "--prune", "--force");
  if (seed.code !== 0) throw new Error(`seeding failed: ${seed.out}`);
  console.log(
    `seeded ${config.routes.length} routes, ${config.upstreams.length} upstreams, ${config.policies.length} policies in ${Math.round(seed.ms)} ms`,
  );
  console.log("run  dump ms  sync ms  diff ms  total ms  cpu ms  diff says");
  for (let i = 1; i <= Number(values.runs); i++) {
    const d = await ctl("dump");
    const dumpFile = join(dir, "dump.yaml");
    writeFileSync(dumpFile, d.out);
    const s = await ctl("sync", "-f", dumpFile, "--prune");
    const f = await ctl("diff", "-f", dumpFile);
    const says = f.code === 0 ? f.out.trim().split("\n").at(-1) : `exit ${f.code}: ${f.out.slice(0, 200)}`;
    const total = d.ms + s.ms + f.ms;
    const cpu = d.cpu + s.cpu + f.cpu;
    console.log(
      `${String(i).padEnd(4)} ${d.ms.toFixed(0).padStart(7)}  ${s.ms.toFixed(0).padStart(7)}  ${f.ms.toFixed(0).padStart(7)}  ${total.toFixed(0).padStart(8)}  ${cpu.toFixed(0).padStart(6)}  ${says}`,
    );
    console.log(
      `RESULT gitops_round_trip run=${i} routes=${config.routes.length} total_ms=${total.toFixed(0)} cpu_ms=${cpu.toFixed(0)} no_difference=${f.code === 0} dump_bytes=${d.out.length}`,
    );
  }
} finally {
  cp.kill("SIGTERM");
  await new Promise((r) => cp.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
}
