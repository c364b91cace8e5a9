#!/usr/bin/env node
// Micro-benchmark of the data plane's anomaly recorder (data-plane/src/anomaly/anomaly-recorder.ts):
// what the `logging` phase pays per request for anomaly detection (issue 16 point 1, budget
// ≤ 2 µs): the recorder reads the finished exchange (route, upstream and consumer looked up in
// their interners, the client address, the canonical path, User-Agent and Content-Type read
// from a real parsed request head, status, auth outcome, sizes) and writes one 80-byte record
// into the SharedArrayBuffer ring. A reader drains the ring between rounds (not timed), as the
// detector worker does. Also the guard's cost on a request when decisions are held (10,000
// addresses denied, the client not among them). In-process, no network. Not part of `npm test`.
//
//   npx tsc -b && node bench/micro/anomaly-recorder.mjs [--ms 2000]
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { createRingBuffer, Interner, RecordReader, RecordWriter } from "../../anomaly/dist/index.js";
import { AnomalyRecorder } from "../../data-plane/dist/anomaly/anomaly-recorder.js";
import { DecisionGuard } from "../../data-plane/dist/anomaly/decision-guard.js";
import { RequestHeadParser } from "../../data-plane/dist/http/request-parser.js";

const { values } = parseArgs({ options: { ms: { type: "string", default: "2000" } } });
const budgetMs = Number(values.ms);
const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

const parser = new RequestHeadParser({ maxHeaderBytes: 32768, maxRequestLineBytes: 8192, maxHeaders: 100 });
function head(path) {
  parser.reset();
  parser.execute(
    Buffer.from(
      `GET ${path} HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36\r\n` +
        "Accept: application/json\r\nAccept-Language: en-GB,en;q=0.9\r\nAccept-Encoding: gzip, deflate, br\r\n" +
        "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig\r\nX-Request-Id: 5b0e3f0c-9f5e-4c43-8d0a-0d2f1f7e8b11\r\n\r\n",
    ),
    0,
  );
  return parser.head;
}

const routes = new Interner();
const upstreams = new Interner();
const consumers = new Interner();
for (let i = 0; i < 200; i++) routes.intern(`route-${i}`);
for (let i = 0; i < 50; i++) upstreams.intern(`upstream-${i}`);
for (let i = 0; i < 5000; i++) consumers.intern(`consumer-${i}`);

// 64 distinct exchanges as the loop's Exchange presents them after `logging` starts.
const exchanges = Array.from({ length: 64 }, (_, i) => {
  const h = head(`/v1/users/${1000 + i}`);
  const address = i % 20 === 0 ? `2001:db8::${i.toString(16)}` : `198.51.100.${i}`;
  return {
    view: { clientAddress: address },
    routeId: `route-${i % 200}`,
    upstreamId: `upstream-${i % 50}`,
    consumer: i % 3 === 0 ? { id: `consumer-${i}`, name: "c" } : null,
    path: `/v1/users/${1000 + i}`,
    method: "GET",
    fields: h,
    status: i % 50 === 0 ? 401 : 200,
    errorCode: i % 50 === 0 ? "AUTH_TOKEN_INVALID" : undefined,
    authMethods: i % 3 === 0 ? ["jwt"] : null,
    durationMs: 1.7,
    requestBytes: 0,
    responseBytes: 420,
  };
});

const ring = createRingBuffer(65_536);
const writer = new RecordWriter(ring);
const reader = new RecordReader(ring);
const recorder = new AnomalyRecorder(writer, { routes, upstreams, consumers });
recorder.enabled = true;

function measure(fn, perRound) {
  let best = Number.POSITIVE_INFINITY;
  let bestWall = Number.POSITIVE_INFINITY;
  const end = Date.now() + budgetMs;
  while (Date.now() < end) {
    const c0 = cpuNs();
    const w0 = process.hrtime.bigint();
    fn();
    const wall = Number(process.hrtime.bigint() - w0) / perRound;
    const cpu = (cpuNs() - c0) / perRound;
    if (cpu < best) best = cpu;
    if (wall < bestWall) bestWall = wall;
    reader.drain(() => {}, 1 << 20);
  }
  return { cpu: best, wall: bestWall };
}

const N = 32_768;
const rec = measure(() => {
  for (let i = 0; i < N; i++) recorder.log(exchanges[i & 63]);
}, N);

const guard = new DecisionGuard();
const now = Date.now();
guard.apply(
  true,
  Array.from({ length: 10_000 }, (_, i) => ({
    id: `d${i}`,
    action: "deny",
    target: { type: "address", id: `203.0.${i >> 8}.${i & 255}` },
    status: 403,
    retryAfterS: 900,
    ratePerS: 0,
    createdAtMs: now,
    expiresAtMs: now + 900_000,
    enforced: true,
    source: "manual",
    kind: "manual",
    detectionId: "",
    explanation: "bench",
  })),
  [],
);
const guarded = measure(() => {
  for (let i = 0; i < N; i++) guard.requestHeaders(exchanges[i & 63]);
}, N);
const empty = new DecisionGuard();
const idle = measure(() => {
  for (let i = 0; i < N; i++) empty.requestHeaders(exchanges[i & 63]);
}, N);

console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")} on ${cpus().length} cores`,
);
console.log("| measure | wall ns/request | CPU ns/request |\n| --- | ---: | ---: |");
const row = (name, m) => console.log(`| ${name} | ${m.wall.toFixed(0)} | ${m.cpu.toFixed(0)} |`);
row("recorder: logging phase → one ring record", rec);
row("guard, 10,000 decisions held, client not among them", guarded);
row("guard, no decision held", idle);
console.log(
  `RESULT anomaly-recorder record_ns=${rec.cpu.toFixed(0)} guard_ns=${guarded.cpu.toFixed(0)} budget_ns=2000`,
);
