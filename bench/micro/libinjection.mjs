#!/usr/bin/env node
// Micro-benchmark: the WAF's libinjection detectors (waf/src/libinjection/), detectSQLi and
// detectXSS, on benign and malicious argument values of the sizes a request carries (ids,
// emails, search text, a user agent, a 1 KB text field), as byte strings the engine hands them.
// Prints ns per call for each input and the cost of checking the ~20 values of a typical GET
// with both detectors (the WAF budget is 150 µs for the whole GET). In-process, single thread,
// no network. Not part of `npm test`.
//
//   npx tsc -b && node bench/micro/libinjection.mjs [--ms 1000]
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { detectSQLi, detectXSS } from "../../waf/dist/libinjection/index.js";

const { values } = parseArgs({ options: { ms: { type: "string", default: "1000" } } });
const budgetMs = Number(values.ms);

const latin1 = (s) => Buffer.from(s, "utf8").toString("latin1");
const benign = [
  ["id", "12345"],
  ["uuid", "3f2b8c1e-9d4a-4e2f-b6c7-0a1d2e3f4a5b"],
  ["email", "jane.doe+news@example.com"],
  ["search", "red running shoes size 42"],
  ["sentence", "Hello, I'd like to order 2 items and return the other one (it's broken)."],
  ["user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"],
  ["accept-language", "en-US,en;q=0.9,fr;q=0.8"],
  ["json-ish", '{"name":"Jane","tags":["a","b"],"qty":3}'],
  ["text-1KB", latin1("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(18))],
];
const malicious = [
  ["sqli-tautology", "1' OR '1'='1"],
  ["sqli-union", "-1 UNION SELECT username, password FROM users--"],
  ["sqli-blind", "1 AND SLEEP(5)#"],
  ["xss-script", "<script>alert(document.cookie)</script>"],
  ["xss-handler", '"><img src=x onerror=alert(1)>'],
  ["xss-url", "javascript:alert(1)"],
];

let sink = 0;

/**
 * Calls `fn` in five rounds of about budgetMs/5 of wall time each, after a warm-up; returns the
 * lowest CPU ns per call of the rounds (user + system time of this process). The machine is
 * shared: wall time also counts waits for a core, and a busy hypervisor inflates CPU time too,
 * so the least disturbed round is the detector's cost.
 */
function measure(fn) {
  for (let i = 0; i < 20_000; i++) fn();
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    let n = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    while (performance.now() - start < budgetMs / 5) {
      for (let i = 0; i < 200; i++) fn();
      n += 200;
    }
    const used = process.cpuUsage(cpu);
    best = Math.min(best, ((used.user + used.system) * 1000) / n);
  }
  return best;
}

const rows = [];
for (const [kind, set] of [
  ["benign", benign],
  ["malicious", malicious],
]) {
  for (const [name, input] of set) {
    const sqliNs = measure(() => {
      if (detectSQLi(input).sqli) sink++;
    });
    const xssNs = measure(() => {
      if (detectXSS(input)) sink++;
    });
    rows.push({
      kind,
      name,
      bytes: input.length,
      sqli: detectSQLi(input).fingerprint || "-",
      xss: detectXSS(input),
      sqliNs,
      xssNs,
    });
  }
}

// A GET's ~20 checked values (3 query args, their names, 12 headers' values, cookies): the first
// eight benign inputs (not the 1 KB one), round robin, each made distinct.
const get = Array.from({ length: 20 }, (_, i) => latin1(`${benign[i % 8][1]}${i}`));
const getNs = measure(() => {
  for (const v of get) {
    if (detectSQLi(v).sqli) sink++;
    if (detectXSS(v)) sink++;
  }
});

console.log("| input | bytes | fingerprint | XSS | detectSQLi ns/call | detectXSS ns/call |");
console.log("| --- | ---: | --- | --- | ---: | ---: |");
for (const r of rows) {
  console.log(
    `| ${r.kind} ${r.name} | ${r.bytes} | ${r.sqli} | ${r.xss ? "yes" : "no"} | ${r.sqliNs.toFixed(0)} | ${r.xssNs.toFixed(0)} |`,
  );
}
console.log(`\nload average while measuring: ${loadavg()[0].toFixed(2)} (2 cores, shared)`);
console.log(`GET with ${get.length} benign values, both detectors on each: ${(getNs / 1000).toFixed(2)} µs`);
console.log(`RESULT libinjection-micro get_us=${(getNs / 1000).toFixed(2)} sink=${sink > 0 ? "ok" : "none"}`);
