// OTLP/HTTP span export against a real receiver: an HTTP server on 127.0.0.1:0 that takes the
// exporter's JSON requests. Each sampled proxied request is one server span whose trace id and
// span id are those the upstream received in `traceparent` (so traces line up with the access log
// and security events), ratio 0 exports nothing, and a collector that is down costs the traffic
// nothing: every request is answered, the spans are dropped and counted on /metrics.
import assert from "node:assert/strict";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { create } from "@bufbuild/protobuf";
import { type TelemetrySettings, TelemetrySettingsSchema } from "@palisade/proto";
import { TableHolder } from "../config/table-holder.js";
import { log, route, snapshot, upstream } from "../test/fixtures.js";
import { deadPort, send, TestProxy, TestUpstream } from "../test/harness.js";
import { createMetricsRegistry } from "./metrics.js";
import { NodeTracing } from "./node-tracing.js";
import { parseTraceparent } from "./trace-context.js";
import { TrafficStats } from "./traffic-stats.js";

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  status?: { code?: number };
}
interface OtlpRequest {
  resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

/** A real OTLP/HTTP receiver (JSON): keeps every span of every export request. */
class OtlpReceiver {
  readonly spans: OtlpSpan[] = [];
  readonly resources: Record<string, string>[] = [];
  readonly contentTypes: string[] = [];
  readonly #server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      this.contentTypes.push(String(req.headers["content-type"]));
      const body = JSON.parse(Buffer.concat(chunks).toString()) as OtlpRequest;
      for (const rs of body.resourceSpans) {
        this.resources.push(attrs(rs.resource.attributes));
        for (const ss of rs.scopeSpans) this.spans.push(...ss.spans);
      }
      res.setHeader("content-type", "application/json");
      res.end("{}");
    });
  });
  url = "";

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1/traces`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

function attrs(list: OtlpAttribute[]): Record<string, string> {
  return Object.fromEntries(list.map((a) => [a.key, String(a.value.stringValue ?? a.value.intValue)]));
}

function settings(traceExport: Record<string, unknown>): TelemetrySettings {
  return create(TelemetrySettingsSchema, { id: "global", traceExport });
}

describe("OTLP/HTTP span export", () => {
  let up: TestUpstream;
  let receiver: OtlpReceiver;
  let proxy: TestProxy;
  let tracing: NodeTracing;
  let stats: TrafficStats;

  before(async () => {
    up = await new TestUpstream("u").start();
    receiver = await new OtlpReceiver().start();
    stats = new TrafficStats();
    proxy = await new TestProxy({ stats }).start();
    proxy.apply(snapshot({ upstreams: [upstream("u1", [up.address])], routes: [route("api", "u1", ["/api"])] }));
    tracing = new NodeTracing(
      proxy.server,
      { traceSampleRatio: null, otlpTracesEndpoint: null },
      { id: "n1", region: "eu", labels: {} },
      { "service.name": "palisade-dp", "service.instance.id": "n1" },
      log,
    );
    stats.traces = () => tracing.counters();
  });

  after(async () => {
    await tracing.close();
    await proxy.stop();
    await up.stop();
    await receiver.stop();
  });

  async function spansUntil(n: number): Promise<OtlpSpan[]> {
    for (let i = 0; i < 500 && receiver.spans.length < n; i++) await sleep(10);
    assert.equal(receiver.spans.length, n, "spans received");
    return receiver.spans;
  }

  it("exports one server span per proxied request with the trace and span ids the upstream got", async () => {
    tracing.configure(settings({ endpoint: receiver.url, sampleRatio: 1, scheduledDelayMs: 20 }));
    const incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    assert.equal((await send(proxy.port, "/api/a?token=SECRET")).status, 200);
    assert.equal((await send(proxy.port, "/api/b", { headers: { traceparent: incoming } })).status, 200);
    assert.equal((await send(proxy.port, "/nowhere")).status, 404);
    const spans = await spansUntil(3);
    const seen = up.seen.map((s) => parseTraceparent(String(s.headers.traceparent))!);
    assert.equal(seen.length, 2);

    const a = spans.find((s) => s.traceId === seen[0]!.traceId);
    const b = spans.find((s) => s.traceId === seen[1]!.traceId);
    const missing = spans.find((s) => s.name === "GET");
    assert.ok(a && b && missing, JSON.stringify(spans.map((s) => [s.name, s.traceId])));
    assert.equal(a.name, "GET api", "{method} {http.route}");
    // The span is the node's hop: its id is the parent-id the upstream received.
    assert.equal(a.spanId, seen[0]!.parentId);
    assert.equal(a.parentSpanId ?? "", "", "a trace started at the node has no parent");
    assert.equal(b.traceId, "0af7651916cd43dd8448eb211c80319c");
    assert.equal(b.spanId, seen[1]!.parentId);
    assert.equal(b.parentSpanId, "b7ad6b7169203331", "the client's span is the parent");
    assert.equal(a.kind, 2, "SPAN_KIND_SERVER");
    const at = attrs(a.attributes);
    assert.equal(at["http.request.method"], "GET");
    assert.equal(at["url.path"], "/api/a", "never the query");
    assert.equal(at["url.scheme"], "http");
    assert.equal(at["http.response.status_code"], "200");
    assert.equal(at["http.route"], "api");
    assert.equal(at["server.address"], "127.0.0.1");
    assert.ok(!JSON.stringify(spans).includes("SECRET"));
    assert.ok(BigInt(a.endTimeUnixNano) >= BigInt(a.startTimeUnixNano));
    const m = attrs(missing.attributes);
    assert.equal(m["http.response.status_code"], "404");
    assert.equal(m["http.route"], undefined);
    assert.equal(receiver.resources[0]!["service.name"], "palisade-dp");
    assert.match(receiver.contentTypes[0]!, /^application\/json/);
  });

  it("ratio 0 exports nothing (the upstream gets the unsampled flag)", async () => {
    tracing.configure(settings({ endpoint: receiver.url, sampleRatio: 0, scheduledDelayMs: 20 }));
    const before = receiver.spans.length;
    const upBefore = up.seen.length;
    for (let i = 0; i < 5; i++) assert.equal((await send(proxy.port, `/api/zero/${i}`)).status, 200);
    const unsampled = "00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
    assert.equal((await send(proxy.port, "/api/zero", { headers: { traceparent: unsampled } })).status, 200);
    await tracing.close(); // sends whatever was queued
    assert.equal(receiver.spans.length, before);
    for (const s of up.seen.slice(upBefore))
      assert.equal(parseTraceparent(String(s.headers.traceparent))!.sampled, false);
  });

  /** The exporter's counts on /metrics once `done` holds for them. */
  async function dropped(done: (c: { full: number; failed: number; exported: number }) => boolean) {
    const register = createMetricsRegistry({ stats, holder: new TableHolder(), controlPlaneConnected: () => true });
    let c = { full: 0, failed: 0, exported: 0 };
    for (let i = 0; i < 500; i++) {
      const text = await register.metrics();
      c = {
        full: Number(/palisade_trace_spans_dropped_total\{reason="queue_full"\} (\d+)/.exec(text)?.[1]),
        failed: Number(/palisade_trace_spans_dropped_total\{reason="export_failed"\} (\d+)/.exec(text)?.[1]),
        exported: Number(/palisade_trace_spans_exported_total (\d+)/.exec(text)?.[1]),
      };
      if (done(c)) return c;
      await sleep(10);
    }
    assert.fail(`counts never settled: ${JSON.stringify(c)}`);
  }

  it("a collector that stalls: requests are answered, the queue stays bounded, drops are counted", async () => {
    const stalled: ServerResponse[] = [];
    let stall = true;
    const slow = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (stall) stalled.push(res);
        else res.writeHead(400).end();
      });
    });
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
    const port = (slow.address() as AddressInfo).port;
    try {
      tracing.configure(
        settings({
          endpoint: `http://127.0.0.1:${port}/v1/traces`,
          sampleRatio: 1,
          maxQueueSpans: 4,
          maxBatchSpans: 2,
          scheduledDelayMs: 20,
          timeoutMs: 60_000,
        }),
      );
      const before = await dropped(() => true);
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await send(proxy.port, `/api/slow/${i}`)).status);
      assert.deepEqual(new Set(statuses), new Set([200]), "the stalled collector holds no request");
      while (stalled.length === 0) await sleep(5);
      // One batch is in the stalled export (2 spans, or 1 when the 20 ms timer fired before the
      // second request on a busy machine), 4 wait in the queue, the other 14 or 15 were dropped.
      const held = await dropped((c) => c.full - before.full >= 14);
      assert.ok(held.full - before.full <= 15, `dropped ${held.full - before.full}`);
      assert.equal(held.failed - before.failed, 0);
      stall = false;
      for (const r of stalled) r.writeHead(400).end();
      // Every span is accounted for: dropped for a full queue or failed at the collector.
      const after = await dropped((c) => c.full - before.full + (c.failed - before.failed) === 20);
      assert.equal(after.full - before.full, held.full - before.full, "no more drops once the queue drains");
      assert.equal(after.exported, before.exported, "nothing reached the collector");
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });

  it("a collector that refuses connections: requests are answered, every span is counted dropped", async () => {
    const dead = await deadPort();
    tracing.configure(
      settings({
        endpoint: `http://127.0.0.1:${dead}/v1/traces`,
        sampleRatio: 1,
        maxQueueSpans: 4,
        maxBatchSpans: 2,
        scheduledDelayMs: 20,
        timeoutMs: 2_000,
      }),
    );
    const before = await dropped(() => true);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await send(proxy.port, `/api/down/${i}`)).status);
    assert.deepEqual(new Set(statuses), new Set([200]));
    const after = await dropped((c) => c.full + c.failed - before.full - before.failed === 20);
    assert.equal(after.exported, before.exported);
  });
});
