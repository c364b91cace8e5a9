#!/usr/bin/env node
// Micro-benchmark of the telemetry a node's `logging` phase adds per request (issue 17 target:
// ≤ 5 µs CPU with metrics and ECS access logs on): the status-class and latency counters, the
// per (route, upstream, status class) series with upstream latency and bytes, two policy
// decisions, the W3C trace context (a new trace, and a valid incoming one re-parented), the
// traceparent sent upstream, the access line's facts, its ECS JSON and its write through pino's
// asynchronous SonicBoom destination on stdout (run with stdout to /dev/null), plus the Combined Log Format line for
// comparison. Routes and upstreams cycle through 50 × 3 so the maps are not one hot entry.
// Then the same with OTLP/HTTP span export on (telemetry/span-exporter.ts) at sample ratio 1.0
// and 0.1 (new traces only, so the ratio applies exactly): the SDK's span, the batch processor
// and the JSON export requests to a receiver in a child process on 127.0.0.1 (its CPU is not
// counted); the loop yields every 256 requests so batches go out as they would between
// requests, and the exporter's counts show nothing was dropped.
// In-process, single thread, CPU time (process.cpuUsage). Not part of `npm test`.
//
//   npx tsc -b && node bench/micro/telemetry.mjs [--ms 2000] > /dev/null   (results on stderr)
import { spawn } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { AccessLog } from "../../data-plane/dist/telemetry/access-log.js";
import { SpanExport } from "../../data-plane/dist/telemetry/span-exporter.js";
import { traceContextOf, traceparentOf } from "../../data-plane/dist/telemetry/trace-context.js";
import { TrafficStats } from "../../data-plane/dist/telemetry/traffic-stats.js";

const { values } = parseArgs({ options: { ms: { type: "string", default: "2000" } } });
const budgetMs = Number(values.ms);
const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

const routes = Array.from({ length: 50 }, (_, i) => `route-${i}`);
const upstreams = ["users", "orders", "catalog"];
const statuses = [200, 200, 200, 200, 201, 304, 401, 404, 429, 502];
const stats = new TrafficStats();
const access = new AccessLog({
  format: "ecs",
  file: null,
  sampleRatio: 1,
  rotateBytes: 1 << 30,
  maxFiles: 1,
  node: "bench-node",
});
const clf = new AccessLog({ format: "clf", file: null, sampleRatio: 1, rotateBytes: 1 << 30, maxFiles: 1, node: "b" });
const devnull = pino.destination({ dest: 1, sync: false, minLength: 4096 });
const incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

/** One request's telemetry, as logging.ts and upstream-request-filter.ts do it. */
function request(i, format) {
  const route = routes[i % 50];
  const upstream = upstreams[i % 3];
  const status = statuses[i % 10];
  const ms = 0.4 + (i % 97) * 0.13;
  const trace = traceContextOf(i & 1 ? incoming : undefined, undefined, 0);
  const traceparent = traceparentOf(trace);
  stats.record(status, ms, undefined);
  stats.routes.record(route, upstream, status, ms, ms * 0.8, 0, 512);
  stats.decision("jwt", null);
  stats.decision("rate-limit", null);
  const facts = {
    requestId: "01JEXAMPLE0000000000000000",
    method: "GET",
    httpVersion: "1.1",
    logPath: "/api/users/42",
    status,
    routeId: route,
    upstreamId: upstream,
    consumerId: "consumer-7",
    clientAddress: "203.0.113.7",
    traceId: trace.traceId,
    durationMs: ms,
    requestBytes: 0,
    responseBytes: 512,
    errorCode: undefined,
    referer: format === "clf" ? "https://app.example.com/page?x=1" : undefined,
    userAgent: format === "clf" ? "Mozilla/5.0 (X11; Linux x86_64)" : undefined,
  };
  (format === "ecs" ? access : clf).log(facts);
  return traceparent.length;
}

function measure(name, fn) {
  for (let i = 0; i < 50_000; i++) fn(i); // warm up
  let n = 0;
  const start = cpuNs();
  const deadline = performance.now() + budgetMs;
  while (performance.now() < deadline) {
    for (let i = 0; i < 2_000; i++) fn(n++);
  }
  const perNs = (cpuNs() - start) / n;
  console.error(`${name.padEnd(58)} ${(perNs / 1000).toFixed(2).padStart(6)} µs CPU/request  (${n} requests)`);
}

console.error(`node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0].toFixed(2)}`);
measure("counters only (status class, route series, 2 decisions)", (i) => {
  const route = routes[i % 50];
  stats.record(statuses[i % 10], 1, undefined);
  stats.routes.record(route, upstreams[i % 3], statuses[i % 10], 1, 0.8, 0, 512);
  stats.decision("jwt", null);
  stats.decision("rate-limit", null);
});
measure("trace context (new or re-parented) + traceparent", (i) =>
  traceparentOf(traceContextOf(i & 1 ? incoming : undefined, undefined, 0)),
);
const sample = {
  requestId: "01JEXAMPLE0000000000000000",
  method: "GET",
  httpVersion: "1.1",
  logPath: "/api/users/42",
  status: 200,
  routeId: "route-1",
  upstreamId: "users",
  consumerId: "consumer-7",
  clientAddress: "203.0.113.7",
  traceId: "0af7651916cd43dd8448eb211c80319c",
  durationMs: 1.23,
  requestBytes: 0,
  responseBytes: 512,
  errorCode: undefined,
};
measure("ECS line built (no write)", () => access.ecsLine(sample, Date.now()).length);
const line = access.ecsLine(sample, Date.now());
measure("one line per write to SonicBoom (what the batching avoids)", () => devnull.write(line));
measure("metrics + trace + ECS access line written (the target)", (i) => request(i, "ecs"));
measure("metrics + trace + Combined Log Format line written", (i) => request(i, "clf"));

// An OTLP/HTTP receiver in a child process: drains each export request, answers 200 `{}`.
const receiver = spawn(
  process.execPath,
  [
    "-e",
    `require("node:http").createServer((q, s) => { q.resume(); q.on("end", () => s.end("{}")); })
       .listen(0, "127.0.0.1", function () { process.stdout.write(String(this.address().port) + "\\n"); });`,
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const port = await new Promise((resolve, reject) => {
  receiver.stdout.once("data", (d) => resolve(Number(String(d).trim())));
  receiver.once("exit", () => reject(new Error("the receiver exited")));
});

/** The span the `logging` phase records for a sampled request (logging.ts recordSpan). */
function spanFacts(trace, i) {
  const start = performance.timeOrigin + performance.now();
  return {
    traceId: trace.traceId,
    spanId: trace.spanId,
    parentSpanId: trace.parentSpanId,
    traceState: trace.traceState,
    method: "GET",
    path: "/api/users/42",
    scheme: "http",
    protocolVersion: "1.1",
    serverAddress: "api.example.com",
    status: statuses[i % 10],
    route: routes[i % 50],
    upstreamId: upstreams[i % 3],
    errorCode: undefined,
    startMs: start - 1.2,
    endMs: start,
  };
}

/** Like measure, but yields to the event loop every 256 requests (the exporter's timers and sockets run). */
async function measureYielding(name, fn) {
  for (let i = 0; i < 20_000; i++) {
    fn(i);
    if ((i & 255) === 255) await new Promise(setImmediate);
  }
  let n = 0;
  const start = cpuNs();
  const deadline = performance.now() + budgetMs;
  while (performance.now() < deadline) {
    for (let i = 0; i < 256; i++) fn(n++);
    await new Promise(setImmediate);
  }
  const perNs = (cpuNs() - start) / n;
  console.error(`${name.padEnd(58)} ${(perNs / 1000).toFixed(2).padStart(6)} µs CPU/request  (${n} requests)`);
}

/** One request's telemetry with a new trace sampled at `ratio`, its span recorded when `spans` is on. */
function requestWithSpans(i, ratio, spans) {
  const route = routes[i % 50];
  const status = statuses[i % 10];
  const trace = traceContextOf(undefined, undefined, ratio);
  traceparentOf(trace);
  stats.record(status, 1, undefined);
  stats.routes.record(route, upstreams[i % 3], status, 1, 0.8, 0, 512);
  stats.decision("jwt", null);
  stats.decision("rate-limit", null);
  access.log({ ...sample, status, routeId: route, traceId: trace.traceId });
  if (spans !== null && trace.sampled) spans.span(spanFacts(trace, i));
}

for (const ratio of [1, 0.1]) {
  const spans = new SpanExport(
    {
      endpoint: `http://127.0.0.1:${port}/v1/traces`,
      sampleRatio: ratio,
      headers: {},
      timeoutMs: 10_000,
      maxQueueSpans: 2_048,
      maxBatchSpans: 512,
      scheduledDelayMs: 1_000,
    },
    { "service.name": "palisade-dp", "service.instance.id": "bench-node" },
  );
  await measureYielding(`metrics + trace + ECS line + span export, ratio ${ratio}`, (i) =>
    requestWithSpans(i, ratio, spans),
  );
  await spans.shutdown();
  const c = spans.counts();
  console.error(`  exporter: ${c.exported} spans exported, ${c.queueFull} dropped (queue full), ${c.failed} failed`);
}
await measureYielding("metrics + trace + ECS line, export off (same loop)", (i) => requestWithSpans(i, 1, null));
receiver.kill();

await new Promise((r) => devnull.end(r));
await access.close();
await clf.close();
