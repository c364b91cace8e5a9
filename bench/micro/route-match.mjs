#!/usr/bin/env node
// Micro-benchmark: the data plane's compiled router (data-plane/src/router/router.ts) over a table
// of 10,000 routes (bench/sync/generate-config.mjs: GitHub's REST API operations under
// api-N.example.com hosts, exact paths or the prefix before the first `{param}`), answering
// host + method + path lookups: hits spread over the whole table, misses inside a host's bucket,
// and a host-less route beside the table (what palisade-10k-routes drives). In-process, single
// thread, no network. Not part of `npm test`.
//
//   npx tsc -b && node bench/micro/route-match.mjs [--routes 10000] [--ms 2000]
import { parseArgs } from "node:util";
import { Router } from "../../data-plane/dist/router/router.js";
import { generateConfig } from "../sync/generate-config.mjs";

const { values } = parseArgs({
  options: { routes: { type: "string", default: "10000" }, ms: { type: "string", default: "2000" } },
});
const budgetMs = Number(values.ms);
const cfg = generateConfig(Number(values.routes));

/** RouteSpecs as compile() builds them (data-plane/src/config/compile.ts), plus one host-less route. */
const specs = cfg.routes.map((r, i) => ({
  route: { name: r.name },
  key: `r-${String(i).padStart(6, "0")}`,
  hosts: r.hosts,
  paths: r.paths.map((p) => (p.exact ? { kind: "exact", value: p.exact } : { kind: "prefix", value: p.prefix })),
  methods: r.methods,
  priority: 0,
}));
specs.push({
  route: { name: "bare" },
  key: "z-bare",
  hosts: [],
  paths: [{ kind: "prefix", value: "/bare" }],
  methods: [],
  priority: 0,
});
const t = performance.now();
const router = new Router(specs);
const buildMs = performance.now() - t;

/** A request each route answers: its exact path, or its prefix plus one segment. */
const hits = cfg.routes.map((r) => {
  const p = r.paths[0];
  return [r.methods[0], r.hosts[0], p.exact ?? `${p.prefix === "/" ? "" : p.prefix}/x`];
});
// Spread over the table: every 10th route, in a shuffled but fixed order.
const sample = hits
  .filter((_, i) => i % 10 === 0)
  .sort((a, b) => ((a[2].length * 31 + a[1].length) % 7) - ((b[2].length * 31 + b[1].length) % 7));
const misses = [...new Set(cfg.routes.map((r) => r.hosts[0]))].map((h) => ["GET", h, "/no/such/endpoint"]);

let sink = 0;
for (const [m, h, p] of sample) {
  if (router.match(m, h, p) === undefined) throw new Error(`no route for ${m} ${h}${p}`);
}

/** Calls `fn(i)` for about budgetMs; returns ns per call. */
function measure(fn) {
  for (let i = 0; i < 20_000; i++) fn(i); // warm-up (JIT)
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < budgetMs) {
    for (let i = 0; i < 1000; i++) fn(n + i);
    n += 1000;
    now = performance.now();
  }
  return ((now - start) * 1e6) / n;
}

const rows = [
  [
    `hit, ${sample.length} routes spread over the table`,
    measure((i) => {
      const [m, h, p] = sample[i % sample.length];
      if (router.match(m, h, p) !== undefined) sink++;
    }),
  ],
  [
    "miss inside a host's bucket (404)",
    measure((i) => {
      const [m, h, p] = misses[i % misses.length];
      if (router.match(m, h, p) === undefined) sink++;
    }),
  ],
  [
    "host-less /bare beside the table",
    measure(() => {
      if (router.match("GET", "127.0.0.1", "/bare") !== undefined) sink++;
    }),
  ],
];
console.log(
  `router over ${router.size.toLocaleString("en")} routes (built in ${buildMs.toFixed(1)} ms); ${sink > 0 ? "" : "(no matches?) "}`,
);
console.log("| lookup | ns/op | lookups/s |");
console.log("| --- | ---: | ---: |");
for (const [name, ns] of rows)
  console.log(`| ${name} | ${ns.toFixed(0)} | ${Math.round(1e9 / ns).toLocaleString("en")} |`);
