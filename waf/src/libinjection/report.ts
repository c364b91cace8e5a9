/**
 * `npm run waf:libinjection -w @palisade/waf`: how Palisade's detectors answer libinjection's
 * own test vectors and corpora. Prints a table per corpus file and one line
 * `RESULT libinjection vectors=<pass>/<total> exceptions=<n> sqli_pct=<%> xss_pct=<%>
 * sqli_fp_pct=<%> xss_fp_pct=<%>` (detection rates over the attack corpora, flag rates over
 * false_positives.txt). Exit status 1 when a vector differs without being a listed exception.
 */
import { type CorpusResult, measureCorpora, overall } from "./corpora.js";
import { vectorExceptions } from "./outlier-lists.js";
import { actualOutput, loadVectors } from "./vectors.js";

const pct = (part: number, whole: number) => ((100 * part) / whole).toFixed(3);

const vectors = loadVectors();
const exceptions = vectorExceptions();
let pass = 0;
const unexpected: string[] = [];
const byKind = new Map<string, [number, number]>();
for (const v of vectors) {
  const ok = actualOutput(v) === v.expected;
  if (ok) pass++;
  else if (!exceptions.has(v.file)) unexpected.push(v.file);
  const [p, t] = byKind.get(v.kind) ?? [0, 0];
  byKind.set(v.kind, [p + (ok ? 1 : 0), t + 1]);
}

console.log("## libinjection test vectors (third_party/libinjection/tests)\n");
console.log("| kind | pass | total |\n| --- | ---: | ---: |");
for (const [kind, [p, t]] of byKind) console.log(`| ${kind} | ${p} | ${t} |`);
console.log(`\n${pass}/${vectors.length} pass; listed exceptions: ${exceptions.size}`);
for (const [file, reason] of exceptions) console.log(`- ${file}: ${reason}`);

const report = measureCorpora();
function table(title: string, rows: readonly CorpusResult[]): { total: number; detected: number } {
  console.log(`\n## ${title}\n`);
  console.log("| file | lines | detected | rate |\n| --- | ---: | ---: | ---: |");
  for (const r of rows) console.log(`| ${r.file} | ${r.total} | ${r.detected} | ${pct(r.detected, r.total)}% |`);
  const o = overall(rows);
  console.log(`| **overall** | ${o.total} | ${o.detected} | ${pct(o.detected, o.total)}% |`);
  return o;
}
const sqli = table("SQLi corpora (detectSQLi)", report.sqli);
const xss = table("XSS corpora (detectXSS)", report.xss);
const fp = report.falsePositives;
console.log("\n## false_positives.txt (benign inputs that once were flagged)\n");
console.log(`detectSQLi flags ${fp.sqli.detected}/${fp.sqli.total} (${pct(fp.sqli.detected, fp.sqli.total)}%)`);
console.log(`detectXSS flags ${fp.xss.detected}/${fp.xss.total} (${pct(fp.xss.detected, fp.xss.total)}%)`);
console.log(
  `\nRESULT libinjection vectors=${pass}/${vectors.length} exceptions=${exceptions.size} ` +
    `sqli_pct=${pct(sqli.detected, sqli.total)} xss_pct=${pct(xss.detected, xss.total)} ` +
    `sqli_fp_pct=${pct(fp.sqli.detected, fp.sqli.total)} xss_fp_pct=${pct(fp.xss.detected, fp.xss.total)}`,
);
if (unexpected.length > 0) {
  console.error(`vectors that differ and are not listed in vector-exceptions.txt: ${unexpected.join(", ")}`);
  process.exitCode = 1;
}
