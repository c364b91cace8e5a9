// Control plane security-event intake and SSE fan-out (issue 17): how many events per second a
// control plane stores from node batches (check, re-redaction, SQLite insert with dedupe and 9
// indexes, WAL on a temporary file), and how many event deliveries per second its live streams
// reach with K real SSE clients over loopback. Never part of npm test.
//   npx tsc -b && node bench/micro/security-events.mjs [--events 100000] [--streams 1,10,50]
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { create } from "@bufbuild/protobuf";
import { ecsJson, exampleEvents, newEventId, Redactor, toEcs } from "@palisade/events";
import { SecurityEventBatchSchema } from "@palisade/proto";
import { pino } from "pino";
import { AdminTokens } from "../../control-plane/dist/admin-token.js";
import { buildAdminApi } from "../../control-plane/dist/api/server.js";
import { Publisher } from "../../control-plane/dist/config/publisher.js";
import { SecurityEventIntake } from "../../control-plane/dist/security-events/event-intake-service.js";
import { SecurityEventStore } from "../../control-plane/dist/store/security-event-store.js";
import { Store } from "../../control-plane/dist/store/store.js";

const { values } = parseArgs({
  options: { events: { type: "string", default: "100000" }, streams: { type: "string", default: "1,10,50" } },
});
const TOTAL = Number(values.events);
const TOKEN = "bench-admin-token-0123456789";
const red = new Redactor();
const observer = { node: "bench", region: "bench", version: "0.1.0" };
const samples = exampleEvents().map((e) => ecsJson(toEcs(e, observer, red)));
const avgBytes = Math.round(samples.reduce((n, s) => n + s.length, 0) / samples.length);

/** Batches of 500 fresh events (new ids), pre-built so only the intake is timed. */
function batches(n) {
  const out = [];
  let id = 1n;
  for (let i = 0; i < n; i += 500) {
    const events = [];
    for (let j = i; j < Math.min(n, i + 500); j++) {
      const eid = newEventId();
      const doc = samples[j % samples.length].replace(/"id":"[^"]+"/, `"id":"${eid}"`);
      events.push({ id: eid, ecsJson: doc });
    }
    out.push(create(SecurityEventBatchSchema, { batchId: id++, events }));
  }
  return out;
}

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), "palisade-events-bench-"));
  const store = await Store.open(join(dir, "cp.db"));
  const intake = new SecurityEventIntake(new SecurityEventStore(store), pino({ level: "silent" }), {
    maxEvents: 10_000_000,
    maxAgeMs: 86_400_000,
  });
  return { dir, store, intake };
}

const node = { id: "edge-1", region: "eu-west" };

// 1. Intake alone.
{
  const { dir, store, intake } = await setup();
  const work = batches(TOTAL);
  const t0 = process.hrtime.bigint();
  let stored = 0;
  for (const b of work) stored += (await intake.ingest(node, b)).stored;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const t1 = process.hrtime.bigint();
  let dup = 0;
  for (const b of work.slice(0, 20)) dup += (await intake.ingest(node, b)).duplicates;
  const sd = Number(process.hrtime.bigint() - t1) / 1e9;
  console.log(
    `intake: ${stored} events (ECS JSON ~${avgBytes} B) in ${s.toFixed(2)} s = ${Math.round(stored / s)} events/s stored`,
  );
  console.log(`resent batches (all duplicates): ${Math.round(dup / sd)} events/s`);
  const l0 = process.hrtime.bigint();
  for (let i = 0; i < 100; i++) await intake.store.list({ category: ["waf"] }, 100);
  console.log(
    `list 100 newest waf events of ${stored}: ${(Number(process.hrtime.bigint() - l0) / 1e6 / 100).toFixed(2)} ms`,
  );
  const c0 = process.hrtime.bigint();
  await intake.store.summary({ sinceMs: Date.now() - 86_400_000 * 400 });
  console.log(`summary over ${stored}: ${(Number(process.hrtime.bigint() - c0) / 1e6).toFixed(0)} ms`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

// 2. SSE fan-out: K real streams on loopback, every event delivered to every stream.
for (const k of values.streams.split(",").map(Number)) {
  const { dir, store, intake } = await setup();
  const api = await buildAdminApi({
    store,
    publisher: await Publisher.open(store),
    tokens: new AdminTokens(store, TOKEN),
    log: pino({ level: "silent" }),
    events: intake,
  });
  await api.listen({ host: "127.0.0.1", port: 0 });
  const port = api.server.address().port;
  const n = Math.min(TOTAL, 20_000);
  const work = batches(n);
  let done = 0;
  let finish;
  const all = new Promise((r) => {
    finish = r;
  });
  const reqs = [];
  await Promise.all(
    Array.from(
      { length: k },
      () =>
        new Promise((opened) => {
          const req = request({
            host: "127.0.0.1",
            port,
            path: "/v1/security-events/stream",
            headers: { authorization: `Bearer ${TOKEN}` },
          });
          req.on("response", (res) => {
            let seen = 0;
            res.setEncoding("utf8");
            res.on("data", (chunk) => {
              seen += chunk.split("\nevent: security-event\n").length - 1;
              if (seen === n && ++done === k) finish();
            });
            opened();
          });
          req.end();
          reqs.push(req);
        }),
    ),
  );
  const t0 = process.hrtime.bigint();
  for (const b of work) {
    await intake.ingest(node, b);
    await new Promise((r) => setImmediate(r));
  }
  await all;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `SSE fan-out: ${n} events to ${k} streams in ${s.toFixed(2)} s = ${Math.round(n / s)} events/s stored and ${Math.round((n * k) / s)} deliveries/s; slow-stream disconnects ${intake.hub.streamCounts.slow}`,
  );
  for (const r of reqs) r.destroy();
  await api.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
