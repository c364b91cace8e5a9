#!/usr/bin/env node
// The full differential run of the HTTP engine against node:http (a script, not a test):
//   npm run http:differential -w @palisade/data-plane -- [--cases 50000] [--seed N]
// Prints the table of known differences with their counts and reasons, and every unexplained
// difference; exits 1 when there is one.
import { parseArgs } from "node:util";
import { NodeOracle, runDifferential } from "./differential.js";
import { renderReport, report } from "./differential-report.js";
import { fixedCases, generatedCases } from "./request-corpus.js";

const { values } = parseArgs({
  options: { cases: { type: "string", default: "50000" }, seed: { type: "string", default: "20261207" } },
});
const oracle = await new NodeOracle().start();
const started = performance.now();
const cases = [...fixedCases(), ...generatedCases(Number(values.cases), Number(values.seed))];
const { differences, compared } = await runDifferential(cases, oracle, 16);
await oracle.stop();
const r = report(compared, differences);
process.stdout.write(`${renderReport(r)}\n\n${((performance.now() - started) / 1000).toFixed(1)} s\n`);
process.exitCode = r.unexplained.length === 0 ? 0 : 1;
