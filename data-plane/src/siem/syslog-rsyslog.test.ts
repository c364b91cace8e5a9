// The syslog sinks against a real receiver: Debian's rsyslogd started per test on loopback
// ports (UDP, TCP, TLS with openssl-made certificates), writing what it receives to a file.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { examplePolicyDenials, exampleWaf, parseSyslog, type SiemSinkConfig } from "@palisade/events";
import { startRsyslog, TestCa } from "@palisade/test-support";
import { eventually } from "../test/eventually.js";
import { docsOfSyslog, eventId, firstOccurrences, numberedEvents, testIds, testShipper } from "./test/fixtures.js";

const syslog = (name: string, value: Record<string, unknown>, extra: Partial<SiemSinkConfig> = {}): SiemSinkConfig =>
  ({ name, transport: { case: "syslog", value }, ...extra }) as SiemSinkConfig;

const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => eventId(from + i));

describe("syslog sinks to rsyslog", () => {
  it("TCP with octet counting: every event arrives once, in order, as an RFC 5424 message with the ECS document", async () => {
    const rs = await startRsyslog();
    const t = await testShipper([
      syslog("rsyslog", { address: `127.0.0.1:${rs.tcpPort}`, protocol: "tcp", facility: "local4" }),
    ]);
    try {
      for (const e of numberedEvents(0, 2000)) assert.equal(t.shipper.enqueue(e), true);
      await eventually("2000 events at rsyslog", () => testIds(docsOfSyslog(rs.received())).length >= 2000, 30_000);
      const lines = rs.received();
      assert.deepEqual(testIds(docsOfSyslog(lines)), ids(0, 2000));
      const m = parseSyslog(lines[0]!);
      assert.equal(m.facility, 20);
      assert.equal(m.severity, 5);
      assert.equal(m.hostname, "node-1");
      assert.equal(m.appName, "palisade");
      assert.equal(m.msgId, "authentication_failed");
      await eventually("acknowledged", () => t.shipper.siemStats().sinks[0]!.pending === 0);
      const s = t.shipper.siemStats().sinks[0]!;
      assert.equal(s.state, "up");
      assert.equal(s.delivered, 2000);
      assert.equal(s.failures, 0);
    } finally {
      await t.close();
      await rs.stop();
      rs.dispose();
    }
  });

  it("TCP with LF framing (what Wazuh's remoted reads) and UDP deliver too", async () => {
    const rs = await startRsyslog();
    const t = await testShipper([
      syslog("lf", { address: `127.0.0.1:${rs.tcpPort}`, protocol: "tcp", framing: "lf" }),
      syslog("udp", { address: `127.0.0.1:${rs.udpPort}`, protocol: "udp" }, { batchMaxEvents: 10 }),
    ]);
    try {
      for (const e of numberedEvents(0, 100)) t.shipper.enqueue(e);
      // Each event arrives twice: once per sink.
      await eventually("200 messages", () => testIds(docsOfSyslog(rs.received())).length >= 200, 30_000);
      const got = testIds(docsOfSyslog(rs.received()));
      assert.deepEqual([...new Set(got)].sort(), ids(0, 100));
      assert.equal(got.length, 200);
      for (const s of t.shipper.siemStats().sinks) assert.equal(s.state, "up", s.name);
    } finally {
      await t.close();
      await rs.stop();
      rs.dispose();
    }
  });

  it("TLS (RFC 5425) with the receiver's certificate checked against the configured CA", async () => {
    const ca = new TestCa("Palisade SIEM Test CA");
    const leaf = ca.issue(["localhost"]);
    const rs = await startRsyslog({ tls: { caPem: ca.certPem, certPem: leaf.certPem, keyPem: leaf.keyPem } });
    const t = await testShipper([
      syslog("tls", {
        address: `127.0.0.1:${rs.tcpPort}`,
        protocol: "tls",
        tls: { caPem: ca.certPem, serverName: "localhost" },
      }),
    ]);
    try {
      for (const e of numberedEvents(0, 500)) t.shipper.enqueue(e);
      await eventually("500 events over TLS", () => testIds(docsOfSyslog(rs.received())).length >= 500, 30_000);
      assert.deepEqual(testIds(docsOfSyslog(rs.received())), ids(0, 500));
    } finally {
      await t.close();
      await rs.stop();
      rs.dispose();
      ca.dispose();
    }
  });

  it("a receiver down for a while: events are spooled, then all delivered in order once it is back", async () => {
    let rs = await startRsyslog();
    const port = rs.tcpPort;
    const t = await testShipper([syslog("rsyslog", { address: `127.0.0.1:${port}`, protocol: "tcp" })]);
    try {
      for (const e of numberedEvents(0, 100)) t.shipper.enqueue(e);
      await eventually("the first 100", () => testIds(docsOfSyslog(rs.received())).length >= 100, 30_000);
      await rs.stop();
      for (const e of numberedEvents(100, 1000)) t.shipper.enqueue(e);
      await eventually("the sink seen down", () => t.shipper.siemStats().sinks[0]!.state === "down", 30_000);
      assert.ok(t.conditions.some((c) => c.action === "sink_down" && c.sink === "rsyslog"));
      assert.ok(t.shipper.siemStats().sinks[0]!.pending > 0, "events wait in the spool");
      rs = await startRsyslog({ tcpPort: port, udpPort: rs.udpPort, dir: rs.dir });
      await eventually("all 1100 events", () => new Set(testIds(docsOfSyslog(rs.received()))).size >= 1100, 60_000);
      const got = firstOccurrences(testIds(docsOfSyslog(rs.received())));
      assert.deepEqual(got, ids(0, 1100), "each event, in order (repeats after the reconnect aside)");
      await eventually("sink up", () => t.shipper.siemStats().sinks[0]!.state === "up");
      assert.ok(t.conditions.some((c) => c.action === "sink_up"));
      // The sink's own down/up events reached the receiver too, from the spool.
      await eventually("the condition events", () =>
        docsOfSyslog(rs.received()).some((d) => d.event.action === "siem_sink_down"),
      );
    } finally {
      await t.close();
      await rs.stop();
      rs.dispose();
    }
  });

  it("a receiver with a certificate the sink does not trust gets nothing; once fixed it gets everything", async () => {
    const trusted = new TestCa("Trusted CA");
    const other = new TestCa("Other CA");
    const wrong = other.issue(["localhost"]);
    let rs = await startRsyslog({ tls: { caPem: other.certPem, certPem: wrong.certPem, keyPem: wrong.keyPem } });
    const t = await testShipper([
      syslog("tls", {
        address: `127.0.0.1:${rs.tcpPort}`,
        protocol: "tls",
        tls: { caPem: trusted.certPem, serverName: "localhost" },
      }),
    ]);
    try {
      for (const e of numberedEvents(0, 50)) t.shipper.enqueue(e);
      await eventually("two refused handshakes", () => t.shipper.siemStats().sinks[0]!.failures >= 2, 30_000);
      const s = t.shipper.siemStats().sinks[0]!;
      assert.equal(s.state, "down");
      assert.match(s.lastError ?? "", /^tls /);
      assert.equal(s.delivered, 0);
      assert.deepEqual(rs.received(), []);
      await rs.stop();
      const right = trusted.issue(["localhost"]);
      rs = await startRsyslog({
        tls: { caPem: trusted.certPem, certPem: right.certPem, keyPem: right.keyPem },
        tcpPort: rs.tcpPort,
        udpPort: rs.udpPort,
        dir: rs.dir,
      });
      await eventually("the 50 events", () => testIds(docsOfSyslog(rs.received())).length >= 50, 30_000);
      assert.deepEqual(firstOccurrences(testIds(docsOfSyslog(rs.received()))), ids(0, 50));
    } finally {
      await t.close();
      await rs.stop();
      rs.dispose();
      trusted.dispose();
      other.dispose();
    }
  });

  it("beyond the spool bound the oldest events are dropped, and every drop is counted", async () => {
    let rs = await startRsyslog();
    const port = rs.tcpPort;
    await rs.stop();
    const t = await testShipper([
      syslog("rsyslog", { address: `127.0.0.1:${port}`, protocol: "tcp" }, { spool: { maxEvents: 500 } }),
    ]);
    try {
      for (const e of numberedEvents(0, 3000)) t.shipper.enqueue(e);
      await eventually("all spooled", () => t.shipper.siemStats().sinks[0]!.spooled >= 3000, 30_000);
      rs = await startRsyslog({ tcpPort: port, udpPort: rs.udpPort, dir: rs.dir });
      await eventually("spool empty", () => t.shipper.siemStats().sinks[0]!.pending === 0, 60_000);
      await eventually("received settled", () => rs.received().length >= t.shipper.siemStats().sinks[0]!.delivered);
      const s = t.shipper.siemStats().sinks[0]!;
      const received = docsOfSyslog(rs.received());
      // Every appended event is delivered or counted as dropped, exactly.
      assert.equal(received.length + s.dropped.spool_overflow, s.spooled);
      assert.equal(s.delivered, received.length);
      const got = testIds(received);
      assert.ok(got.length >= 500, `${got.length} kept`);
      assert.deepEqual(got, ids(3000 - got.length, got.length), "the newest events, in order");
    } finally {
      await t.close();
      await rs.stop();
      rs.dispose();
    }
  });

  it("no token of the test's requests reaches the receiver", async () => {
    const rs = await startRsyslog();
    const t = await testShipper([syslog("rsyslog", { address: `127.0.0.1:${rs.tcpPort}`, protocol: "tcp" })]);
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.${"s".repeat(43)}`;
    const apiKey = "pk_test_5f0c9b1e4d3a2b1c0f9e8d7c";
    try {
      const denial = examplePolicyDenials()[0]!;
      const waf = exampleWaf("deny");
      t.shipper.enqueue({
        ...denial,
        id: eventId(1),
        request: { ...denial.request!, query: `access_token=${jwt}&api_key=${apiKey}` },
      });
      t.shipper.enqueue({
        ...waf,
        id: eventId(2),
        rules: [{ ...waf.rules[0]!, matchedVars: ["REQUEST_HEADERS:Authorization"], logdata: `Bearer ${jwt}` }],
      });
      await eventually("2 events", () => testIds(docsOfSyslog(rs.received())).length >= 2, 30_000);
      const all = rs.received().join("\n");
      assert.ok(!all.includes(jwt) && !all.includes(apiKey));
      assert.ok(all.includes("[REDACTED]"));
    } finally {
      await t.close();
      await rs.stop();
      rs.dispose();
    }
  });
});
