// Admin API: the telemetry config (SIEM sinks, per-node overrides, secret names): validated with
// the nodes' own sink checks naming the field, secrets never answered, published as a resource.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { sinksForNode, traceExportForNode } from "@palisade/events";
import { SnapshotSchema, SyslogProtocol } from "@palisade/proto";
import { TestCa } from "@palisade/test-support";
import { testAdminApi } from "../test/admin-app.js";

const upstream = { name: "up", targets: [{ host: "127.0.0.1", port: 9000 }] };
const wazuh = { name: "wazuh", syslog: { address: "wazuh.internal:514", protocol: "tcp", framing: "lf" } };
const hook = {
  name: "hook",
  webhook: { url: "https://siem.example/in", headers: { Authorization: "Bearer hook-secret-123" } },
  spool: { max_events: 5000, fsync_interval_ms: 0 },
};

test("PUT /v1/telemetry is checked as a node would take it, each error naming the field", async () => {
  const { call } = await testAdminApi();
  for (const [body, field, code] of [
    [
      { siem_sinks: [{ ...wazuh, syslog: { ...wazuh.syslog, address: "nohost" } }] },
      "siem_sinks.0.syslog.address",
      "SINK_ADDRESS_INVALID",
    ],
    [
      { siem_sinks: [{ ...wazuh, syslog: { ...wazuh.syslog, protocol: "udp" } }] },
      "siem_sinks.0.syslog.framing",
      "SINK_FRAMING_INVALID",
    ],
    [{ siem_sinks: [wazuh, wazuh] }, "siem_sinks.1.name", "SINK_NAME_DUPLICATE"],
    [{ siem_sinks: [{ name: "Bad Name", file: { path: "/x" } }] }, "siem_sinks.0.name", "SINK_NAME_INVALID"],
    [{ siem_sinks: [{ name: "f", file: { path: "relative.ndjson" } }] }, "siem_sinks.0.file.path", "SINK_PATH_INVALID"],
    [{ siem_sinks: [{ name: "f", file: { path: "/x" }, syslog: wazuh.syslog }] }, "siem_sinks.0", undefined],
    [
      { siem_sinks: [{ ...hook, webhook: { url: "https://u:p@siem.example/" } }] },
      "siem_sinks.0.webhook.url",
      "SINK_URL_INVALID",
    ],
    [
      { siem_sinks: [{ ...hook, retry: { initial_ms: 1 } }] },
      "siem_sinks.0.retry.initial_ms",
      "SINK_VALUE_OUT_OF_RANGE",
    ],
    [
      { siem_sinks: [wazuh], siem_overrides: [{ sink_name: "wazuh", selector: {}, disabled: true }] },
      "siem_overrides.0.selector",
      "SINK_SELECTOR_INVALID",
    ],
    [
      { siem_sinks: [wazuh], siem_overrides: [{ sink_name: "wazuh", selector: { regions: ["eu"] }, sink: hook }] },
      "siem_overrides.0.sink.name",
      "SINK_OVERRIDE_INVALID",
    ],
    [{ secret_headers: ["bad header"] }, "secret_headers.0", "SECRET_NAME_INVALID"],
    [{ trace_export: { endpoint: "otel:4318" } }, "trace_export.endpoint", "SINK_URL_INVALID"],
    [{ trace_export: { sample_ratio: 2 } }, "trace_export.sample_ratio", undefined],
    [
      { trace_export_overrides: [{ selector: {}, trace_export: { sample_ratio: 1 } }] },
      "trace_export_overrides.0.selector",
      "SINK_SELECTOR_INVALID",
    ],
    [
      { siem_sinks: [{ ...wazuh, syslog: { ...wazuh.syslog, protocol: "carrier-pigeon" } }] },
      "siem_sinks.0.syslog.protocol",
      undefined,
    ],
  ] as const) {
    const r = await call("PUT", "/v1/telemetry", body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.deepEqual([r.body.error.code, r.body.error.field], ["VALIDATION_FAILED", field], JSON.stringify(body));
    if (code) assert.ok(r.body.error.message.startsWith(`${code}:`), r.body.error.message);
    assert.ok(!r.text.includes("hook-secret-123"));
  }
});

test("secrets are answered [redacted], kept when sent back as [redacted], and published to the nodes", async () => {
  const { call, store } = await testAdminApi();
  const ca = new TestCa();
  const client = ca.issue(["node.palisade"]);
  ca.dispose();
  const tls = {
    name: "tls-relay",
    syslog: {
      address: "relay.internal:6514",
      protocol: "tls",
      tls: { ca_pem: ca.certPem, cert_pem: client.certPem, key_pem: client.keyPem },
    },
  };
  const body = {
    siem_sinks: [wazuh, hook, tls],
    siem_overrides: [
      {
        sink_name: "wazuh",
        selector: { regions: ["us-east"] },
        sink: { ...wazuh, syslog: { ...wazuh.syslog, address: "us-relay:514" } },
      },
      { sink_name: "hook", selector: { labels: { tier: "lab" } }, disabled: true },
    ],
    secret_fields: ["pin"],
    trace_export: {
      endpoint: "http://otel.internal:4318/v1/traces",
      sample_ratio: 0.25,
      headers: { "x-otel-key": "otel-secret-456" },
    },
    trace_export_overrides: [{ selector: { regions: ["us-east"] }, trace_export: { disabled: true } }],
  };
  const put = await call("PUT", "/v1/telemetry", body);
  assert.equal(put.status, 200, put.text);
  const got = await call("GET", "/v1/telemetry");
  assert.equal(got.body.siem_sinks[1].webhook.headers.Authorization, "[redacted]");
  assert.equal(got.body.siem_sinks[2].syslog.tls.key_pem, "[redacted]");
  assert.equal(got.body.trace_export.headers["x-otel-key"], "[redacted]");
  assert.ok(!got.text.includes("hook-secret-123") && !got.text.includes("PRIVATE KEY"));
  assert.ok(!got.text.includes("otel-secret-456"));
  // The web admin saves what it read: the secrets stay.
  assert.equal((await call("PUT", "/v1/telemetry", got.body)).status, 200);
  const stored = (await store.getSettings("telemetry")) as {
    siem_sinks: Array<{ webhook?: { headers: Record<string, string> } }>;
    trace_export: { headers: Record<string, string> };
  };
  assert.equal(stored.siem_sinks[1]!.webhook?.headers.Authorization, "Bearer hook-secret-123");
  assert.equal(stored.trace_export.headers["x-otel-key"], "otel-secret-456");
  // [redacted] where nothing is stored is refused.
  const renamed = structuredClone(got.body);
  renamed.siem_sinks[1].name = "hook2";
  assert.equal((await call("PUT", "/v1/telemetry", renamed)).status, 400);

  assert.equal((await call("POST", "/v1/upstreams", upstream)).status, 201);
  assert.equal((await call("POST", "/v1/routes", { name: "r", paths: ["/"], upstream: "up" })).status, 201);
  const pub = await call("POST", "/v1/config/versions", { message: "sinks" });
  assert.equal(pub.status, 201, pub.text);
  const snap = fromBinary(SnapshotSchema, (await store.latestVersion())!.snapshot);
  const t = snap.telemetry[0]!;
  assert.equal(t.siemSinks.length, 3);
  assert.equal(
    t.siemSinks[0]!.transport.case === "syslog" && t.siemSinks[0]!.transport.value.protocol,
    SyslogProtocol.TCP,
  );
  assert.deepEqual(t.secretFields, ["pin"]);
  // What two nodes make of it.
  const us = sinksForNode(t, { id: "us-1", region: "us-east", labels: { tier: "lab" } });
  assert.deepEqual(
    us.map((s) => s.name),
    ["wazuh", "tls-relay"],
  );
  assert.equal(us[0]!.transport.case === "syslog" && us[0]!.transport.value.address, "us-relay:514");
  assert.equal(traceExportForNode(t, { id: "us-1", region: "us-east", labels: {} })?.endpoint, "");
  assert.deepEqual(
    [traceExportForNode(t, { id: "eu-1", region: "eu", labels: {} })?.sampleRatio, t.traceExport?.endpoint],
    [0.25, "http://otel.internal:4318/v1/traces"],
  );
  const version = await call("GET", `/v1/config/versions/${pub.body.version}`);
  assert.ok(version.text.includes("wazuh.internal:514"));
  assert.ok(
    !version.text.includes("hook-secret-123") &&
      !version.text.includes("PRIVATE KEY") &&
      !version.text.includes("otel-secret-456"),
    "the version view redacts",
  );
  assert.ok((await store.latestVersion())!.features.includes("telemetry"), "nodes that lack the kind are held back");

  // Cleared: the resource leaves the next version.
  assert.equal((await call("PUT", "/v1/telemetry", {})).status, 200);
  assert.equal((await call("POST", "/v1/config/versions", {})).status, 201);
  assert.equal(fromBinary(SnapshotSchema, (await store.latestVersion())!.snapshot).telemetry.length, 0);
});

test("a draft that no longer passes the sink checks is refused at publish, naming telemetry.<field>", async () => {
  const { call, store } = await testAdminApi();
  assert.equal((await call("POST", "/v1/upstreams", upstream)).status, 201);
  assert.equal((await call("POST", "/v1/routes", { name: "r", paths: ["/"], upstream: "up" })).status, 201);
  // Written past the API (an older control plane, a hand edit): publish checks again.
  await store.putSettings({ siem_sinks: [{ name: "w", syslog: { address: "x", protocol: "tcp" } }] }, "telemetry");
  const r = await call("POST", "/v1/config/versions", {});
  assert.equal(r.status, 400);
  assert.deepEqual(
    [r.body.error.code, r.body.error.field],
    ["VALIDATION_FAILED", "telemetry.siem_sinks.0.syslog.address"],
  );
});
