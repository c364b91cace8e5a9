#!/usr/bin/env node
// The full differential and fuzz runs against a real node (the proxy server in this process:
// listener, engine, request loop, compiled routes, upstream pool) — scripts, not tests:
//   npm run node:differential -w @palisade/data-plane -- [--cases 50000] [--seed N]
//   npm run node:fuzz -w @palisade/data-plane -- [--requests 200000] [--seed N]
// Print the figures; exit 1 when the node did anything but what the checks expect.
import { parseArgs } from "node:util";
import { DIFF_LIMITS } from "../http/differential.js";
import { fixedCases, generatedCases } from "../http/request-corpus.js";
import { fuzzNode, NodeUnderTest, nodeDifferential } from "./node-check.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    cases: { type: "string", default: "50000" },
    requests: { type: "string", default: "200000" },
    seed: { type: "string", default: "20261207" },
  },
});
const mode = positionals[0];
if (mode !== "differential" && mode !== "fuzz") {
  process.stderr.write("usage: node-check-cli.js differential|fuzz [--cases N] [--requests N] [--seed N]\n");
  process.exit(2);
}
const seed = Number(values.seed);
const node = await new NodeUnderTest(mode === "fuzz" ? "fuzz" : "echo", DIFF_LIMITS).start();
const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
try {
  if (mode === "differential") {
    const cases = [...fixedCases(), ...generatedCases(Number(values.cases), seed)];
    const r = await nodeDifferential(node, cases, 16);
    process.stdout.write(`${r.compared} requests compared in ${seconds()} s: ${r.differences.length} differences\n`);
    for (const d of r.differences.slice(0, 20))
      process.stdout.write(`  ${d.name}: ${d.why}: ${JSON.stringify(d.bytes.toString("latin1").slice(0, 160))}\n`);
    process.exitCode = r.differences.length === 0 ? 0 : 1;
  } else {
    const r = await fuzzNode(node, Number(values.requests), seed, 32);
    const rss = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
    process.stdout.write(
      `${r.requests} requests on ${r.connections} connections in ${seconds()} s: ${r.responses} responses, ` +
        `${r.silentCloses} connections closed without a byte, ${r.failures.length} failures; ` +
        `node ${r.alive ? "alive" : "NOT answering"}, RSS ${rss} MiB\n`,
    );
    for (const f of r.failures.slice(0, 20)) process.stdout.write(`  ${f}\n`);
    process.exitCode = r.failures.length === 0 && r.alive ? 0 : 1;
  }
} finally {
  await node.stop();
}
