#!/usr/bin/env node
/**
 * `npm run anomaly:eval`: the anomaly evaluation through a real control plane and two real
 * nodes (real-eval.ts), printing per attack kind precision, recall and time to detect, ending
 * with `RESULT anomaly kind=<k> precision=<p> recall=<r> ttd_s=<t>` lines. Real time: about 15
 * minutes (5.5 min of learning: the route rules need 5 min of baseline). `--small` runs the
 * seeded short version `npm test` runs (brute force and enumeration, stops once found). Every
 * kind is replayed: registered users are consumers with API keys the nodes resolve.
 */
import { parseArgs } from "node:util";
import { EVAL_KINDS, resultLines } from "@palisade/anomaly";
import { FULL_REAL_EVAL, realEval, SMALL_REAL_EVAL } from "./real-eval.js";

const { values } = parseArgs({ options: { small: { type: "boolean" }, seed: { type: "string" } } });
const base = values.small ? SMALL_REAL_EVAL : FULL_REAL_EVAL;
const kinds: ReadonlySet<string> = base.kinds ?? new Set(EVAL_KINDS);
const opts = { ...base, eval: { ...base.eval, ...(values.seed ? { seed: Number(values.seed) } : {}) } };
console.log(
  `anomaly evaluation through real processes: seed ${opts.eval.seed}, ${opts.eval.durationS} s, learning ${opts.eval.warmupS} s, ` +
    `${opts.eval.users} users, kinds ${[...kinds].join(", ")}`,
);
const r = await realEval({ ...opts, log: (l) => console.log(l) });
console.log(
  `${r.requests.toLocaleString("en")} requests (${r.normalRequests.toLocaleString("en")} normal after learning, ` +
    `${r.attackRequests.toLocaleString("en")} attack), ${r.failed} unanswered, replay lag ≤ ${r.maxLagMs} ms, ${r.wallS.toFixed(0)} s wall`,
);
console.log("| kind | attacks | found | detections | true | precision | recall | ttd median s | ttd worst s |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const k of r.score.kinds.filter((k) => kinds.has(k.kind)))
  console.log(
    `| ${k.kind} | ${k.instances} | ${k.found} | ${k.detections} | ${k.truePositives} | ${k.precision.toFixed(3)} | ${k.recall.toFixed(3)} | ${k.ttdMedianS.toFixed(1)} | ${k.ttdMaxS.toFixed(1)} |`,
  );
console.log(
  `false detections: ${r.score.falseDetections} (${r.score.falsePerMillion.toFixed(2)} per million normal requests)`,
);
for (const d of r.score.falses.slice(0, 20))
  console.log(`false: ${d.level} ${d.scope} ${Math.round(d.atMs / 1000)} s ${d.explanation}`);
for (const a of r.score.missed) console.log(`missed: ${a.kind} ${a.variant} at ${Math.round(a.startMs / 1000)} s`);
console.log("");
for (const line of resultLines(r.score)) if (kinds.has(line.split(" ")[2]!.slice(5))) console.log(line);
