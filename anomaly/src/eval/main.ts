#!/usr/bin/env node
// `npm run anomaly:eval -w @palisade/anomaly [-- --small] [--seed N]`: the evaluation harness in
// simulated time (eval/simulate.ts), scored against its ground truth (eval/score.ts).
import { parseArgs } from "node:util";
import { resultLines, score } from "./score.js";
import { FULL_EVAL, SMALL_EVAL, simulate } from "./simulate.js";

const { values } = parseArgs({
  options: {
    small: { type: "boolean", default: false },
    seed: { type: "string" },
    verbose: { type: "boolean", default: false },
  },
});
const base = values.small ? SMALL_EVAL : FULL_EVAL;
const options = values.seed === undefined ? base : { ...base, seed: Number(values.seed) };
const run = simulate(options);
const s = score(run);
const mib = (b: number) => (b / 1024 / 1024).toFixed(1);
console.log(
  `anomaly eval: seed ${options.seed}, ${options.durationS} s simulated (${options.warmupS} s learning), ` +
    `${run.normalRequests.toLocaleString("en")} normal + ${run.attackRequests.toLocaleString("en")} attack requests over 2 nodes, ` +
    `${run.attacks.length} attacks, ${(run.wallMs / 1000).toFixed(1)} s wall (${Math.round(run.records / (run.wallMs / 1000)).toLocaleString("en")} records/s incl. generation)`,
);
console.log("");
console.log(
  "| kind | attacks | found | of which fleet only | detections | true | precision | recall | ttd median s | ttd worst s |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const k of s.kinds) {
  console.log(
    `| ${k.kind} | ${k.instances} | ${k.found} | ${k.foundOnlyByFleet} | ${k.detections} | ${k.truePositives} | ${k.precision.toFixed(3)} | ${k.recall.toFixed(3)} | ${k.ttdMedianS.toFixed(1)} | ${k.ttdMaxS.toFixed(1)} |`,
  );
}
console.log("");
console.log(
  `false detections: ${s.falseDetections} (${s.falsePerMillion.toFixed(2)} per million normal requests); ` +
    `ring drops: ${run.dropped}; summaries: mean ${Math.round(run.summaryBytesMean)} B, max ${run.summaryBytesMax} B`,
);
for (const [i, n] of run.nodes.entries()) {
  console.log(
    `node-${i}: ${n.records.toLocaleString("en")} records, ${n.clientsTracked.toLocaleString("en")} clients tracked ` +
      `(${n.clientsEvicted.toLocaleString("en")} evicted, ${n.clientsRefused.toLocaleString("en")} refused), ` +
      `engine memory ${mib(n.memoryBytes)} MiB, clock jumps ${n.clockJumps}`,
  );
}
console.log(`process heap + array buffers after the run: ${mib(run.heapBytes)} MiB`);
if (values.verbose || s.falseDetections > 0) {
  for (const d of s.falses.slice(0, 30))
    console.log(`false: ${d.level} ${d.scope} ${Math.round(d.atMs / 1000)}s ${d.explanation}`);
}
if (values.verbose || s.missed.length > 0) {
  for (const a of s.missed) console.log(`missed: ${a.kind} ${a.variant} at ${Math.round(a.startMs / 1000)} s`);
}
if (values.verbose) {
  for (const k of s.kinds) {
    const slow = s.found
      .filter((f) => f.attack.kind === k.kind)
      .sort((a, b) => b.ttdS - a.ttdS)
      .slice(0, 3);
    for (const f of slow)
      console.log(
        `slowest ${k.kind}: ${f.attack.variant} at ${Math.round(f.attack.startMs / 1000)} s: ${f.ttdS.toFixed(1)} s by ${f.by}`,
      );
  }
}
const byLevel = new Map<string, number>();
for (const d of run.detections) byLevel.set(`${d.kind}/${d.level}`, (byLevel.get(`${d.kind}/${d.level}`) ?? 0) + 1);
console.log(`detections by kind/level: ${[...byLevel].map(([k, v]) => `${k} ${v}`).join(", ")}`);
console.log("");
for (const line of resultLines(s)) console.log(line);
