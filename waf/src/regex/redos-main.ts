/**
 * `npm run waf:redos -w @palisade/waf`: feeds every rule link of CRS (compiled at paranoia level
 * 4, so every rule is present) 64 KB adversarial inputs — `@rx` links inputs made from their
 * pattern, the other operators a generic set — and fails (exit 1) if any single rule evaluation
 * (its transformations and operator, CPU time, fastest of three) takes over 5 ms. Prints the
 * figures. Not part of `npm test` (timings).
 */
import { conformanceRuleSet } from "../conformance/suite.js";
import { measureRedos } from "./redos.js";

const LIMIT_MS = 5;
const rs = conformanceRuleSet();
const t0 = performance.now();
const figures = measureRedos(rs);
const totalS = (performance.now() - t0) / 1000;
const sorted = [...figures].sort((a, b) => b.worstMs - a.worstMs);
const inputs = figures.reduce((n, f) => n + f.inputs, 0);
const operators = new Set(figures.map((f) => f.operator));
console.log(
  `rule links: ${figures.length} (operators: ${[...operators].sort().join(", ")}); adversarial inputs: ${inputs} (64 KB each); ${totalS.toFixed(1)} s`,
);
const line = (f: (typeof figures)[number]) =>
  `${f.ruleId}\t${f.worstMs.toFixed(2)} ms (transformations ${f.transformMs.toFixed(2)} [${f.chain}], @${f.operator} ${f.operatorMs.toFixed(2)})`;
console.log("slowest rule evaluations:");
for (const f of sorted.slice(0, 10)) console.log(`  ${line(f)}`);
const worstOperator = [...figures].sort((a, b) => b.operatorMs - a.operatorMs)[0];
if (worstOperator) console.log(`slowest operator alone (with its prefilter): ${line(worstOperator)}`);
const median = sorted[Math.floor(sorted.length / 2)]?.worstMs ?? 0;
const breaches = figures.filter((f) => f.worstMs > LIMIT_MS);
for (const b of breaches) console.log(`BREACH ${line(b)} > ${LIMIT_MS} ms`);
console.log(
  `RESULT waf-redos links=${figures.length} inputs=${inputs} worst_ms=${(sorted[0]?.worstMs ?? 0).toFixed(3)} worst_operator_ms=${(worstOperator?.operatorMs ?? 0).toFixed(3)} median_worst_ms=${median.toFixed(3)} breaches=${breaches.length} operator_breaches=${figures.filter((f) => f.operatorMs > LIMIT_MS).length}`,
);
process.exitCode = breaches.length > 0 ? 1 : 0;
