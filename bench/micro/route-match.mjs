#!/usr/bin/env node
// Micro-benchmark: the data plane's compiled router (data-plane/src/router/router.ts) over a table
// of 10,000 routes (bench/sync/generate-config.mjs: GitHub's REST API operations under
// api-N.example.com hosts, exact paths or the prefix before the first `{param}`), answering
// host + method + path lookups: hits spread over the whole table, misses inside a host's bucket,
// and a host-less route beside the table (what palisade-10k-routes drives). Then the same 10,000
// operations with each match kind of issue 22 in use on every route (template paths, regex paths,
// header/query/cookie conditions), looked up with a real request head (RequestMatchFields over a
// FieldList of ten header lines, as request_filter builds it). In-process, single thread, no
// network. Not part of `npm test`.
//
//   npx tsc -b && node bench/micro/route-match.mjs [--routes 10000] [--ms 2000] [--kinds-only]
import { parseArgs } from "node:util";
import { fieldListOf } from "../../data-plane/dist/http/field-list.js";
import { RequestMatchFields } from "../../data-plane/dist/router/match-request.js";
import { compileRegexPath, compileTemplate } from "../../data-plane/dist/router/path-pattern.js";
import { FieldCondition, RouteConditions } from "../../data-plane/dist/router/route-conditions.js";
import { Router } from "../../data-plane/dist/router/router.js";
import { generateConfig, githubOperations } from "../sync/generate-config.mjs";

const { values } = parseArgs({
  options: {
    routes: { type: "string", default: "10000" },
    ms: { type: "string", default: "2000" },
    "kinds-only": { type: "boolean", default: false },
  },
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

const rows = values["kinds-only"]
  ? []
  : [
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
rows.push(...matchKindRows());
console.log(
  `router over ${router.size.toLocaleString("en")} routes (built in ${buildMs.toFixed(1)} ms); ${sink > 0 ? "" : "(no matches?) "}`,
);
console.log("| lookup | ns/op | lookups/s |");
console.log("| --- | ---: | ---: |");
for (const [name, ns] of rows)
  console.log(`| ${name} | ${ns.toFixed(0)} | ${Math.round(1e9 / ns).toLocaleString("en")} |`);

/**
 * Issue 22: the cost of each match kind at this size. Each table holds the same operations under
 * the same hosts as above, with one kind in use on every route; the lookups are hits spread over
 * the table, each with a fresh RequestMatchFields over a real head (what request_filter does).
 */
function matchKindRows() {
  const n = Number(values.routes);
  const ops = githubOperations();
  const table = [];
  for (let h = 0; table.length < n; h++)
    for (const op of ops) {
      if (table.length >= n) break;
      table.push({ op, host: `api-${h}.example.com`, key: `r-${String(table.length).padStart(6, "0")}` });
    }
  const literal = (path) => path.replace(/\{[^}]+\}/g, "x1");
  const asRegex = (path) => path.replace(/[.+*?()|[\]^$\\]/g, "\\$&").replace(/\\\{[^}]+\\\}|\{[^}]+\}/g, "[^/]+");
  const plainPath = (path) => {
    const at = path.indexOf("{");
    return at === -1 ? { kind: "exact", value: path } : { kind: "prefix", value: path.slice(0, Math.max(1, at - 1)) };
  };
  const cond = (source, name, kind, value) => new RouteConditions([new FieldCondition({ source, name, kind, value })]);
  const head = fieldListOf([
    "host",
    "api.example.com",
    "user-agent",
    "bench/1.0",
    "accept",
    "application/json",
    "accept-encoding",
    "gzip",
    "authorization",
    "Bearer abc.def.ghi",
    "x-request-id",
    "7f3a",
    "x-api-version",
    "2022-11-28",
    "cookie",
    "session=s1; canary=on; theme=dark",
    "content-type",
    "application/json",
    "x-forwarded-for",
    "203.0.113.9",
  ]);
  const query = "?page=2&per_page=50&format=json";
  const kinds = [
    ["exact/prefix paths (the table above), with a request head", (e) => ({ paths: [plainPath(e.op.path)] })],
    [
      "template paths (/repos/{owner}/{repo}/…)",
      (e) =>
        /\/\{[^/{}]+\}(\/|$)/.test(e.op.path) && !/[^/]\{|\}[^/]/.test(e.op.path)
          ? { paths: [{ kind: "template", value: e.op.path, pattern: compileTemplate(e.op.path, false) }] }
          : { paths: [plainPath(e.op.path)] },
    ],
    [
      "regex paths (/repos/[^/]+/[^/]+/…, RE2)",
      (e) => ({
        paths: [{ kind: "regex", value: asRegex(e.op.path), pattern: compileRegexPath(asRegex(e.op.path), false) }],
      }),
    ],
    [
      "+ header exact (x-api-version)",
      (e) => ({ paths: [plainPath(e.op.path)], conditions: cond("header", "x-api-version", "exact", "2022-11-28") }),
    ],
    [
      "+ header regex (x-api-version ^2022-.*)",
      (e) => ({ paths: [plainPath(e.op.path)], conditions: cond("header", "x-api-version", "regex", "2022-.*") }),
    ],
    [
      "+ header present",
      (e) => ({ paths: [plainPath(e.op.path)], conditions: cond("header", "authorization", "present", "") }),
    ],
    [
      "+ query exact (format=json)",
      (e) => ({ paths: [plainPath(e.op.path)], conditions: cond("query", "format", "exact", "json") }),
    ],
    [
      "+ cookie exact (canary=on)",
      (e) => ({ paths: [plainPath(e.op.path)], conditions: cond("cookie", "canary", "exact", "on") }),
    ],
    [
      "+ header exact that fails, plain route of the same path answers",
      (e) => ({
        paths: [plainPath(e.op.path)],
        conditions: cond("header", "x-api-version", "exact", "2099-01-01"),
        twin: true,
      }),
    ],
  ];
  const out = [];
  for (const [label, shape] of kinds) {
    const specs = [];
    for (const e of table) {
      const { twin, ...s } = shape(e);
      specs.push({ route: { name: e.key }, key: e.key, hosts: [e.host], methods: [e.op.method], priority: 0, ...s });
      if (twin)
        specs.push({
          route: { name: `${e.key}-plain` },
          key: `${e.key}-plain`,
          hosts: [e.host],
          methods: [e.op.method],
          priority: 0,
          paths: s.paths,
        });
    }
    const t0 = performance.now();
    const r = new Router(specs);
    const built = performance.now() - t0;
    const reqs = table.filter((_, i) => i % 10 === 0).map((e) => [e.op.method, e.host, literal(e.op.path)]);
    for (const [m, h, p] of reqs)
      if (r.match(m, h, p, new RequestMatchFields(head, query)) === undefined)
        throw new Error(`${label}: no route for ${m} ${h}${p}`);
    const ns = measure((i) => {
      const [m, h, p] = reqs[i % reqs.length];
      if (r.match(m, h, p, new RequestMatchFields(head, query)) !== undefined) sink++;
    });
    out.push([`${label}; ${specs.length.toLocaleString("en")} routes, built in ${built.toFixed(0)} ms`, ns]);
  }
  return out;
}
