#!/usr/bin/env node
// `palisade healthcheck [--pid N]`: the image's HEALTHCHECK. Reads which plane process N (default
// 1, the container's main process) runs and where it listens (its --admin-listen/--status-listen
// flag, else its PALISADE_* variable, else the default), then asks the control plane's
// GET /healthz on the admin port, or a node's GET /readyz on its status port (200 once a config
// is applied). Exit 0 healthy, 1 not (one line on stderr says why), 2 usage.
import { readFileSync } from "node:fs";

/** What to probe for a plane process: its command line (argv) and environment. */
function probeTarget(argv, env) {
  const entry = argv.findIndex((a) => /palisade-(cp|dp)\.js$/.test(a));
  if (entry < 0) return undefined;
  const cp = argv[entry].endsWith("palisade-cp.js");
  const flag = cp ? "--admin-listen" : "--status-listen";
  const variable = cp ? "PALISADE_ADMIN_LISTEN" : "PALISADE_STATUS_LISTEN";
  let listen;
  const args = argv.slice(entry + 1);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) listen = args[i + 1];
    else if (args[i].startsWith(`${flag}=`)) listen = args[i].slice(flag.length + 1);
  }
  listen ??= env[variable] || (cp ? "127.0.0.1:8001" : "127.0.0.1:8100");
  const at = listen.lastIndexOf(":");
  let host = listen.slice(0, at).replace(/^\[|\]$/g, "");
  const port = listen.slice(at + 1);
  if (host === "" || host === "0.0.0.0") host = "127.0.0.1";
  if (host === "::") host = "::1";
  const url = new URL(`http://${host.includes(":") ? `[${host}]` : host}:${port}`);
  url.pathname = cp ? "/healthz" : "/readyz";
  return { plane: cp ? "control plane" : "node", url: url.href };
}

function readProc(pid, file) {
  return readFileSync(`/proc/${pid}/${file}`)
    .toString("utf8")
    .split("\0")
    .filter((s) => s !== "");
}

async function main() {
  const args = process.argv.slice(2);
  let pid = "1";
  if (args[0] === "--pid" && /^\d+$/.test(args[1] ?? "")) pid = args[1];
  else if (args.length > 0) {
    process.stderr.write("usage: palisade healthcheck [--pid N]\n");
    return 2;
  }
  let argv;
  let env;
  try {
    argv = readProc(pid, "cmdline");
    env = Object.fromEntries(
      readProc(pid, "environ").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
    );
  } catch (err) {
    process.stderr.write(`healthcheck: cannot read process ${pid}: ${err.message}\n`);
    return 1;
  }
  const target = probeTarget(argv, env);
  if (!target) {
    process.stderr.write(`healthcheck: process ${pid} runs neither palisade-cp nor palisade-dp\n`);
    return 1;
  }
  try {
    const res = await fetch(target.url, { signal: AbortSignal.timeout(2500) });
    const body = await res.text();
    if (res.status === 200) return 0;
    process.stderr.write(`healthcheck: ${target.plane} ${target.url} answered ${res.status} ${body.slice(0, 200)}\n`);
  } catch (err) {
    process.stderr.write(`healthcheck: ${target.plane} ${target.url}: ${err.cause?.code ?? err.message}\n`);
  }
  return 1;
}

process.exit(await main());
