import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { pino } from "pino";
import { type EngineReport, RolloutEngine } from "../rollouts/engine.js";
import { toStartSpec } from "../rollouts/start-request.js";
import type { FleetNode } from "../rollouts/types.js";
import { LEADER_LEASE, REPLICA_LEASE_PREFIX, ReplicaStore } from "../store/replica-store.js";
import { RolloutStore } from "../store/rollout-store.js";
import { Store } from "../store/store.js";
import { storeBackends } from "../test/backends.js";
import { Leadership } from "./leadership.js";

/**
 * Several control planes on one database (issue 19), below the process level: leases and the
 * sweep of dead replicas' nodes on both engines, the leadership loop, and two rollout engines on
 * one PostgreSQL making each transition once whichever of them ticks or is asked.
 */
const [sqlite, postgres] = storeBackends();
const log = pino({ level: "silent" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of [sqlite!, postgres!])
  describe(`replica store on ${backend.name}`, () => {
    test("a lease is held by one holder until it expires or is released; a renewal keeps it", async () => {
      const location = await backend.location();
      const a = await Store.open(location);
      const b = await Store.open(location);
      try {
        const ra = new ReplicaStore(a);
        const rb = new ReplicaStore(b);
        assert.equal(await ra.acquire(LEADER_LEASE, "A", 60_000), true);
        assert.equal(await rb.acquire(LEADER_LEASE, "B", 60_000), false, "B cannot take A's live lease");
        assert.equal(await ra.acquire(LEADER_LEASE, "A", 60_000), true, "A renews its own");
        assert.equal(await rb.holder(LEADER_LEASE), "A");
        await ra.release(LEADER_LEASE, "B");
        assert.equal(await rb.holder(LEADER_LEASE), "A", "only the holder releases");
        await ra.release(LEADER_LEASE, "A");
        assert.equal(await rb.acquire(LEADER_LEASE, "B", 200), true, "a released lease is free at once");
        assert.equal(await ra.acquire(LEADER_LEASE, "A", 60_000), false);
        await sleep(300);
        assert.equal(await ra.holder(LEADER_LEASE), undefined, "B's lease expired");
        assert.equal(await ra.acquire(LEADER_LEASE, "A", 60_000), true, "an expired lease is taken");
      } finally {
        await a.close();
        await b.close();
      }
    });

    test("the sweep marks disconnected only the nodes of control planes whose lease is gone", async () => {
      const location = await backend.location();
      const a = await Store.open(location);
      const b = await Store.open(location);
      try {
        const facts = { labels: {}, softwareVersion: "1", policyTypes: [], appliedVersion: 0, appliedHash: "" };
        const more = { features: [], reportIntervalMs: 1000, certSerial: null, certNotAfter: null };
        await a.upsertNodeHello({ id: "on-a", region: "eu", ...facts, ...more });
        await b.upsertNodeHello({ id: "on-b", region: "eu", ...facts, ...more });
        const rb = new ReplicaStore(b);
        await new ReplicaStore(a).acquire(REPLICA_LEASE_PREFIX + a.instance, a.instance, 60_000);
        await rb.acquire(REPLICA_LEASE_PREFIX + b.instance, b.instance, 60_000);
        assert.equal(await rb.sweepNodes(), 0, "both control planes live");
        // A stops (its lease given up): its node is disconnected, B's stays.
        await rb.release(REPLICA_LEASE_PREFIX + a.instance, a.instance);
        assert.equal(await rb.sweepNodes(), 1);
        const connected = async (id: string) => (await b.getNode(id))?.connected;
        assert.deepEqual([await connected("on-a"), await connected("on-b")], [false, true]);
        // The node moved to B, then A's old stream closed late: it stays connected on B.
        await b.upsertNodeHello({ id: "on-a", region: "eu", ...facts, ...more });
        await a.setNodeConnected("on-a", false);
        assert.equal(await connected("on-a"), true, "a stream of another control plane is not closed by A");
        await b.setNodeConnected("on-a", false);
        assert.equal(await connected("on-a"), false);
      } finally {
        await a.close();
        await b.close();
      }
    });

    test("reports are kept for the leader and pruned by age", async () => {
      const s = await backend.open();
      try {
        const r = new ReplicaStore(s);
        const report = { interval_ms: 1000, requests_per_s: 5, status_5xx_per_s: 1, latency_p99_ms: 12 };
        await r.addReport({ node_id: "n1", at: 1000, config_version: 2, ...report, security_events: { waf: 1 } });
        await r.addReport({ node_id: "n2", at: 2000, config_version: 3, ...report, security_events: {} });
        assert.deepEqual(
          (await r.reportsSince(1500)).map((p) => [p.node_id, p.at, p.config_version, p.status_5xx_per_s]),
          [["n2", 2000, 3, 1]],
        );
        assert.equal(await r.pruneReports(1500), 1);
        assert.deepEqual((await r.reportsSince(0))[0]?.security_events, {});
      } finally {
        await s.close();
      }
    });
  });

test("leadership: one of two control planes leads; when it stops the other takes over", async () => {
  const location = await postgres!.location();
  const a = await Store.open(location);
  const b = await Store.open(location);
  const timing = { ttlMs: 1000, renewMs: 100 };
  const la = new Leadership(new ReplicaStore(a), a.instance, log, timing);
  const lb = new Leadership(new ReplicaStore(b), b.instance, log, timing);
  const changes: string[] = [];
  lb.onChange((leading) => changes.push(leading ? "b leads" : "b follows"));
  try {
    await la.start();
    await lb.start();
    assert.deepEqual([la.leading(), lb.leading()], [true, false]);
    await la.stop();
    assert.equal(la.leading(), false);
    for (let i = 0; i < 100 && !lb.leading(); i++) await sleep(50);
    assert.equal(lb.leading(), true, "B took the lease A gave up");
    assert.deepEqual(changes, ["b leads"]);
  } finally {
    await la.stop();
    await lb.stop();
    await a.close();
    await b.close();
  }
});

test("two rollout engines on one PostgreSQL: each transition is made once, whichever ticks or is asked, and both know the assignments", async () => {
  const location = await postgres!.location();
  const stores = [await Store.open(location), await Store.open(location)];
  const clock = { now: Date.parse("2026-12-01T10:00:00.000Z") };
  const fleet = new Map<string, FleetNode>();
  for (const [id, region] of [
    ["eu-1", "eu-west"],
    ["eu-2", "eu-west"],
    ["us-1", "us-east"],
  ])
    fleet.set(id!, {
      id: id!,
      region: region!,
      labels: {},
      connected: true,
      applied_version: 1,
      nacked_version: null,
      blocked_version: null,
    });
  const reports: EngineReport[] = [];
  await new RolloutStore(stores[0]!).setStable(1, new Date(clock.now - 60_000).toISOString());
  const engines: RolloutEngine[] = [];
  const told: Array<Array<readonly string[] | "all">> = [[], []];
  for (const [i, store] of stores.entries()) {
    const e = await RolloutEngine.open({
      store: new RolloutStore(store),
      fleet: async () => [...fleet.values()],
      reports: async () => new Map([...fleet.keys()].map((id) => [id, reports])),
      versionExists: async (n) => n >= 1 && n <= 2,
      log,
      now: () => clock.now,
    });
    e.onAssign((n) => told[i]!.push(n));
    engines.push(e);
  }
  const [a, b] = engines as [RolloutEngine, RolloutEngine];
  try {
    const spec = toStartSpec({
      version: 2,
      strategy: {
        stages: [
          { name: "eu", selector: { regions: ["eu-west"] }, soak_s: 5 },
          { name: "us", selector: { regions: ["us-east"] }, soak_s: 5 },
        ],
      },
    });
    const r0 = await a.create(spec, "ops");
    await assert.rejects(b.create(spec, "ops"), { code: "ROLLOUT_ACTIVE" }, "B reads the stored rollout first");
    // B learns of A's transition (the control plane calls refresh on NOTIFY palisade_rollout).
    await b.refresh();
    assert.equal(b.desiredVersionOf("eu-1"), 2);
    assert.deepEqual(
      told[1]!.map((n) => (n === "all" ? n : [...n].sort())),
      [["eu-1", "eu-2"]],
      "B re-offers the nodes whose desired version moved",
    );
    // Both tick at once, every second, until it ends; nodes take what either says.
    for (let i = 0; i < 60 && (await a.get(r0.id))?.state === "running"; i++) {
      clock.now += 1000;
      for (const n of fleet.values()) fleet.set(n.id, { ...n, applied_version: a.desiredVersionOf(n.id) });
      await Promise.all([a.tick(), b.tick()]);
      await b.refresh();
    }
    const types = (await new RolloutStore(stores[1]!).events(r0.id)).map((e) => e.type);
    assert.deepEqual(types, [
      "started",
      "stage_started",
      "stage_soaking",
      "stage_passed",
      "stage_started",
      "stage_soaking",
      "stage_passed",
      "succeeded",
    ]);
    await a.refresh();
    assert.deepEqual([a.stable().version, b.stable().version], [2, 2]);
    assert.equal((await b.get(r0.id))?.state, "succeeded");
  } finally {
    for (const e of engines) e.stop();
    for (const s of stores) await s.close();
  }
});

test("an operator's pause through one engine holds the other's ticks", async () => {
  const location = await postgres!.location();
  const stores = [await Store.open(location), await Store.open(location)];
  await new RolloutStore(stores[0]!).setStable(1, new Date().toISOString());
  const node: FleetNode = {
    id: "n1",
    region: "eu",
    labels: {},
    connected: true,
    applied_version: 1,
    nacked_version: null,
    blocked_version: null,
  };
  const [a, b] = await Promise.all(
    stores.map((store) =>
      RolloutEngine.open({
        store: new RolloutStore(store),
        fleet: async () => [node],
        reports: async () => new Map(),
        versionExists: async () => true,
        log,
      }),
    ),
  );
  try {
    const r0 = await a!.create(toStartSpec({ version: 2, strategy: "all-now" }), "ops");
    const paused = await b!.act(r0.id, "pause", "ops");
    assert.equal(paused.state, "paused");
    await a!.tick();
    assert.equal((await a!.get(r0.id))?.state, "paused", "A read the stored pause before ticking");
    await assert.rejects(a!.act(r0.id, "pause", "ops"), { code: "ROLLOUT_STATE" });
  } finally {
    a?.stop();
    b?.stop();
    for (const s of stores) await s.close();
  }
});
