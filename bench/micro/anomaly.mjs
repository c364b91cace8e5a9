#!/usr/bin/env node
// Micro-benchmark of @palisade/anomaly (anomaly/src): what the proxy's `logging` phase pays per
// request (RecordWriter.write into the SharedArrayBuffer ring), how many records one detector
// worker core reads per second (RecordReader.drain → DetectorEngine.ingest, all detectors on),
// and the memory of a node's detector after one million distinct client addresses.
// In-process, single thread, no network. Not part of `npm test`.
//
//   npx tsc -b && node --expose-gc bench/micro/anomaly.mjs [--ms 2000]
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import {
  AuthOutcome,
  createRingBuffer,
  DetectorEngine,
  emptyFacts,
  RecordReader,
  RecordWriter,
} from "../../anomaly/dist/index.js";

const { values } = parseArgs({ options: { ms: { type: "string", default: "2000" } } });
const budgetMs = Number(values.ms);
const gc = globalThis.gc ?? (() => {});
/** CPU time of this process, ns (the machine is shared: wall time includes waiting for a core). */
const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

const UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
const names = {
  routes: ["", "login", "users", "products", "catalog", "search", "account", "orders", "upload"],
  upstreams: ["", "auth", "users", "catalog", "orders", "files"],
  consumers: ["", ...Array.from({ length: 5000 }, (_, i) => `user-${i}`)],
};

/** A request like the evaluation's: IPv4 (or IPv6 for 1 in 20), an id path, a browser UA. */
function fill(f, i) {
  const c = (i * 2654435761) >>> 0;
  f.timeMs = 1_700_000_000_000 + i * 0.05;
  f.route = 1 + (c % 8);
  f.upstream = 1 + (c % 5);
  const a = c % 16384; // 16,384 clients; one in three signed in, each with its own consumer
  f.consumer = a % 3 === 0 ? 1 + (a % 5000) : 0;
  f.credentialId = f.consumer !== 0 ? `key-${f.consumer}` : undefined;
  f.clientAddress = a % 20 === 0 ? `2001:db8:${a.toString(16)}::1` : `198.51.${a >>> 8}.${a & 255}`;
  f.path = `/v1/users/${c % 20000}`;
  f.method = f.route === 7 ? "POST" : "GET";
  f.userAgent = UA;
  f.contentType = f.route === 7 ? "application/json" : undefined;
  f.status = c % 50 === 0 ? 401 : c % 100 === 1 ? 404 : 200;
  f.auth = f.status === 401 ? AuthOutcome.failed : AuthOutcome.none;
  f.latencyUs = 1500;
  f.requestBytes = f.route === 7 ? 600 + (c % 400) : 0;
  f.responseBytes = 400;
}

console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")} on ${cpus().length} cores`,
);
console.log("| measure | wall | CPU time |");
console.log("| --- | ---: | ---: |");

// 1. Memory (first, before the other sections' rings exist): a node's detector (131,072 tracked clients) after one million distinct addresses.
{
  gc();
  const before = process.memoryUsage();
  const engine = new DetectorEngine({ nodeId: "bench", region: "r", names, onDetection: () => {} });
  const ring = createRingBuffer(1 << 16);
  const writer = new RecordWriter(ring);
  const reader = new RecordReader(ring);
  const f = emptyFacts();
  const ingest = (r) => engine.ingest(r);
  for (let i = 0; i < 1_000_000; i++) {
    fill(f, i);
    f.clientAddress = `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
    f.timeMs = 1_700_000_000_000 + i * 0.06;
    writer.write(f);
    if ((i & 8191) === 8191) reader.drain(ingest, 1 << 16);
  }
  reader.drain(ingest, 1 << 16);
  engine.takeSummary();
  gc();
  const after = process.memoryUsage();
  const s = engine.stats();
  const mib = (b) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
  console.log(
    `| detector memory after 1,000,000 distinct addresses: heap + array buffers growth (engine's typed arrays: ${mib(s.memoryBytes)}) | ${mib(after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers)} | |`,
  );
  console.log(
    `| clients tracked / refused / evicted | ${s.clientsTracked.toLocaleString("en")} / ${s.clientsRefused.toLocaleString("en")} / ${s.clientsEvicted.toLocaleString("en")} | |`,
  );
}

// 2. Ring write: the hot path's cost per request (facts prebuilt; the reader frees slots outside the timing).
{
  const ring = createRingBuffer(1 << 16);
  const writer = new RecordWriter(ring);
  const reader = new RecordReader(ring);
  const facts = Array.from({ length: 4096 }, (_, i) => {
    const f = emptyFacts();
    fill(f, i);
    return f;
  });
  const noop = () => {};
  let n = 0;
  let ns = 0;
  let cpu = 0;
  for (let warm = 0; warm < 20; warm++) {
    for (let i = 0; i < 30_000; i++) writer.write(facts[i & 4095]);
    reader.drain(noop, 1 << 16);
  }
  const end = performance.now() + budgetMs;
  while (performance.now() < end) {
    const t = process.hrtime.bigint();
    const c = cpuNs();
    for (let i = 0; i < 30_000; i++) writer.write(facts[(n + i) & 4095]);
    ns += Number(process.hrtime.bigint() - t);
    cpu += cpuNs() - c;
    n += 30_000;
    reader.drain(noop, 1 << 16);
  }
  const full = createRingBuffer(16);
  const fw = new RecordWriter(full);
  for (let i = 0; i < 16; i++) fw.write(facts[i]);
  const t = process.hrtime.bigint();
  for (let i = 0; i < 1_000_000; i++) fw.write(facts[i & 4095]);
  const dropNs = Number(process.hrtime.bigint() - t) / 1_000_000;
  console.log(
    `| ring write (RecordWriter.write, 80-byte record, 95 % IPv4 / 5 % IPv6, 112-char UA) | ${(ns / n).toFixed(0)} ns/record | ${(cpu / n).toFixed(0)} ns/record |`,
  );
  console.log(`| ring write when full (dropped and counted) | ${dropNs.toFixed(0)} ns/record | |`);
}

// 3. Detector throughput on one core: records already in the ring, read and run through every detector.
{
  const engine = new DetectorEngine({ nodeId: "bench", region: "r", names, onDetection: () => {} });
  const ring = createRingBuffer(1 << 20);
  const writer = new RecordWriter(ring);
  const reader = new RecordReader(ring);
  const f = emptyFacts();
  const ingest = (r) => engine.ingest(r);
  let i = 0;
  let records = 0;
  let ms = 0;
  let cpu = 0;
  const end = performance.now() + budgetMs * 2;
  while (performance.now() < end) {
    for (let k = 0; k < 200_000; k++) {
      fill(f, i++);
      writer.write(f);
    }
    const t = performance.now();
    const c = cpuNs();
    let got = reader.drain(ingest, 1 << 20);
    while (got > 0) got = reader.drain(ingest, 1 << 20);
    ms += performance.now() - t;
    cpu += cpuNs() - c;
    records += 200_000;
  }
  const rate = (x) => Math.round(x).toLocaleString("en");
  console.log(
    `| detector worker throughput (RecordReader.drain → DetectorEngine.ingest, one core) | ${rate((records / ms) * 1000)} records/s | ${rate(records / (cpu / 1e9))} records/s |`,
  );
}
