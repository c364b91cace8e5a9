// The node's security-event pipeline end to end inside one process: real refusals of a real
// proxy go, through the node's channel, to the control plane's uplink (ECS JSON) and to a real
// rsyslogd configured by the snapshot's TelemetrySettings — redacted, with node, region, route,
// consumer and trace id. A sink that is down leaves the node serving; the condition is a metric
// and an event; the sink recovers by itself and the spooled events arrive.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { type EcsSecurityEvent, exampleWaf } from "@palisade/events";
import {
  type Policy,
  PolicySchema,
  SyslogProtocol,
  type TelemetrySettings,
  TelemetrySettingsSchema,
} from "@palisade/proto";
import { type Rsyslog, startRsyslog } from "@palisade/test-support";
import { compile } from "../config/compile.js";
import { TableHolder } from "../config/table-holder.js";
import { SecurityEvents } from "../events/security-events.js";
import { docsOfSyslog } from "../siem/test/fixtures.js";
import type { OutboundSecurityEvent } from "../sync/event-outbox.js";
import { eventually } from "../test/eventually.js";
import { log, route, snapshot, upstream } from "../test/fixtures.js";
import { deadPort, send, TestProxy, TestUpstream } from "../test/harness.js";
import { createMetricsRegistry } from "./metrics.js";
import { SecurityPipeline } from "./security-pipeline.js";
import { TrafficStats } from "./traffic-stats.js";

const BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwaXBlbGluZSJ9.cGlwZWxpbmUtc2lnbmF0dXJl";
const COOKIE = "sid=pipeline-cookie-SECRET-5150";
const CONFIGURED = "pipeline-configured-SECRET-881";
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SECRETS = [BEARER, COOKIE, "pipeline-cookie-SECRET", CONFIGURED];

function telemetry(address: string): TelemetrySettings {
  return create(TelemetrySettingsSchema, {
    id: "global",
    siemSinks: [
      {
        name: "rsyslog",
        transport: { case: "syslog", value: { address, protocol: SyslogProtocol.TCP } },
        retry: { initialMs: 50, maxMs: 300 },
      },
    ],
    secretFields: ["x_pipeline_secret"],
  });
}

describe("the security-event pipeline", () => {
  let up: TestUpstream;
  let proxy: TestProxy;
  let dir: string;
  const events = new SecurityEvents();
  const uplinked: OutboundSecurityEvent[] = [];
  let pipeline: SecurityPipeline;

  before(async () => {
    up = await new TestUpstream("u").start();
    proxy = await new TestProxy({ events, stats: new TrafficStats() }).start();
    dir = mkdtempSync(join(tmpdir(), "dp-pipeline-"));
    const walls: Policy = create(PolicySchema, {
      id: "walls",
      name: "walls",
      config: {
        case: "ipRestriction",
        value: { $typeName: "palisade.config.v1.IpRestrictionPolicy", allow: [], deny: ["127.0.0.0/8"] },
      },
    });
    proxy.holder.swap(
      compile(
        snapshot(
          {
            upstreams: [upstream("u1", [up.address])],
            routes: [route("walled", "u1", ["/walled"], { policyIds: ["walls"] })],
            policies: [walls],
          },
          7n,
        ),
        { policyTypes: new Set(["ip-restriction"]), upstreams: proxy.runtime },
      ),
    );
    pipeline = new SecurityPipeline({
      events,
      log,
      node: { id: "node-7", region: "eu-west", labels: {} },
      softwareVersion: "0.1.0",
      spoolDir: join(dir, "siem"),
      uplink: () => ({ sendSecurityEvents: (batch) => uplinked.push(...batch) }),
      shipper: { tuning: { confirmDelayMs: 100 }, dropReportIntervalMs: 3_600_000 },
    });
  });

  after(async () => {
    await pipeline.close(500);
    await proxy.stop();
    await up.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const deny = (n: number, tag: string) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        send(proxy.port, `/walled?x_pipeline_secret=${CONFIGURED}&n=${tag}${i}`, {
          headers: {
            authorization: `Bearer ${BEARER}`,
            cookie: COOKIE,
            traceparent: `00-${TRACE}-00f067aa0ba902b7-01`,
          },
        }),
      ),
    );

  let rs: Rsyslog | undefined;

  it("sends a denial to the control plane and to rsyslogd, redacted, with node, region, route and trace id", async () => {
    rs = await startRsyslog();
    await pipeline.configure(telemetry(`127.0.0.1:${rs.tcpPort}`), 7n);
    const answers = await deny(3, "a");
    assert.deepEqual(
      answers.map((a) => a.status),
      [403, 403, 403],
    );
    await eventually("3 events at rsyslog", () => docsOfSyslog(rs!.received()).length >= 3, 20_000);
    const docs = docsOfSyslog(rs.received());
    const doc = docs[0]!;
    assert.equal(doc.event.action, "ip_denied");
    assert.equal(doc.labels.node, "node-7");
    assert.equal(doc.labels.region, "eu-west");
    assert.equal(doc.labels.route, "walled");
    assert.equal(doc.trace?.id, TRACE);
    assert.equal(doc.rule?.id, "walls");
    assert.equal(doc.rule?.version, "7");
    assert.equal(doc.http?.response?.status_code, 403);
    await eventually("3 events on the uplink", () => uplinked.length >= 3);
    const cp = uplinked.map((u) => JSON.parse(u.ecsJson) as EcsSecurityEvent);
    assert.deepEqual(cp.map((d) => d.event.id).sort(), docs.map((d) => d.event.id).sort());
    for (const text of [...rs.received(), ...uplinked.map((u) => u.ecsJson)])
      for (const s of SECRETS) assert.ok(!text.includes(s), `an event holds ${s}`);
  });

  it("sends a WAF event of the node's channel (as the waf policy emits it) as a waf_blocked alert with its rules", async () => {
    const before = uplinked.length;
    const { mode, action, paranoiaLevel, anomalyScore, threshold, rules, interruptingRuleId, ruleset } =
      exampleWaf("deny");
    events.emit({
      id: "0b9d4f6e-4a55-4a52-9b7d-2f9f0c1a7e10",
      type: "waf_blocked",
      reason: "waf_blocked",
      time: Date.now(),
      code: "WAF_BLOCKED",
      status: 403,
      requestId: "req-waf-1",
      route: "walled",
      policy: "crs-block",
      policyType: "waf",
      consumer: null,
      clientAddress: "127.0.0.1",
      method: "GET",
      path: "/walled",
      traceId: TRACE,
      waf: { mode, action, paranoiaLevel, anomalyScore, threshold, rules, interruptingRuleId, ruleset },
    });
    await eventually("the WAF event at rsyslog", () =>
      docsOfSyslog(rs!.received()).some((d) => d.event.action === "waf_blocked"),
    );
    const doc = docsOfSyslog(rs!.received()).find((d) => d.event.action === "waf_blocked")!;
    assert.equal(doc.event.id, "0b9d4f6e-4a55-4a52-9b7d-2f9f0c1a7e10", "the id the 403 body names");
    assert.equal(doc.trace?.id, TRACE);
    assert.equal(doc.labels.node, "node-7");
    assert.deepEqual(
      doc.palisade.waf?.rule_ids,
      rules.map((r) => r.id),
    );
    assert.equal(doc.rule?.category, "attack-sqli");
    await eventually("the WAF event on the uplink", () => uplinked.length > before);
    const cp = JSON.parse(uplinked.at(-1)!.ecsJson) as EcsSecurityEvent;
    assert.equal(cp.event.action, "waf_blocked");
    assert.equal(cp.palisade.category, "waf");
  });

  it("keeps serving while the sink is down, shows it as a metric and an event, and delivers the spool when it is back", async () => {
    await rs?.stop();
    rs?.dispose();
    const port = await deadPort();
    await pipeline.configure(telemetry(`127.0.0.1:${port}`), 8n);
    const registry = createMetricsRegistry({
      stats: new TrafficStats(),
      holder: new TableHolder(),
      controlPlaneConnected: () => true,
      siem: pipeline,
    });
    const metric = async (series: string) => {
      const line = (await registry.metrics()).split("\n").find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const answers = await deny(40, "b");
    assert.ok(
      answers.every((a) => a.status === 403),
      "every client request is answered while the SIEM is down",
    );
    await eventually(
      "the sink is down",
      () => pipeline.siemStats()?.sinks.find((s) => s.name === "rsyslog")?.state === "down",
    );
    assert.equal(await metric('palisade_siem_sink_up{sink="rsyslog"}'), 0);
    await eventually("a siem_sink_down event reached the control plane", () =>
      uplinked.some((u) => (JSON.parse(u.ecsJson) as EcsSecurityEvent).event.action === "siem_sink_down"),
    );
    await eventually("40 events spooled", () => (pipeline.siemStats()?.sinks[0]?.pending ?? 0) >= 40);
    rs = await startRsyslog({ tcpPort: port });
    try {
      await eventually(
        "the 40 spooled denials at rsyslog",
        () => docsOfSyslog(rs!.received()).filter((d) => d.event.action === "ip_denied").length >= 40,
        30_000,
      );
      await eventually("the sink is up", () => pipeline.siemStats()?.sinks[0]?.state === "up");
      assert.equal(await metric('palisade_siem_sink_up{sink="rsyslog"}'), 1);
      // 3 before the outage and the 40 spooled, counted across the shipper's restart (a config change).
      await eventually("the spool delivered", () => pipeline.siemStats()?.sinks[0]?.pending === 0);
      assert.ok((await metric('palisade_siem_events_delivered_total{sink="rsyslog"}'))! >= 43);
      assert.equal(await metric('palisade_siem_events_dropped_total{sink="rsyslog",reason="spool_overflow"}'), 0);
      for (const line of rs.received()) for (const s of SECRETS) assert.ok(!line.includes(s), `${s} in ${line}`);
    } finally {
      await rs.stop();
      rs.dispose();
    }
  });
});
