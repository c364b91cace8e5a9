#!/usr/bin/env node
// The full fuzz run of the HTTP engine (a script, not a test):
//   npm run http:fuzz -w @palisade/data-plane -- [--requests 200000] [--seed N]
// Prints the figures; exits 1 when a connection got anything but valid responses and a clean close.
import { parseArgs } from "node:util";
import { fuzzEngine } from "./fuzz.js";

const { values } = parseArgs({
  options: { requests: { type: "string", default: "200000" }, seed: { type: "string", default: "20261207" } },
});
const started = performance.now();
const r = await fuzzEngine(Number(values.requests), Number(values.seed), 32);
const s = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(
  `${r.requests} requests on ${r.connections} connections in ${s} s: ${r.responses} responses, ` +
    `${r.silentCloses} connections closed without a byte, ${r.failures.length} failures; process alive\n`,
);
for (const f of r.failures.slice(0, 20)) process.stdout.write(`  ${f}\n`);
process.exitCode = r.failures.length === 0 ? 0 : 1;
