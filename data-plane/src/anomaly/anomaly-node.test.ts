// A proxy with anomaly detection wired as a node wires it: every request becomes a record the
// detector worker reads (its summary names the route and the failed logins), the worker's
// failure never touches traffic (restarted, counted), and the decisions the control plane
// pushes deny or throttle a client first in request_filter, with the stable codes and
// Retry-After.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import {
  AnomalyAction,
  type AnomalyDecision,
  AnomalyDecisionUpdateSchema,
  AnomalyMode,
  AnomalySettingsSchema,
  type AnomalySummary,
} from "@palisade/proto";
import { compileAnomaly } from "../config/compile-anomaly.js";
import { CompileError } from "../config/compile-error.js";
import { log, route, snapshot, upstream } from "../test/fixtures.js";
import { codeOf, send, TestProxy, TestUpstream } from "../test/harness.js";
import { AnomalyNode } from "./anomaly-node.js";
import { decisionChange } from "./decision-proto.js";
import { summaryMessage } from "./summary-proto.js";

const app = new TestUpstream("app");
const summaries: AnomalySummary[] = [];
const node = new AnomalyNode({
  nodeId: "n1",
  region: "eu-west",
  log,
  summaryIntervalMs: 100,
  onSummary: (bytes) => summaries.push(summaryMessage(bytes)),
});
const proxy = new TestProxy({ recorders: [node.recorder], guards: [node.guard] });

async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 2400; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never: ${what}`);
}

function decision(action: AnomalyAction, id: string, ttlMs: number, rate = 0): AnomalyDecision {
  const now = BigInt(Date.now());
  return {
    $typeName: "palisade.sync.v1.AnomalyDecision",
    id: `${action}:${id}`,
    action,
    targetType: "address",
    targetId: id,
    ratePerS: rate,
    createdAtMs: now,
    expiresAtMs: now + BigInt(ttlMs),
    kind: "manual",
    detectionId: "",
    explanation: "test",
  };
}

function push(full: boolean, decisions: AnomalyDecision[], lifted: string[] = []): void {
  const u = create(AnomalyDecisionUpdateSchema, { full, decisions, lifted, sentAtMs: BigInt(Date.now()) });
  const c = decisionChange(u);
  node.guard.apply(c.full, c.decisions, c.lifted);
}

before(async () => {
  await app.start();
  node.start();
  const s = snapshot({
    upstreams: [upstream("app", [app.address])],
    routes: [route("login", "app", ["/login"]), route("other", "app", ["/other"])],
  });
  s.anomaly = [create(AnomalySettingsSchema, { id: "global", mode: AnomalyMode.ENFORCE })];
  proxy.apply(s);
  node.configure(proxy.holder.table!);
  await proxy.start();
});

after(async () => {
  await proxy.stop();
  await node.stop();
  await app.stop();
});

test("each request is one record: the worker's summary counts the route's requests", async () => {
  summaries.length = 0;
  for (let i = 0; i < 12; i++) assert.equal((await send(proxy.port, `/login/${i}`)).status, 200);
  // The requests may spread over several 100 ms summaries: their counts add up.
  const counted = () =>
    summaries
      .flatMap((s) => s.routes)
      .filter((r) => r.routeId === "login")
      .reduce((n, r) => n + r.requests, 0n);
  await eventually("summaries counting every request", () => (counted() >= 12n ? true : undefined));
  assert.equal(counted(), 12n);
  assert.ok(node.stats().enabled);
  assert.equal(node.stats().dropped, 0);
});

test("a detector worker that dies is restarted and counted; traffic never notices", async () => {
  const before = node.stats().restarts;
  await node.host.kill();
  for (let i = 0; i < 20; i++) assert.equal((await send(proxy.port, `/other/${i}`)).status, 200);
  await eventually("the restart", () => (node.stats().restarts > before ? true : undefined));
  summaries.length = 0;
  await send(proxy.port, "/other/after");
  await eventually("summaries again", () => summaries.find((s) => s.routes.some((r) => r.routeId === "other")));
});

test("a pushed deny answers 403 ANOMALY_DENIED with Retry-After, before routing; lifting it serves again", async () => {
  push(false, [decision(AnomalyAction.DENY, "127.0.0.1", 60_000)]);
  const denied = await send(proxy.port, "/login/x");
  assert.equal(denied.status, 403);
  assert.equal(codeOf(denied), "ANOMALY_DENIED");
  const retry = Number(denied.headers["retry-after"]);
  assert.ok(retry >= 59 && retry <= 60, `Retry-After ${retry}`);
  // Before routing: a path no route matches is refused the same way, not 404.
  assert.equal((await send(proxy.port, "/nowhere")).status, 403);
  push(false, [], ["address:127.0.0.1"]);
  assert.equal((await send(proxy.port, "/login/x")).status, 200);
});

test("a throttle lets its rate through, then 429 ANOMALY_THROTTLED with Retry-After; a full update replaces all", async () => {
  push(false, [decision(AnomalyAction.THROTTLE, "127.0.0.1", 60_000, 0.2)]);
  assert.equal((await send(proxy.port, "/login/a")).status, 200);
  const r = await send(proxy.port, "/login/b");
  assert.equal(r.status, 429);
  assert.equal(codeOf(r), "ANOMALY_THROTTLED");
  assert.equal(r.headers["retry-after"], "5");
  push(true, [decision(AnomalyAction.DENY, "192.0.2.1", 60_000)]);
  assert.equal((await send(proxy.port, "/login/c")).status, 200);
  assert.equal(node.guard.size, 1);
  push(true, []);
  assert.equal(node.guard.size, 0);
});

test("decision times move onto the node's clock: a control plane an hour behind still means 30 s here", () => {
  const cp = Date.now() - 3_600_000;
  const d = decision(AnomalyAction.DENY, "198.51.100.4", 30_000);
  const u = create(AnomalyDecisionUpdateSchema, {
    decisions: [{ ...d, createdAtMs: BigInt(cp), expiresAtMs: BigInt(cp + 30_000) }],
    sentAtMs: BigInt(cp),
  });
  const got = decisionChange(u).decisions[0]!;
  assert.ok(Math.abs(got.expiresAtMs - (Date.now() + 30_000)) < 5_000);
  assert.equal(got.retryAfterS, 30);
});

test("the node's compile refuses a bad threshold with the field, as the control plane does at publish", () => {
  const bad = create(AnomalySettingsSchema, {
    id: "global",
    thresholdsJson: JSON.stringify({ routes: { login: { bruteForce: { ratio: 0 } } } }),
  });
  assert.throws(
    () => compileAnomaly(bad, null),
    (e: unknown) =>
      e instanceof CompileError &&
      e.resource === "anomaly/global" &&
      /routes\.login\.bruteForce\.ratio/.test(e.message),
  );
  assert.throws(() => compileAnomaly(create(AnomalySettingsSchema, { id: "global", thresholdsJson: "[1]" }), null));
  assert.equal(compileAnomaly(undefined, null), null);
});
