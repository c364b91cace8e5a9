/**
 * Upstream health metrics and OTLP span export on a real node with `--workers 2` (issue 17):
 * an upstream with one live and one dead target shows one healthy and one unhealthy target on
 * `/metrics` (each worker checks on its own; the primary counts a target once, in the worst state
 * a worker sees), and with `trace_export` set in `PUT /v1/telemetry` every request through either
 * worker is one server span at a real OTLP/HTTP receiver, carrying the trace id the upstream got
 * in `traceparent`. promtool accepts the cluster's exposition. Real processes on loopback.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { type AddressInfo, createServer as createTcpServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { Client } from "undici";
import { ControlPlaneProcess, DataPlaneProcess, http } from "./harness/fleet.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** One sample of a Prometheus text page, `undefined` when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("a two-worker node: upstream health on /metrics, server spans at an OTLP receiver", () => {
  let up: RecordingUpstream;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;
  let receiver: Server;
  const spans: Array<{ traceId: string; spanId: string; name: string }> = [];
  let upstreamId = "";

  before(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString());
        for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        res.setHeader("content-type", "application/json");
        res.end("{}");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const otlp = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
    up = await new RecordingUpstream("traced-up").start();
    cp = await new ControlPlaneProcess().start();
    upstreamId = (
      await cp.ok("POST", "/v1/upstreams", {
        name: "pool",
        targets: [
          { host: "127.0.0.1", port: up.port },
          { host: "127.0.0.1", port: await deadPort() },
        ],
        health_check: { active: { path: "/healthz", interval_ms: 100, healthy_threshold: 1, unhealthy_threshold: 1 } },
        retries: { max_retries: 1 },
      })
    ).id as string;
    await cp.ok("POST", "/v1/routes", { name: "traced", paths: ["/t"], upstream: "pool" });
    await cp.ok("PUT", "/v1/telemetry", { trace_export: { endpoint: otlp, sample_ratio: 1, scheduled_delay_ms: 50 } });
    const version = (await cp.ok("POST", "/v1/config/versions", { message: "traces" })).version;
    dp = await new DataPlaneProcess("node-traced", cp.syncPort, { extraArgs: ["--workers", "2"] }).start();
    await cp.waitForNodes([dp.nodeId], version);
  });

  after(async () => {
    await dp?.destroy();
    await cp?.destroy();
    await up?.stop();
    receiver?.closeAllConnections();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  });

  test("the dead target is one unhealthy target, the live one healthy, over both workers", async () => {
    const metrics = async () => (await http(dp.statusPort, "/metrics")).text;
    const s = (state: string) => `palisade_upstream_targets{upstream="${upstreamId}",state="${state}"}`;
    const failures = (t: string) =>
      sample(t, `palisade_upstream_health_checks_total{upstream="${upstreamId}",result="failure"}`) ?? 0;
    // One worker's failed check can mark the target unhealthy before the other's is counted:
    // wait for both (each worker checks on its own, so the failures add up to at least 2).
    const text = await eventually("both workers' checks merged", async () => {
      const t = await metrics();
      return sample(t, s("unhealthy")) === 1 && sample(t, s("healthy")) === 1 && failures(t) >= 2 ? t : undefined;
    });
    assert.equal(sample(text, s("ejected")), 0);
    assert.equal(sample(text, `palisade_upstream_circuit_breaker_open{upstream="${upstreamId}"}`), 0);
    const lint = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    assert.equal(lint.error, undefined, "promtool is installed by npm test (Debian package prometheus)");
    assert.equal(lint.status, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);
  });

  test("every request through either worker is one server span with the upstream's trace id", async () => {
    const clients = Array.from({ length: 6 }, () => new Client(`http://127.0.0.1:${dp.proxyPort}`));
    try {
      const statuses = await Promise.all(
        clients.map(async (c, i) => {
          const out: number[] = [];
          for (let j = 0; j < 3; j++) {
            const r = await c.request({ path: `/t/c${i}-${j}`, method: "GET" });
            await r.body.text();
            out.push(r.statusCode);
          }
          return out;
        }),
      );
      assert.deepEqual([...new Set(statuses.flat())], [200]);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    const traced = up.seen.filter((s) => s.url.startsWith("/t/"));
    assert.equal(traced.length, 18);
    await eventually("18 spans at the receiver", async () => (spans.length >= 18 ? true : undefined));
    assert.equal(spans.length, 18);
    const byTrace = new Map(spans.map((s) => [s.traceId, s]));
    for (const s of traced) {
      const [, traceId, parentId, flags] = String(s.headers.traceparent).split("-");
      assert.equal(flags, "01", "sampled at ratio 1");
      const span = byTrace.get(traceId!);
      assert.ok(span, `a span for trace ${traceId}`);
      assert.equal(span.spanId, parentId, "the upstream's parent is the node's span");
      assert.equal(span.name, "GET traced");
    }
    const text = (await http(dp.statusPort, "/metrics")).text;
    await eventually("the exporter's counts summed over the workers", async () =>
      sample((await http(dp.statusPort, "/metrics")).text, "palisade_trace_spans_exported_total") === 18
        ? true
        : undefined,
    );
    assert.equal(sample(text, 'palisade_trace_spans_dropped_total{reason="queue_full"}'), 0);
  });
});
