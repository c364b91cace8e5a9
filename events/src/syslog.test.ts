import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type EcsSecurityEvent, toEcs } from "./ecs.js";
import { exampleEvents, examplePolicyDenials, exampleWaf } from "./examples.js";
import { Redactor } from "./redact.js";
import { FACILITY } from "./severity.js";
import { formatSyslog, parseSyslog } from "./syslog.js";

const observer = { node: "node-1", region: "eu-west", version: "0.1.0" };
const red = new Redactor();

describe("formatSyslog", () => {
  for (const e of exampleEvents()) {
    const doc = toEcs(e, observer, red);
    it(`${doc.event.action}: an RFC 5424 message whose PRI, header and MSG say what the document says`, () => {
      const line = formatSyslog(doc, { hostname: "node-1", procId: 4242, facility: "local3" });
      const m = parseSyslog(line);
      assert.equal(m.version, 1);
      assert.equal(m.facility, FACILITY.local3);
      assert.equal(m.severity, doc.event.severity);
      assert.equal(m.timestamp, doc["@timestamp"]);
      assert.equal(m.hostname, "node-1");
      assert.equal(m.appName, "palisade");
      assert.equal(m.procId, "4242");
      assert.equal(m.msgId, doc.event.action);
      assert.equal(m.structuredData, null);
      assert.deepEqual(JSON.parse(m.msg), doc);
      assert.ok(/^[\x20-\x7e]+$/.test(line), "one line of printable ASCII");
    });
  }

  it("PRI is facility * 8 + severity: local0 and an error is <131>", () => {
    const doc = toEcs({ ...examplePolicyDenials()[3]! }, observer, red); // auth_unavailable: error (3)
    assert.ok(formatSyslog(doc, { hostname: "n" }).startsWith("<131>1 "));
  });

  it("header fields keep to PRINTUSASCII and their RFC 5424 lengths; empty ones are the NILVALUE", () => {
    const doc = toEcs(examplePolicyDenials()[0]!, observer, red);
    const m = parseSyslog(formatSyslog(doc, { hostname: "edge node ü", appName: "a".repeat(60), procId: "" }));
    assert.equal(m.hostname, "edge_node__");
    assert.equal(m.appName, "a".repeat(48));
    assert.equal(m.procId, null);
  });

  it("a message never passes maxBytes: the JSON is shortened, still valid, marked truncated", () => {
    const big = exampleWaf("deny");
    const rules = [
      ...Array.from({ length: 40 }, (_, i) => ({ ...big.rules[0]!, id: 942000 + i, msg: "m".repeat(300) })),
      big.rules[1]!,
    ];
    const doc = toEcs({ ...big, rules }, observer, red);
    const line = formatSyslog(doc, { hostname: "node-1", maxBytes: 2048 });
    assert.ok(Buffer.byteLength(line) <= 2048, `${Buffer.byteLength(line)} bytes`);
    const back = JSON.parse(parseSyslog(line).msg) as EcsSecurityEvent;
    assert.equal(back.palisade.truncated, true);
    assert.equal(back.event.id, big.id);
  });
});

describe("parseSyslog", () => {
  it("refuses what is not RFC 5424, naming it", () => {
    assert.throws(() => parseSyslog("<14>Jan  1 00:00:00 host app: msg"), /not an RFC 5424 message/);
    assert.throws(() => parseSyslog("<192>1 - - - - - -"), /PRI 192/);
  });

  it("reads structured data and a nil MSG", () => {
    const m = parseSyslog(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"]',
    );
    assert.equal(m.facility, 20);
    assert.equal(m.severity, 5);
    assert.equal(m.structuredData, '[exampleSDID@32473 iut="3"]');
    assert.equal(m.msg, "");
  });
});
