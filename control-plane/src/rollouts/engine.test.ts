import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { RolloutStore } from "../store/rollout-store.js";
import { Store } from "../store/store.js";
import { type EngineReport, RolloutEngine } from "./engine.js";
import { toStartSpec } from "./start-request.js";
import type { FleetNode, RolloutRecord } from "./types.js";

const log = pino({ level: "silent" });
const T0 = Date.parse("2026-12-01T10:00:00.000Z");

/**
 * An engine over a real (in-memory) store with a fake clock, a fake inventory and fake reports.
 * Nodes "ACK" by taking the version the engine wants them on (`sync()`), as the sync server
 * would make them; `traffic()` adds one 1-second report per node on the version it holds.
 */
async function world(
  regions: Record<string, string> = { "eu-1": "eu-west", "eu-2": "eu-west", "us-1": "us-east", "ap-1": "ap-south" },
) {
  const store = await Store.open(":memory:");
  const rollouts = new RolloutStore(store);
  await rollouts.setStable(1, new Date(T0 - 60_000).toISOString());
  const clock = { now: T0 };
  const fleet = new Map<string, FleetNode>();
  const join = (id: string, region: string, applied = 1) =>
    fleet.set(id, {
      id,
      region,
      labels: {},
      connected: true,
      applied_version: applied,
      nacked_version: null,
      blocked_version: null,
    });
  for (const [id, region] of Object.entries(regions)) join(id, region);
  const reports = new Map<string, EngineReport[]>();
  const told: Array<readonly string[] | "all"> = [];
  /** Every version any node ever applied, by node (what "never touched" is checked against). */
  const held = new Map<string, Set<number>>([...fleet.keys()].map((id) => [id, new Set([1])]));
  const make = async () => {
    const e = await RolloutEngine.open({
      store: rollouts,
      fleet: async () => [...fleet.values()],
      reports: async (since) => new Map([...reports].map(([id, l]) => [id, l.filter((p) => p.at >= since)])),
      versionExists: async (n) => n >= 1 && n <= 3,
      log,
      now: () => clock.now,
    });
    e.onAssign((n) => told.push(n));
    return e;
  };
  const w = {
    store,
    rollouts,
    clock,
    fleet,
    reports,
    told,
    held,
    engine: await make(),
    /** A new engine on the same database: a control-plane restart. */
    async restart() {
      w.engine.stop();
      w.engine = await make();
    },
    join,
    /** Every connected node takes its desired version (the sync server's job), unless it refuses it. */
    async sync() {
      for (const n of fleet.values()) {
        if (!n.connected) continue;
        const want = await w.engine.desiredFor(n);
        if (want !== n.applied_version && want !== n.nacked_version) {
          fleet.set(n.id, { ...n, applied_version: want });
          if (!held.has(n.id)) held.set(n.id, new Set());
          held.get(n.id)!.add(want);
        }
      }
    },
    /** One second passes: each node reports 1 s of traffic at `rps`, with `bad(node)` of it answered 5xx. */
    async second(rps = 50, bad: (n: FleetNode) => number = () => 0) {
      clock.now += 1000;
      for (const n of fleet.values()) {
        const list = reports.get(n.id) ?? [];
        list.push({
          at: clock.now,
          interval_ms: 1000,
          requests_per_s: rps,
          status_5xx_per_s: bad(n),
          latency_p99_ms: 12,
          security_events: {},
          config_version: n.applied_version,
        });
        reports.set(n.id, list);
      }
      await w.engine.tick();
      await w.sync();
    },
    /** Runs seconds until `done` holds (at most `max`). */
    async until(done: () => boolean | Promise<boolean>, max = 600, bad?: (n: FleetNode) => number) {
      for (let i = 0; i < max && !(await done()); i++) await w.second(50, bad);
      assert.ok(await done(), "condition not reached");
    },
    async get(id: string): Promise<RolloutRecord> {
      return (await w.engine.get(id))!;
    },
    async events(id: string): Promise<string[]> {
      return (await w.rollouts.events(id)).map((e) => e.type);
    },
  };
  return w;
}

const gates = [{ metric: "error_rate_5xx", threshold: 0.05, min_requests: 50 }];

test("a good version walks canary → each region → all, and becomes the stable version", async () => {
  const w = await world();
  const r0 = await w.engine.create(toStartSpec({ version: 2, strategy: "default", soak_s: 10, gates }), "ops");
  assert.equal(r0.state, "running");
  assert.equal(r0.stages[0]!.state, "running");
  assert.equal(Object.keys(r0.nodes).length, 1, "the canary alone is assigned the target");
  const canary = r0.stages[0]!.nodes[0]!;
  assert.deepEqual(w.told, [[canary]], "the sync server is told to offer the canary");
  await w.sync();
  assert.equal(w.fleet.get(canary)!.applied_version, 2);
  assert.equal([...w.fleet.values()].filter((n) => n.applied_version === 2).length, 1);
  await w.until(async () => (await w.get(r0.id)).state !== "running");
  const r = await w.get(r0.id);
  assert.equal(r.state, "succeeded");
  assert.deepEqual(
    r.stages.map((s) => s.state),
    r.stages.map(() => "passed"),
  );
  assert.equal(r.stages.length, 5, "canary, 3 regions, all");
  assert.equal(w.engine.stable().version, 2);
  assert.ok([...w.fleet.values()].every((n) => n.applied_version === 2));
  const types = await w.events(r.id);
  assert.equal(types[0], "started");
  assert.equal(types.at(-1), "succeeded");
  assert.equal(types.filter((t) => t === "stage_passed").length, 5);
  // The canary's region comes right after the canary.
  assert.equal(r.stages[1]!.name, `region ${w.fleet.get(canary)!.region}`);
  assert.ok(r.stages[2]!.started_at! >= r.stages[1]!.finished_at!, "one stage at a time");
});

test("a 5xx gate fails at the canary: only the canary was touched, and it is rolled back", async () => {
  const w = await world();
  const r0 = await w.engine.create(toStartSpec({ version: 2, strategy: "default", soak_s: 30, gates }), "ops");
  const canary = r0.stages[0]!.nodes[0]!;
  await w.sync();
  // The new version breaks: half the canary's requests fail.
  await w.until(
    async () => (await w.get(r0.id)).state !== "running",
    60,
    (n) => (n.applied_version === 2 ? 25 : 0),
  );
  const r = await w.get(r0.id);
  assert.equal(r.state, "rolled_back");
  assert.equal(r.stages[0]!.state, "failed");
  assert.deepEqual(
    r.stages.slice(1).map((s) => s.state),
    r.stages.slice(1).map(() => "skipped"),
  );
  const failed = (await w.rollouts.events(r.id)).find((e) => e.type === "gate_failed")!;
  assert.match(failed.message, /error_rate_5xx 0\.5/);
  assert.ok(Date.parse(failed.at) < Date.parse(r0.stages[0]!.started_at!) + 30_000, "failed before the soak ended");
  assert.equal(w.engine.desiredVersionOf(canary), 1);
  for (const [id, versions] of w.held) if (id !== canary) assert.deepEqual([...versions], [1], `${id} never held v2`);
  assert.equal(w.fleet.get(canary)!.applied_version, 1, "the canary took its previous version back");
  await w.second();
  assert.ok((await w.get(r.id)).rollback_completed_at, "rollback completion noted");
  assert.ok((await w.events(r.id)).includes("rollback_complete"));
  assert.equal(w.engine.stable().version, 1);
});

test("a NACK fails the stage; with on_failure pause it waits for an operator, and abort rolls back", async () => {
  const w = await world({ "eu-1": "eu-west", "eu-2": "eu-west" });
  const spec = toStartSpec({
    version: 2,
    on_failure: "pause",
    strategy: { stages: [{ name: "eu", selector: { regions: ["eu-west"] }, soak_s: 5 }] },
  });
  const r0 = await w.engine.create(spec, "ops");
  w.fleet.set("eu-1", { ...w.fleet.get("eu-1")!, nacked_version: 2 });
  await w.sync();
  await w.second();
  const r = await w.get(r0.id);
  assert.equal(r.state, "paused");
  assert.equal(r.stages[0]!.state, "failed");
  assert.match(r.pause_reason!, /eu-1 refused \(NACK\) version 2/);
  assert.deepEqual((await w.events(r.id)).slice(-2), ["nack", "paused"]);
  await assert.rejects(() => w.engine.act(r.id, "pause", "ops"), { code: "ROLLOUT_STATE" });
  const aborted = await w.engine.act(r.id, "abort", "ops");
  assert.equal(aborted.state, "aborted");
  await w.sync();
  assert.equal(w.fleet.get("eu-2")!.applied_version, 1, "eu-2 (which took v2) is back on v1");
  assert.equal((await w.rollouts.events(r.id)).find((e) => e.type === "aborted")!.who, "ops");
});

test("a NACK for a node fault fails the stage too, and the event says so (a resync may help)", async () => {
  const w = await world({ "eu-1": "eu-west" });
  const spec = toStartSpec({
    version: 2,
    on_failure: "pause",
    strategy: { stages: [{ name: "eu", selector: { regions: ["eu-west"] }, soak_s: 5 }] },
  });
  const r0 = await w.engine.create(spec, "ops");
  w.fleet.set("eu-1", { ...w.fleet.get("eu-1")!, nacked_version: 2, nacked_kind: "node_fault" });
  await w.sync();
  await w.second();
  const r = await w.get(r0.id);
  assert.equal(r.state, "paused");
  assert.match(r.pause_reason!, /eu-1 could not apply \(NACK, node fault: resync or restart it\) version 2/);
});

test("one active rollout per fleet; a deploy to all is refused while it runs", async () => {
  const w = await world();
  const r = await w.engine.create(toStartSpec({ version: 2, strategy: "all-now" }), "ops");
  await assert.rejects(() => w.engine.create(toStartSpec({ version: 3, strategy: "all-now" }), "ops"), {
    code: "ROLLOUT_ACTIVE",
  });
  await assert.rejects(
    () => w.engine.deployToAll(3),
    (e: Error) => e.message.includes(r.id),
  );
  await assert.rejects(() => w.engine.create(toStartSpec({ version: 9, strategy: "all-now" }), "ops"), {
    code: "ROLLOUT_ACTIVE",
  });
  await w.sync();
  await w.second();
  assert.equal((await w.get(r.id)).state, "succeeded", "all-now: passes once every node ACKed");
  await assert.rejects(() => w.engine.create(toStartSpec({ version: 9, strategy: "all-now" }), "ops"), {
    code: "VERSION_NOT_FOUND",
    field: "version",
  });
  await assert.rejects(() => w.engine.act("nope", "pause", "ops"), { code: "ROLLOUT_NOT_FOUND" });
});

test("a rollout survives a restart: the soak is measured from stored timestamps, a paused one stays paused", async () => {
  const w = await world({ "eu-1": "eu-west", "us-1": "us-east" });
  const spec = toStartSpec({
    version: 2,
    strategy: {
      stages: [
        { name: "eu", selector: { regions: ["eu-west"] }, soak_s: 20, gates },
        { name: "us", selector: { regions: ["us-east"] }, soak_s: 20, gates },
      ],
    },
  });
  const r0 = await w.engine.create(spec, "ops");
  await w.sync();
  await w.second();
  const soaking = (await w.get(r0.id)).stages[0]!;
  assert.equal(soaking.state, "soaking");
  for (let i = 0; i < 10; i++) await w.second();
  await w.restart();
  assert.equal(w.engine.active()?.id, r0.id, "the new engine resumes the stored rollout");
  await w.until(async () => (await w.get(r0.id)).stages[0]!.state === "passed");
  const passedAt = Date.parse((await w.get(r0.id)).stages[0]!.finished_at!);
  assert.ok(passedAt - Date.parse(soaking.acked_at!) <= 21_000, "no second full soak after the restart");
  // Pause in the second stage, restart: still paused, nothing moves.
  await w.second();
  await w.engine.act(r0.id, "pause", "ops");
  const paused = await w.get(r0.id);
  await w.restart();
  for (let i = 0; i < 60; i++) await w.second();
  assert.equal((await w.get(r0.id)).state, "paused");
  assert.equal((await w.get(r0.id)).stages[1]!.state, paused.stages[1]!.state);
  const resumed = await w.engine.act(r0.id, "resume", "ops");
  assert.equal(resumed.state, "running");
  assert.ok(
    Date.parse(resumed.stages[1]!.ends_at!) >= Date.parse(paused.stages[1]!.ends_at!) + 60_000,
    "the soak's end moved by the paused time",
  );
  await w.until(async () => (await w.get(r0.id)).state === "succeeded");
});

test("promote skips the remaining soak; inconclusive traffic pauses after the wait", async () => {
  const w = await world({ "eu-1": "eu-west", "us-1": "us-east" });
  const spec = toStartSpec({
    version: 2,
    inconclusive_wait_s: 5,
    strategy: {
      stages: [
        { name: "eu", selector: { regions: ["eu-west"] }, soak_s: 3600, gates },
        { name: "us", selector: { regions: ["us-east"] }, soak_s: 2, gates },
      ],
    },
  });
  const r0 = await w.engine.create(spec, "ops");
  await w.sync();
  await w.second();
  const promoted = await w.engine.act(r0.id, "promote", "ops");
  assert.equal(promoted.stages[0]!.state, "passed");
  assert.equal(promoted.stages[1]!.state, "running");
  assert.ok((await w.events(r0.id)).includes("promoted"));
  await w.sync();
  // No traffic at all: the gate cannot decide; after soak (2 s) + wait (5 s) the rollout pauses.
  for (let i = 0; i < 12; i++) {
    w.clock.now += 1000;
    await w.engine.tick();
  }
  const r = await w.get(r0.id);
  assert.equal(r.state, "paused");
  assert.equal(r.stages[1]!.results[0]!.verdict, "inconclusive");
  assert.ok((await w.events(r0.id)).includes("inconclusive"));
});

test("a node that joins during a rollout gets the version its stage says", async () => {
  const w = await world({ "eu-1": "eu-west", "us-1": "us-east" });
  const spec = toStartSpec({
    version: 2,
    strategy: {
      stages: [
        { name: "eu", selector: { regions: ["eu-west"] }, soak_s: 60, gates: [] },
        { name: "all", selector: {}, soak_s: 0, gates: [] },
      ],
    },
  });
  const r0 = await w.engine.create(spec, "ops");
  w.join("eu-9", "eu-west");
  w.join("ap-9", "ap-south");
  await w.sync();
  assert.equal(w.fleet.get("eu-9")!.applied_version, 2, "its stage (eu) was reached");
  assert.equal(w.fleet.get("ap-9")!.applied_version, 1, "its stage (all) was not: stable");
  const r = await w.get(r0.id);
  assert.deepEqual([...r.stages[0]!.nodes].sort(), ["eu-1", "eu-9"]);
  assert.equal(r.nodes["eu-9"]!.previous_version, 1);
  assert.ok((await w.events(r0.id)).includes("node_joined"));
});
