import assert from "node:assert/strict";
import { test } from "node:test";
import { deserialize, serialize } from "node:v8";
import { TableHolder } from "../config/table-holder.js";
import { createMetricsRegistry } from "../telemetry/metrics.js";
import { NodeReporter } from "../telemetry/node-reporter.js";
import { ShadowStats } from "../telemetry/shadow-stats.js";
import { TrafficStats } from "../telemetry/traffic-stats.js";
import { ClusterTelemetry } from "./cluster-telemetry.js";
import type { FromWorker } from "./messages.js";
import { telemetryMessage, WorkerTelemetrySender } from "./worker-telemetry.js";

/** A worker's counters: `ok` 200s of 1 ms, `denied` 401 AUTH_TOKEN_MISSING of 3 ms. */
function worker(ok: number, denied: number, connections = 0) {
  const stats = new TrafficStats();
  const shadow = new ShadowStats();
  for (let i = 0; i < ok; i++) stats.record(200, 1, undefined);
  for (let i = 0; i < denied; i++) stats.record(401, 3, "AUTH_TOKEN_MISSING");
  stats.activeConnections = connections;
  return { stats, shadow };
}

/** What the primary receives: the message after node:cluster's "advanced" serialization. */
function overIpc(w: { stats: TrafficStats; shadow: ShadowStats }) {
  const msg = deserialize(serialize(telemetryMessage(w.stats, w.shadow))) as FromWorker;
  assert.equal(msg.t, "telemetry");
  if (msg.t !== "telemetry") throw new Error("unreachable");
  return msg;
}

test("the node's counters are the sum of its workers'", () => {
  const agg = new ClusterTelemetry();
  agg.update(1, overIpc(worker(5, 1, 2)));
  agg.update(2, overIpc(worker(3, 2, 1)));
  const c = agg.counters();
  assert.equal(c.requests, 11);
  assert.equal(c.status2xx, 8);
  assert.equal(c.status4xx, 3);
  assert.equal(c.securityEvents.auth_token_missing, 3);
  assert.equal(
    c.latencyBuckets.reduce((a, b) => a + b, 0),
    11,
  );
  assert.equal(c.latencySumMs, 8 * 1 + 3 * 3);
  assert.equal(agg.activeConnections, 3);
});

test("a worker's later message replaces its earlier one (cumulative counters, not added twice)", () => {
  const agg = new ClusterTelemetry();
  const w = worker(2, 0);
  agg.update(1, overIpc(w));
  w.stats.record(200, 1, undefined);
  agg.update(1, overIpc(w));
  assert.equal(agg.counters().requests, 3);
});

test("a dead worker's counts stay (retired totals); its connections go; a late message is ignored", () => {
  const agg = new ClusterTelemetry();
  agg.update(1, overIpc(worker(4, 1, 5)));
  agg.update(2, overIpc(worker(2, 0, 1)));
  agg.retire(1);
  assert.equal(agg.counters().requests, 7, "nothing goes backwards when a worker is replaced");
  assert.equal(agg.counters().securityEvents.auth_token_missing, 1);
  assert.equal(agg.activeConnections, 1);
  agg.update(1, overIpc(worker(100, 0, 9)));
  assert.equal(agg.counters().requests, 7, "a message after the exit is not counted");
  agg.update(3, overIpc(worker(1, 0)));
  agg.retire(3);
  agg.retire(3);
  assert.equal(agg.counters().requests, 8, "retiring twice counts once");
});

test("shadow figures merge the workers' histograms; quantiles are not averaged", () => {
  const a = worker(0, 0);
  const b = worker(0, 0);
  // Worker a: 99 comparisons where the shadow is 1 s slower; worker b: one 20 ms faster.
  const ra = a.shadow.route("r");
  for (let i = 0; i < 99; i++) ra.compare(200, 200, 1000);
  ra.drop("queue_full");
  ra.mirrored = 100;
  const rb = b.shadow.route("r");
  rb.compare(200, 500, -20);
  rb.mirrored = 1;
  b.shadow.route("other").drop("shadow_timeout");
  const agg = new ClusterTelemetry();
  agg.update(1, overIpc(a));
  agg.update(2, overIpc(b));
  agg.retire(2);
  const [other, r] = agg.figures();
  assert.equal(other?.routeId, "other");
  assert.equal(other?.dropped.shadow_timeout, 1);
  assert.equal(r?.routeId, "r");
  assert.deepEqual([r?.mirrored, r?.compared, r?.disagreed, r?.dropped.queue_full], [101, 100, 1, 1]);
  assert.ok(Math.abs(r!.diffMeanMs - (99 * 1000 - 20) / 100) < 1e-9);
  // Averaging the two workers' medians would give about 490 ms; the merged median is about 1 s.
  assert.ok(r!.diffP50Ms > 800 && r!.diffP50Ms <= 1200, String(r!.diffP50Ms));
});

test("reports and /metrics read the sum: a replaced worker never makes a counter go back", async () => {
  const agg = new ClusterTelemetry();
  const holder = new TableHolder();
  const reporter = new NodeReporter(agg, holder, "test", agg);
  const registry = createMetricsRegistry({ stats: agg, shadow: agg, holder, controlPlaneConnected: () => true });
  agg.update(1, overIpc(worker(6, 0)));
  agg.update(2, overIpc(worker(4, 2)));
  // Intervals of some length, so that the reports' whole-ms interval rounds off nothing that counts.
  const pause = () => new Promise((r) => setTimeout(r, 100));
  await pause();
  const first = reporter.next();
  agg.retire(1);
  agg.update(3, overIpc(worker(1, 0)));
  await pause();
  const second = reporter.next();
  const counted = (r: typeof first) => Math.round((r.requestsPerS * r.intervalMs) / 1000);
  assert.equal(counted(first) + counted(second), 13);
  assert.equal(first.securityEvents.auth_token_missing, 2n);
  assert.equal(second.securityEvents.auth_token_missing, undefined, "no event twice");
  const text = await registry.metrics();
  assert.match(text, /^palisade_requests_total\{class="2xx"\} 11$/m);
  assert.match(text, /^palisade_requests_total\{class="4xx"\} 2$/m);
  assert.match(text, /^palisade_request_duration_seconds_count 13$/m);
});

test("a worker sends only when its counters moved, and always when it flushes", () => {
  const w = worker(1, 0);
  const sent: number[] = [];
  const sender = new WorkerTelemetrySender(w.stats, w.shadow, (m) => sent.push(m.traffic.requests));
  sender.tick();
  sender.tick();
  w.stats.record(200, 1, undefined);
  sender.tick();
  w.shadow.route("r").drop("incomplete");
  sender.tick();
  assert.deepEqual(sent, [1, 2, 2]);
  assert.equal(sender.flush().traffic.requests, 2);
});
