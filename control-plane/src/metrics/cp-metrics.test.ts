// The control plane's /metrics against a real control plane and a node on a real gRPC stream:
// what an operator reads after a publish, an ACK and a batch of security events; the exposition
// passes `promtool check metrics` and names exactly the catalogue's control-plane metrics.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { DEFAULT_PROCESS_METRICS, exampleWaf, METRIC_CATALOGUE, metricOfSeries } from "@palisade/events";
import {
  codecFor,
  STREAM_CONFIG_PATH,
  type StreamConfigRequest,
  StreamConfigRequestSchema,
  type StreamConfigResponse,
  StreamConfigResponseSchema,
} from "@palisade/proto";
import { pino } from "pino";
import { type ControlPlane, startControlPlane } from "../control-plane.js";
import { parseCpOptions } from "../options.js";
import { batchOf, fresh } from "../test/security-event-batch.js";

const TOKEN = "metrics-test-admin-token-0123456789";

/** Series names of a text exposition (comments skipped). */
export function seriesNames(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    out.add(/^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0]);
  }
  return out;
}

/** The value of one series line (`name{labels} value`), by its exact name and label text. */
function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("control plane /metrics", () => {
  let cp: ControlPlane;
  let client: grpc.Client;
  const received: StreamConfigResponse[] = [];
  let call: grpc.ClientDuplexStream<StreamConfigRequest, StreamConfigResponse>;
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`http://127.0.0.1:${cp.admin.port}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const until = async (pred: () => boolean) => {
    const deadline = Date.now() + 5000;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  before(async () => {
    const opts = parseCpOptions(
      [
        "--db",
        ":memory:",
        "--admin-listen",
        "127.0.0.1:0",
        "--sync-listen",
        "127.0.0.1:0",
        "--status-listen",
        "127.0.0.1:0",
      ],
      { PALISADE_ADMIN_TOKEN: TOKEN, PALISADE_SYNC_INSECURE: "1" },
    );
    if (opts === "help" || opts === "version") throw new Error("unexpected");
    cp = await startControlPlane(opts, pino({ level: "silent" }));
    client = new grpc.Client(`127.0.0.1:${cp.sync.port}`, grpc.credentials.createInsecure());
    const req = codecFor(StreamConfigRequestSchema);
    const res = codecFor(StreamConfigResponseSchema);
    call = client.makeBidiStreamRequest(STREAM_CONFIG_PATH, req.serialize, res.deserialize);
    call.on("data", (m: StreamConfigResponse) => received.push(m));
    call.on("error", () => {});
    call.write(
      create(StreamConfigRequestSchema, {
        kind: { case: "hello", value: { nodeId: "eu-1", region: "eu-west", reportIntervalMs: 5000 } },
      }),
    );
  });
  after(async () => {
    call?.cancel();
    client?.close();
    await cp?.close();
  });

  it("counts the fleet, a publish → ACK, a NACK-free stream, security events and admin requests", async () => {
    assert.equal(
      (await admin("POST", "/v1/upstreams", { name: "u", targets: [{ host: "127.0.0.1", port: 9 }] })).status,
      201,
    );
    assert.equal((await admin("POST", "/v1/routes", { name: "r", paths: ["/"], upstream: "u" })).status, 201);
    assert.equal((await admin("POST", "/v1/config/versions", {})).status, 201);
    await until(() => received.some((m) => m.kind.case === "update"));
    const update = received.find((m) => m.kind.case === "update")!;
    if (update.kind.case !== "update") throw new Error("no update");
    const { version, nonce, hash } = update.kind.value;
    call.write(create(StreamConfigRequestSchema, { kind: { case: "ack", value: { version, nonce, hash } } }));
    const waf = fresh(exampleWaf("deny"));
    call.write(create(StreamConfigRequestSchema, { kind: { case: "securityEvents", value: batchOf([waf], 41n) } }));
    await until(() => received.some((m) => m.kind.case === "securityEventsAck"));
    const ack = received.find((m) => m.kind.case === "securityEventsAck")!;
    assert.deepEqual(ack.kind.case === "securityEventsAck" && [ack.kind.value.batchId, ack.kind.value.stored], [
      41n,
      1,
    ]);
    const listed = (await (await admin("GET", "/v1/security-events?node=eu-1")).json()) as {
      items: Array<{ event: { event: { id: string } } }>;
    };
    assert.equal(listed.items[0]?.event.event.id, waf.id);

    const r = await fetch(`http://127.0.0.1:${cp.status!.port}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    assert.equal(value(text, 'palisade_cp_nodes{state="connected",region="eu-west"}'), 1);
    assert.equal(value(text, "palisade_cp_config_acks_total"), 1);
    assert.equal(value(text, "palisade_cp_publish_ack_duration_seconds_count"), 1);
    assert.equal(value(text, 'palisade_cp_config_nacks_total{kind="config"}'), 0);
    assert.equal(value(text, "palisade_cp_config_version_latest"), 1);
    assert.equal(value(text, "palisade_cp_config_version_stable"), 1);
    assert.equal(value(text, "palisade_cp_rollout_stage_index"), -1);
    assert.equal(value(text, 'palisade_cp_security_events_received_total{category="waf"}'), 1);
    assert.equal(value(text, "palisade_cp_security_events_stored"), 1);
    assert.equal(value(text, 'palisade_cp_admin_requests_total{method="POST",route="/v1/upstreams",status="201"}'), 1);
    assert.equal(
      value(text, 'palisade_cp_admin_requests_total{method="GET",route="/v1/security-events",status="200"}'),
      1,
    );
    // Unknown paths share one label value: label values stay bounded whatever clients send.
    await admin("GET", "/v1/no/such/thing-1");
    await admin("GET", "/v1/no/such/thing-2");
    const again = await (await fetch(`http://127.0.0.1:${cp.status!.port}/metrics`)).text();
    // The web admin's catch-all (`/*`) or "unmatched": one series either way.
    const notFound = again
      .split("\n")
      .filter((l) => /^palisade_cp_admin_requests_total\{method="GET",route="[^"]*",status="404"\} /.test(l));
    assert.equal(notFound.length, 1, notFound.join("\n"));
    assert.ok(notFound[0]!.endsWith(" 2"));
    assert.ok(!again.includes("thing-1"));
  });

  it("passes promtool check metrics and names exactly the catalogue's control-plane metrics", async () => {
    const text = await (await fetch(`http://127.0.0.1:${cp.status!.port}/metrics`)).text();
    const lint = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    assert.equal(lint.error, undefined, "promtool is installed by npm test (Debian package prometheus)");
    assert.equal(lint.status, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);
    const names = seriesNames(text);
    for (const n of names) {
      const m = metricOfSeries(n);
      assert.ok(m, `${n} is exported but not in the metric catalogue (events/src/metrics/catalogue.ts)`);
    }
    // A metric with no series yet (no rollout active) still declares itself with # TYPE.
    const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    const catalogued = [...METRIC_CATALOGUE, ...DEFAULT_PROCESS_METRICS];
    for (const m of catalogued.filter((x) => x.plane === "control-plane" && x.status === "exported"))
      assert.ok(exported.has(m.name), `${m.name} is in the catalogue but not exported`);
  });

  it("serves only /metrics and /healthz, without the admin token", async () => {
    const base = `http://127.0.0.1:${cp.status!.port}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/v1/nodes`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: "POST" })).status, 405);
  });
});
