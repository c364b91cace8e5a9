import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import type { PalisadeEvent } from "../event.js";
import { exampleAnomaly, examplePolicyDenials, exampleWaf } from "../examples.js";
import { parseRuntestsIni } from "./runtests-ini.js";
import { remotedLine, runtestsIni, wazuhCases } from "./wazuh-cases.js";
import { WazuhDecoders } from "./wazuh-decoders.js";
import { WazuhRules } from "./wazuh-rules.js";
import { parseWazuhXml } from "./wazuh-xml.js";

// From events/dist/wazuh/ to the repository's deploy/wazuh/.
const dir = new URL("../../../deploy/wazuh/", import.meta.url);
const read = (f: string) => readFileSync(new URL(f, dir), "utf8");

let decoders: WazuhDecoders;
const rules = () => new WazuhRules([parseWazuhXml(read("palisade_rules.xml"))]);

before(() => {
  decoders = new WazuhDecoders([parseWazuhXml(read("palisade_decoders.xml"))]);
});

function run(rs: WazuhRules, e: PalisadeEvent, time: number) {
  const line = remotedLine(e);
  return rs.evaluate(decoders.decode(line), line, time);
}

describe("deploy/wazuh decoder", () => {
  it("decodes Palisade's syslog message into the ECS fields and srcip", () => {
    const d = decoders.decode(remotedLine(exampleWaf("deny")))!;
    assert.equal(d.decoder, "palisade");
    assert.equal(d.fields.get("srcip"), "203.0.113.7");
    assert.equal(d.fields.get("source.ip"), "203.0.113.7");
    assert.equal(d.fields.get("event.action"), "waf_blocked");
    assert.equal(d.fields.get("event.severity"), "2");
    assert.equal(d.fields.get("palisade.waf.rule_ids"), "942100,949110");
    assert.equal(d.fields.get("labels.route"), "shop");
    assert.equal(d.fields.get("palisade.waf.anomaly_score.inbound"), "10");
  });

  it("leaves other programs' RFC 5424 messages alone", () => {
    assert.equal(decoders.decode("1 2026-01-15T10:00:00.000Z node-1 sshd 42 - - Accepted password for bob"), null);
  });
});

describe("deploy/wazuh rules", () => {
  for (const c of wazuhCases()) {
    it(`${c.title} fires ${c.rule} at level ${c.level}`, () => {
      const r = run(rules(), c.event, 1000);
      assert.equal(r?.rule.id, c.rule, r?.description);
      assert.equal(r?.rule.level, c.level);
      assert.ok(!r.description.includes("$("), r.description);
    });
  }

  it("the 10th authentication failure from one address in 60 s fires 100150; other addresses do not count", () => {
    const rs = rules();
    const fail = (client: string) => ({ ...examplePolicyDenials({ client })[0]! });
    const seen: number[] = [];
    for (let i = 0; i < 9; i++) {
      seen.push(run(rs, fail("203.0.113.7"), 100 + i)!.rule.id);
      seen.push(run(rs, fail("198.51.100.9"), 100 + i)!.rule.id);
    }
    assert.deepEqual(new Set(seen), new Set([100101]));
    const tenth = run(rs, fail("203.0.113.7"), 110)!;
    assert.equal(tenth.rule.id, 100150);
    assert.equal(tenth.rule.level, 10);
    assert.equal(tenth.description, "Palisade: 10 authentication failures in 60 s from 203.0.113.7.");
    // The next one starts a new count.
    assert.equal(run(rs, fail("203.0.113.7"), 111)!.rule.id, 100101);
  });

  it("failures spread over more than the timeframe do not fire 100150", () => {
    const rs = rules();
    for (let i = 0; i < 12; i++) assert.equal(run(rs, examplePolicyDenials()[0]!, i * 10)!.rule.id, 100101);
  });

  it("20 other denials from one address in 60 s fire 100151 (authentication failures are counted by 100150 only)", () => {
    const rs = rules();
    const limited = examplePolicyDenials().find((e) => e.type === "rate_limited")!;
    const auth = examplePolicyDenials()[0]!;
    for (let i = 0; i < 5; i++) run(rs, auth, 200);
    for (let i = 0; i < 19; i++) assert.equal(run(rs, limited, 200 + i)!.rule.id, 100107);
    assert.equal(run(rs, limited, 220)!.rule.id, 100151);
  });

  it("an anomaly about a client after 2 WAF matches of that client within 10 minutes fires 100350", () => {
    const rs = rules();
    run(rs, exampleWaf("deny"), 1000);
    run(rs, exampleWaf("deny", { client: "198.51.100.9" }), 1001);
    assert.equal(run(rs, exampleAnomaly(), 1002)!.rule.id, 100303, "one WAF match is not enough");
    run(rs, exampleWaf("pass"), 1100);
    const r = run(rs, exampleAnomaly(), 1200)!;
    assert.equal(r.rule.id, 100350);
    assert.equal(r.rule.level, 13);
  });

  it("WAF matches older than 10 minutes, or of another client, do not fire 100350", () => {
    const rs = rules();
    run(rs, exampleWaf("deny"), 0);
    run(rs, exampleWaf("deny"), 10);
    run(rs, exampleWaf("deny", { client: "198.51.100.9" }), 700);
    run(rs, exampleWaf("deny", { client: "198.51.100.9" }), 701);
    assert.equal(run(rs, exampleAnomaly(), 702)!.rule.id, 100303);
  });
});

describe("deploy/wazuh/palisade_tests.ini (runtests.py format)", () => {
  it("is the one wazuh-cases.ts makes (npm run wazuh:ini -w @palisade/events)", () => {
    assert.equal(read("palisade_tests.ini"), runtestsIni());
  });

  it("every case passes, and it covers every single-event rule that alerts", () => {
    const cases = parseRuntestsIni(read("palisade_tests.ini"));
    const covered = new Set<number>();
    for (const c of cases) {
      for (const log of c.logs) {
        const r = rules().evaluate(decoders.decode(log.line), log.line, 0);
        assert.equal(r?.rule.id === c.rule && r.rule.level === c.alert, log.pass, `[${c.section}] ${log.name}`);
        assert.equal(decoders.decode(log.line)?.decoder, c.decoder);
      }
      covered.add(c.rule);
    }
    const rs = rules();
    const composite = new Set([100150, 100151, 100350]);
    const alerting = rs
      .ids()
      .filter((id) => rs.rule(id)!.level > 0 && !composite.has(id) && rs.rule(id)!.children.length === 0);
    assert.deepEqual(
      alerting.filter((id) => !covered.has(id)),
      [],
    );
  });
});
