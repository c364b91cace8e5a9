// The control plane's anomaly detection: summaries from two nodes merged into one fleet view, a
// brute force spread over both found, its decisions pushed in enforce mode (never against the
// allow list), manual blocks and unblocks pushed, malformed summaries refused and counted.
import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { ecsJson, Redactor, toEcs } from "@palisade/events";
import {
  AnomalyAction,
  AnomalyClientKind,
  type AnomalySummary,
  AnomalySummarySchema,
  type SecurityEventBatch,
  SecurityEventBatchSchema,
  type StreamConfigResponse,
} from "@palisade/proto";
import { pino } from "pino";
import { AnomalyService } from "./anomaly-service.js";
import { checkAnomaly } from "./anomaly-settings.js";

const ATTACKER = "203.0.113.7";

/** A node's 5 s summary: `failures` failed logins from `client` on route login. */
function summary(seq: number, startMs: number, client: string, failures: number): AnomalySummary {
  return create(AnomalySummarySchema, {
    version: 1,
    seq: BigInt(seq),
    startMs,
    endMs: startMs + 5000,
    records: BigInt(failures + 20),
    routes: [
      {
        routeId: "login",
        requests: BigInt(failures + 20),
        authFailures: BigInt(failures),
        failingClientsHll: new Uint8Array(256),
      },
    ],
    clients: [
      {
        kind: AnomalyClientKind.ADDRESS,
        id: client,
        routeId: "login",
        requests: BigInt(failures),
        authFailures: BigInt(failures),
      },
    ],
  });
}

function harness(mode: "detect" | "enforce", allow: string[] = []) {
  let now = 1_800_000_000_000;
  const pushed: StreamConfigResponse[] = [];
  const events: SecurityEventBatch[] = [];
  const svc = new AnomalyService({
    log: pino({ level: "silent" }),
    broadcast: (m) => pushed.push(m),
    events: { ingest: (_node, batch) => events.push(batch) },
    now: () => now,
  });
  svc.setSettings(checkAnomaly({ enabled: true, mode, allow: { cidrs: allow } }));
  /** Both nodes send a summary every 5 s with `perNode` failures from the attacker, for `seconds`. */
  const attack = (seconds: number, perNode: number, client = ATTACKER) => {
    for (let t = 0; t < seconds; t += 5) {
      svc.summary({ id: "n1", region: "eu-west" }, summary(t, now, client, perNode));
      svc.summary({ id: "n2", region: "us-east" }, summary(t, now, client, perNode));
      for (let i = 0; i < 5; i++) {
        now += 1000;
        svc.tick();
      }
    }
  };
  return {
    svc,
    pushed,
    events,
    attack,
    at: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function docs(events: SecurityEventBatch[]): Array<{ palisade: Record<string, any>; event: Record<string, any> }> {
  return events.flatMap((b) => b.events.map((e) => JSON.parse(e.ecsJson)));
}

test("a brute force spread over two nodes (6 failed logins/min each) is one fleet detection; enforce pushes a deny", () => {
  const h = harness("enforce");
  h.attack(60, 1);
  const found = h.svc.detections().filter((d) => d.subject.id === ATTACKER);
  assert.ok(found.length > 0, "detected");
  assert.equal(found[0]!.kind, "brute_force");
  assert.match(found[0]!.explanation, /failed logins\/min from 203\.0\.113\.7/);
  const decisions = h.svc.decisions();
  assert.deepEqual(
    decisions.map((d) => [d.action, d.target.type, d.target.id]),
    [["deny", "address", ATTACKER]],
  );
  const push = h.pushed.find((m) => m.kind.case === "anomalyDecisions");
  assert.ok(push && push.kind.case === "anomalyDecisions");
  assert.equal(push.kind.value.full, false);
  assert.equal(push.kind.value.decisions[0]?.action, AnomalyAction.DENY);
  assert.equal(push.kind.value.decisions[0]?.targetId, ATTACKER);
  const d = docs(h.events);
  assert.ok(d.some((e) => e.palisade.anomaly !== undefined && /203\.0\.113\.7/.test(e.palisade.anomaly?.explanation)));
  assert.ok(d.some((e) => e.palisade.decision?.action === "deny" && e.palisade.decision?.enforced === true));
  // A node that connects later gets the whole list.
  const w = h.svc.welcome();
  assert.ok(w.kind.case === "anomalyDecisions" && w.kind.value.full && w.kind.value.decisions.length === 1);
});

test("detect mode: the detection and the would-be decision are events, nothing is pushed", () => {
  const h = harness("detect");
  h.attack(60, 1);
  assert.ok(h.svc.detections().length > 0);
  assert.equal(h.svc.decisions().length, 0);
  assert.equal(h.pushed.length, 0);
  const would = docs(h.events).find((e) => e.palisade.decision?.action === "deny");
  assert.equal(would?.palisade.decision?.enforced, false);
  // Nothing was refused: the event says what enforce mode would have done, never "denied".
  assert.equal(would?.event.action, "would_deny");
  assert.deepEqual(would?.event.type, ["info"]);
  assert.equal(would?.event.outcome, "unknown");
});

test("an allow-listed address is detected but never decided against", () => {
  const h = harness("enforce", ["203.0.113.0/24"]);
  h.attack(60, 1);
  assert.ok(h.svc.detections().some((d) => d.subject.id === ATTACKER));
  assert.equal(h.svc.decisions().length, 0);
  assert.equal(h.pushed.length, 0);
});

test("manual block and unblock are pushed to every node, and expire by TTL with a lifted push", () => {
  const h = harness("enforce");
  const d = h.svc.block({ type: "consumer", id: "partner-9" }, "throttle", 2, "scraping by hand", 0.5);
  assert.equal(d.status, 429);
  assert.equal(h.svc.decisions().length, 1);
  assert.ok(h.svc.unblock({ type: "consumer", id: "partner-9" }));
  assert.equal(h.svc.unblock({ type: "consumer", id: "partner-9" }), false);
  const kinds = h.pushed.map((m) => (m.kind.case === "anomalyDecisions" ? m.kind.value : undefined));
  assert.equal(kinds[0]?.decisions[0]?.targetId, "partner-9");
  assert.deepEqual(kinds[1]?.lifted, ["consumer:partner-9"]);
  h.svc.block({ type: "address", id: "198.51.100.1" }, "deny", 2, "short");
  h.attack(5, 0, "192.0.2.1");
  const last = h.pushed.at(-1);
  assert.ok(last?.kind.case === "anomalyDecisions");
  assert.deepEqual(last.kind.value.lifted, ["address:198.51.100.1"]);
  assert.ok(docs(h.events).some((e) => e.palisade.decision?.action === "lifted"));
});

test("malformed summaries are refused with their code and counted, never merged", () => {
  const h = harness("enforce");
  const node = { id: "n1", region: "eu-west" };
  const bad = summary(1, h.at(), ATTACKER, 3);
  bad.version = 9;
  assert.equal(h.svc.summary(node, bad), "SUMMARY_MALFORMED");
  const cms = summary(2, h.at(), ATTACKER, 3);
  cms.failureIndex = [5, 3];
  cms.failureCount = [1, 1];
  assert.equal(h.svc.summary(node, cms), "SUMMARY_MALFORMED");
  const huge = summary(3, h.at(), ATTACKER, 3);
  huge.routes[0]!.requests = 2n ** 60n;
  assert.equal(h.svc.summary(node, huge), "SUMMARY_MALFORMED");
  const many = summary(4, h.at(), ATTACKER, 3);
  many.clients = Array.from({ length: 1025 }, () => many.clients[0]!);
  assert.equal(h.svc.summary(node, many), "SUMMARY_TOO_LARGE");
  const hll = summary(5, h.at(), ATTACKER, 3);
  hll.routes[0]!.failingClientsHll = new Uint8Array(3);
  assert.equal(h.svc.summary(node, hll), "SUMMARY_MALFORMED");
  assert.deepEqual(h.svc.counters().refused, { SUMMARY_MALFORMED: 4, SUMMARY_TOO_LARGE: 1 });
  assert.equal(h.svc.counters().summaries, 0);
  assert.equal(h.svc.summary(node, summary(6, h.at(), ATTACKER, 3)), undefined);
  assert.equal(h.svc.counters().summaries, 1);
});

test("a node's own detection (a payload: only nodes see body sizes per client) is listed and decided on, once", () => {
  const h = harness("enforce");
  const doc = toEcs(
    {
      category: "anomaly",
      action: "detected",
      id: "ev-1",
      time: h.at(),
      route: "orders",
      detector: "payload",
      detectionId: "payload:node:n1:address:192.0.2.44:1",
      level: "node",
      scope: "n1",
      subject: { type: "address", id: "192.0.2.44" },
      score: 2,
      observed: 6,
      baseline: 0,
      threshold: 3,
      unit: "unusual requests/min",
      explanation: "6 unusual requests/min from 192.0.2.44 on route orders",
      mode: "enforce",
    },
    { node: "n1", region: "eu-west", version: "1" },
    new Redactor(),
  );
  const batch = create(SecurityEventBatchSchema, { events: [{ id: "ev-1", ecsJson: ecsJson(doc) }] });
  h.svc.nodeEvents({ id: "n1", region: "eu-west" }, batch);
  h.svc.nodeEvents({ id: "n1", region: "eu-west" }, batch);
  const found = h.svc.detections();
  assert.equal(found.length, 1);
  assert.deepEqual([found[0]!.kind, found[0]!.level, found[0]!.scope], ["payload", "node", "n1"]);
  assert.deepEqual(
    h.svc.decisions().map((d) => [d.action, d.target.id]),
    [["deny", "192.0.2.44"]],
  );
  // Not a detection: ignored; malformed JSON: ignored.
  const other = create(SecurityEventBatchSchema, {
    events: [{ id: "ev-2", ecsJson: '{"palisade":{"category":"anomaly"' }],
  });
  h.svc.nodeEvents({ id: "n1", region: "eu-west" }, other);
  assert.equal(h.svc.detections().length, 1);
});

test("an operator's unblock holds against a node's detection that fired before it and arrives after", () => {
  const h = harness("enforce");
  const nodeEvent = (id: string, time: number) => {
    const doc = toEcs(
      {
        category: "anomaly",
        action: "detected",
        id,
        time,
        route: "login",
        detector: "brute_force",
        detectionId: `brute_force:node:n1:address:192.0.2.45:${time}`,
        level: "node",
        scope: "n1",
        subject: { type: "address", id: "192.0.2.45" },
        score: 3,
        observed: 30,
        baseline: 0,
        threshold: 10,
        unit: "failed logins/min",
        explanation: "30 failed logins/min from 192.0.2.45 on route login",
        mode: "enforce",
      },
      { node: "n1", region: "eu-west", version: "1" },
      new Redactor(),
    );
    return create(SecurityEventBatchSchema, { events: [{ id, ecsJson: ecsJson(doc) }] });
  };
  const fired = h.at();
  h.svc.nodeEvents({ id: "n1", region: "eu-west" }, nodeEvent("ev-a", fired));
  assert.equal(h.svc.decisions().length, 1);
  h.advance(2_000);
  assert.ok(h.svc.unblock({ type: "address", id: "192.0.2.45" }));
  // The other node's detection of the same attack, made before the unblock, arrives late.
  h.advance(3_000);
  h.svc.nodeEvents({ id: "n1", region: "eu-west" }, nodeEvent("ev-b", fired + 500));
  assert.deepEqual(h.svc.decisions(), [], "a detection older than the unblock does not re-impose it");
  // A detection after the unblock is a new attack: decided on again.
  h.svc.nodeEvents({ id: "n1", region: "eu-west" }, nodeEvent("ev-c", h.at()));
  assert.deepEqual(
    h.svc.decisions().map((d) => d.target.id),
    ["192.0.2.45"],
  );
});
