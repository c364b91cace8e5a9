/**
 * `npm run waf:conformance -w @palisade/waf`: runs CRS's whole regression suite in-process and
 * ends with `RESULT crs-regression passed=N failed=F known=K total=T`. Exits 1 on a failure not
 * on conformance/known-failures.yaml or on a listed test that now passes.
 * Options: `--crs DIR` (another CRS v4 release), `--only SUBSTRING` (test ids), `--list` (print
 * every failure with its reason, known or not).
 */
import { conformanceRuleSet, conformanceTests, loadKnownFailures, runSuite } from "./suite.js";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const crsDir = opt("--crs");
const only = opt("--only");
const t0 = performance.now();
const rs = conformanceRuleSet(crsDir);
const compileMs = performance.now() - t0;
let tests = conformanceTests(crsDir);
if (only) tests = tests.filter((t) => t.id.includes(only));
const known = loadKnownFailures();
const t1 = performance.now();
const report = runSuite(rs, tests, known);
const runMs = performance.now() - t1;
const reasons = new Map(known.map((k) => [k.id, k.reason]));
if (args.includes("--list"))
  for (const o of report.outcomes) if (!o.passed) console.log(`${o.id}\t${o.reason}\t${reasons.get(o.id) ?? "NEW"}`);
for (const o of report.newFailures) console.log(`NEW FAILURE ${o.id}: ${o.reason}`);
for (const id of report.nowPassing) console.log(`NOW PASSING ${id} (remove it from known-failures.yaml)`);
console.log(
  `compiled ${rs.size} rules in ${compileMs.toFixed(0)} ms; ran ${tests.length} tests in ${(runMs / 1000).toFixed(1)} s; ${report.refusedPassed.length} passed as refusals before the WAF`,
);
const failed = report.outcomes.length - report.passed;
console.log(
  `RESULT crs-regression passed=${report.passed} failed=${failed} known=${report.known} total=${tests.length}`,
);
process.exitCode = report.newFailures.length > 0 || report.nowPassing.length > 0 ? 1 : 0;
