/**
 * Issue 17 end to end with real processes: a control plane, a node (two workers: the events leave
 * from the primary) and Debian's rsyslogd. The SIEM sink and a secret field are configured
 * through the admin API (`PUT /v1/telemetry`) and pushed with the config; a request the node
 * refuses becomes one ECS security event that reaches both `GET /v1/security-events` on the
 * control plane and the rsyslog receiver, with node, region, route and the request's trace id,
 * and with none of the request's credentials, cookies or configured secret values. The node's
 * `/metrics` shows the delivery (acknowledged by the control plane, sink up) and the request's
 * route, status class and policy decision.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Rsyslog, startRsyslog } from "@palisade/test-support";
import { ControlPlaneProcess, DataPlaneProcess, http } from "./harness/fleet.js";
import { eventually } from "./harness/process.js";
import { RecordingUpstream } from "./harness/upstream.js";

const BEARER = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJlMmUtc2llbSJ9.ZTJlLXNpZW0tc2lnbmF0dXJl";
const COOKIE = "session=e2e-siem-cookie-SECRET-2718";
const FIELD = "e2e-siem-configured-SECRET-3141";
const TRACE = "5a4f1e2d3c4b5a69788796a5b4c3d2e1";
const SECRETS = [BEARER, COOKIE, "e2e-siem-cookie-SECRET", FIELD];

/** The header fields and MSG of an RFC 5424 message `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG` (§6). */
function syslogParts(line: string): { hostname: string; msgId: string; msg: string } {
  const f = line.split(" ");
  assert.match(f[0]!, /^<\d{1,3}>1$/);
  assert.equal(f[6], "-", "no structured data");
  return { hostname: f[2]!, msgId: f[5]!, msg: f.slice(7).join(" ") };
}

interface Doc {
  event: { id: string; action: string };
  labels: { node: string; region: string; route?: string };
  trace?: { id: string };
  url?: { path?: string; query?: string };
}

describe("security events to the control plane and a SIEM (issue 17)", () => {
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;
  let up: RecordingUpstream;
  let rs: Rsyslog;
  /** Config ids (the control plane's UUIDs): what labels and metrics name. */
  const ids: Record<string, string> = {};

  before(async () => {
    rs = await startRsyslog();
    up = await new RecordingUpstream("upstream-a").start();
    cp = await new ControlPlaneProcess().start();
    ids.a = (await cp.ok("POST", "/v1/upstreams", { name: "a", targets: [{ host: "127.0.0.1", port: up.port }] })).id;
    await cp.ok("POST", "/v1/policies", { name: "walls", type: "ip-restriction", config: { deny: ["127.0.0.1"] } });
    ids.walled = (
      await cp.ok("POST", "/v1/routes", { name: "walled", paths: ["/walled"], upstream: "a", policies: ["walls"] })
    ).id;
    ids.open = (await cp.ok("POST", "/v1/routes", { name: "open", paths: ["/open"], upstream: "a" })).id;
    await cp.ok("PUT", "/v1/telemetry", {
      siem_sinks: [{ name: "rsyslog", syslog: { address: `127.0.0.1:${rs.tcpPort}`, protocol: "tcp" } }],
      secret_fields: ["e2e_field"],
    });
    await cp.ok("POST", "/v1/config/versions", { message: "telemetry e2e" });
    dp = await new DataPlaneProcess("node-siem", cp.syncPort, {
      region: "eu-north",
      extraArgs: ["--workers", "2", "--access-log", "ecs"],
    }).start();
    await cp.waitForNodes([dp.nodeId], 1);
  });

  after(async () => {
    await dp?.destroy();
    await cp?.destroy();
    await up?.stop();
    await rs?.stop();
    rs?.dispose();
  });

  test("a denial reaches GET /v1/security-events and rsyslogd, redacted, with node, region, route and trace id", async () => {
    const r = await dp.get(`/walled/x?e2e_field=${FIELD}&page=2`, {
      authorization: `Bearer ${BEARER}`,
      cookie: COOKIE,
      traceparent: `00-${TRACE}-00f067aa0ba902b7-01`,
    });
    assert.equal(r.status, 403);
    assert.equal(r.json().error.code, "IP_FORBIDDEN");

    let item: { event: Doc } | undefined;
    await eventually(
      "the event at the control plane",
      async () => {
        const list = (await cp.ok("GET", `/v1/security-events?node=${dp.nodeId}`)) as { items: { event: Doc }[] };
        item = list.items.find((i) => i.event.trace?.id === TRACE);
        return item === undefined ? undefined : true;
      },
      20_000,
    );
    const doc = item!.event;
    assert.equal(doc.event.action, "ip_denied");
    assert.equal(doc.labels.node, "node-siem");
    assert.equal(doc.labels.region, "eu-north");
    assert.equal(doc.labels.route, ids.walled);
    assert.equal(doc.url?.path, "/walled/x");

    let line: string | undefined;
    await eventually(
      "the event at rsyslogd",
      async () => {
        line = rs.received().find((l) => l.includes(doc.event.id));
        return line === undefined ? undefined : true;
      },
      20_000,
    );
    const msg = syslogParts(line!);
    assert.equal(msg.msgId, "ip_denied");
    assert.equal(msg.hostname, "node-siem");
    const siem = JSON.parse(msg.msg) as Doc;
    assert.equal(siem.trace?.id, TRACE);
    assert.equal(siem.labels.route, ids.walled);

    const cpText = JSON.stringify(await cp.ok("GET", "/v1/security-events"));
    for (const s of SECRETS) {
      assert.ok(!cpText.includes(s), `the control plane's events hold ${s}`);
      for (const l of rs.received()) assert.ok(!l.includes(s), `rsyslogd received ${s}`);
      assert.ok(!dp.proc.output().includes(s), `the node's log holds ${s}`);
    }
    assert.ok(dp.proc.output().includes(TRACE), "the access log line carries the trace id");
  });

  test("the node's /metrics shows the delivery, the route's status class and the policy decision", async () => {
    await dp.get("/open/y");
    const metric = async (series: string) => {
      const text = (await http(dp.statusPort, "/metrics")).text;
      const l = text.split("\n").find((x) => x.startsWith(`${series} `));
      return l === undefined ? undefined : Number(l.slice(series.length + 1));
    };
    const atLeastOne = (series: string) => async () => (((await metric(series)) ?? 0) >= 1 ? true : undefined);
    await eventually(
      "acknowledged by the control plane",
      atLeastOne('palisade_sync_security_events_total{result="acknowledged"}'),
    );
    await eventually("delivered to rsyslogd", atLeastOne('palisade_siem_events_delivered_total{sink="rsyslog"}'));
    assert.equal(await metric('palisade_siem_sink_up{sink="rsyslog"}'), 1);
    await eventually("the workers' counters at the primary", async () =>
      (await metric(
        `palisade_http_server_requests_total{route="${ids.walled}",upstream="${ids.a}",status_class="4xx"}`,
      )) === 1 &&
      (await metric(
        `palisade_http_server_requests_total{route="${ids.open}",upstream="${ids.a}",status_class="2xx"}`,
      )) === 1
        ? true
        : undefined,
    );
    assert.equal(
      await metric('palisade_policy_decisions_total{policy_type="ip-restriction",decision="deny",reason="ip_denied"}'),
      1,
    );
  });
});
