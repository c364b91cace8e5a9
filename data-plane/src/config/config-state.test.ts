import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { ConsumerSchema, contentHashOf, encodeResources, PolicySchema, resourceIdOf } from "@palisade/proto";
import fc from "fast-check";
import { type AuthOutcome, authOutcome } from "../policies/test-request.js";
import { applyOps, arbOp, EMPTY_WORLD, modelPems, toSnapshot } from "../test/config-model.js";
import { deltaUpdate, log, policyRequest, route, snapshot, upstream } from "../test/fixtures.js";
import { compile } from "./compile.js";
import { ConfigState } from "./config-state.js";
import { LastKnownGood } from "./last-known-good.js";

const snap = (ids: string[]) =>
  snapshot({ upstreams: [upstream("u", ["127.0.0.1:1"])], routes: ids.map((id) => route(id, "u", [`/${id}`])) }, 1n);

test("a full config hashes like the control plane and lists resources by id", () => {
  const s = snap(["r3", "r1", "r2"]);
  const state = ConfigState.full(1n, 0n, encodeResources(s));
  assert.equal(state.hash, contentHashOf(encodeResources(s)));
  assert.deepEqual(
    state.snapshot().routes.map((r) => r.id),
    ["r1", "r2", "r3"],
  );
});

test("a delta gives the same config as a full update of the target, and leaves the base untouched", () => {
  const base = ConfigState.full(1n, 0n, encodeResources(snap(["a", "c", "e"])));
  const target = snap(["b", "c", "d", "e"]);
  target.routes[1]!.priority = 5; // c changed
  const enc = new Map(encodeResources(target).map((r) => [r.id, r]));
  const next = base.applyDelta(2n, 0n, [enc.get("b")!, enc.get("c")!, enc.get("d")!], [{ field: 4, id: "a" }]);
  const full = ConfigState.full(2n, 0n, encodeResources(target));
  assert.equal(next.hash, full.hash);
  assert.deepEqual(
    next.snapshot().routes.map((r) => [r.id, r.priority]),
    full.snapshot().routes.map((r) => [r.id, r.priority]),
  );
  assert.deepEqual(
    base.snapshot().routes.map((r) => r.id),
    ["a", "c", "e"],
  );
  assert.equal(next.snapshot().routes[3], base.snapshot().routes[2], "unchanged resources keep their message");
});

test("removing a resource that is not held is refused", () => {
  const base = ConfigState.full(1n, 0n, encodeResources(snap(["a"])));
  assert.throws(() => base.applyDelta(2n, 0n, [], [{ field: 4, id: "zz" }]), { code: "RESOURCE_INVALID" });
});

test("a last-known-good file with a flipped byte or a cut tail is ignored, not served", async () => {
  const dir = mkdtempSync(join(tmpdir(), "palisade-lkg-"));
  try {
    const lkg = new LastKnownGood(dir, log);
    assert.equal(lkg.load(), undefined, "no file yet");
    const state = ConfigState.full(7n, 0n, encodeResources(snap(["a", "b"])));
    await lkg.save(state);
    assert.equal(lkg.load()?.hash, state.hash);
    const good = readFileSync(lkg.path);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 4]! ^= 0x01;
    writeFileSync(lkg.path, flipped);
    assert.equal(lkg.load(), undefined);
    writeFileSync(lkg.path, good.subarray(0, good.length - 1));
    assert.equal(lkg.load(), undefined);
    writeFileSync(lkg.path, good);
    assert.equal(lkg.load()?.version, 7n);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("compiling each delta with the changed-routes hint equals compiling from scratch", () => {
  let seed = 11;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const hosts = ["a.test", "b.test", "*.test"];
  const make = (i: number, gen: number) =>
    route(`r${String(i).padStart(3, "0")}`, "u", [`/p${rand(5)}`, `=/p${rand(5)}/x`].slice(0, 1 + rand(2)), {
      hosts: rand(3) === 0 ? [] : [hosts[rand(3)]!],
      priority: (gen + rand(3)) % 3,
    });
  const current = new Map(Array.from({ length: 120 }, (_, i) => [i, make(i, 0)]));
  const snapOf = () => snapshot({ upstreams: [upstream("u", ["127.0.0.1:1"])], routes: [...current.values()] }, 1n);
  const opts = { policyTypes: new Set<string>() };
  let state = ConfigState.full(1n, 0n, encodeResources(snapOf()));
  let table = compile(state.snapshot(), opts);
  for (let round = 1; round <= 25; round++) {
    const before = new Map(encodeResources(snapOf()).map((r) => [r.id, r]));
    for (let k = 0; k < 4; k++) {
      const i = rand(150);
      if (rand(4) === 0) current.delete(i);
      else current.set(i, make(i, round));
    }
    const after = encodeResources(snapOf());
    const changed = after.filter((r) => {
      const b = before.get(r.id);
      return !b || Buffer.compare(Buffer.from(b.body), Buffer.from(r.body)) !== 0;
    });
    const keep = new Set(after.map((r) => r.id));
    const removed = [...before.values()].filter((r) => r.field === 4 && !keep.has(r.id));
    state = state.applyDelta(BigInt(round + 1), 0n, changed, removed);
    table = compile(state.snapshot(), { ...opts, previous: table, changedRoutes: state.touched(4) });
    const fresh = compile(ConfigState.full(1n, 0n, after).snapshot(), opts);
    assert.equal(table.routeList.length, fresh.routeList.length, `round ${round}`);
    for (const host of ["a.test", "b.test", "c.test", "none"])
      for (let p = 0; p < 5; p++)
        for (const path of [`/p${p}`, `/p${p}/x`, `/p${p}/y`])
          assert.equal(
            table.router.match("GET", host, path)?.route.id,
            fresh.router.match("GET", host, path)?.route.id,
            `round ${round} ${host}${path}`,
          );
  }
});

test("a delta that changes only a consumer recompiles the policies against the new consumers", () => {
  const sha = (s: string) => createHash("sha256").update(s).digest();
  const keys = create(PolicySchema, { id: "keys", name: "keys", config: { case: "apiKey", value: {} } });
  const alice = (key: string) =>
    create(ConsumerSchema, {
      id: "c1",
      name: "alice",
      credentials: [{ id: "k1", kind: { case: "apiKey", value: { sha256: sha(key) } } }],
    });
  const snapWith = (key: string) => {
    const s = snapshot({ upstreams: [upstream("u", ["127.0.0.1:1"])], routes: [route("r", "u", ["/"])] }, 1n);
    s.routes[0]!.policyIds = ["keys"];
    s.policies = [keys];
    s.consumers = [alice(key)];
    return s;
  };
  const opts = { policyTypes: new Set(["api-key"]) };
  const v1 = ConfigState.full(1n, 0n, encodeResources(snapWith("pk_old")));
  const t1 = compile(v1.snapshot(), opts);
  const allowed = (t: typeof t1, key: string) =>
    (authOutcome(t.routes.get("r")!.policies[0]!, policyRequest({ "x-api-key": key })) as AuthOutcome).allow;
  assert.equal(allowed(t1, "pk_old"), true);

  const changed = encodeResources(snapWith("pk_new")).filter((r) => r.field === 6);
  const v2 = v1.applyDelta(2n, 0n, changed, []);
  const t2 = compile(v2.snapshot(), { ...opts, previous: t1, changedRoutes: v2.touched(4) });
  assert.deepEqual([allowed(t2, "pk_new"), allowed(t2, "pk_old")], [true, false], "the new key, not the old one");
  assert.equal(allowed(t1, "pk_old"), true, "the previous table is untouched");

  const v3 = v2.relabel(3n, 0n);
  const t3 = compile(v3.snapshot(), { ...opts, previous: t2, changedRoutes: v3.touched(4) });
  assert.equal(t3.consumers, t2.consumers, "unchanged consumers keep their index");
  assert.equal(t3.routes.get("r"), t2.routes.get("r"), "and the routes their compiled form");
});

test("a config larger than the write buffer round-trips through the last-known-good file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "palisade-lkg-big-"));
  try {
    const ids = Array.from({ length: 4000 }, (_, i) => `route-${String(i).padStart(5, "0")}-with-a-longer-id`);
    const state = ConfigState.full(9n, 1234n, encodeResources(snap(ids)));
    const lkg = new LastKnownGood(dir, log);
    await lkg.save(state);
    assert.ok(readFileSync(lkg.path).length > 300_000);
    const back = lkg.load()!;
    assert.deepEqual([back.version, back.createdAtMs, back.hash, back.size], [9n, 1234n, state.hash, 4001]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("property: any sequence of deltas gives the config a full update of each target gives, and keeps unchanged messages", () => {
  const pems = modelPems();
  try {
    fc.assert(
      fc.property(
        fc.array(fc.array(arbOp, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
        (steps) => {
          let world = EMPTY_WORLD;
          let base = toSnapshot(world, pems, 1n);
          let state = ConfigState.full(1n, 0n, encodeResources(base));
          for (const [n, ops] of steps.entries()) {
            world = applyOps(world, ops);
            const version = BigInt(n + 2);
            const target = toSnapshot(world, pems, version);
            const u = deltaUpdate(base, target, version);
            const before = [...state.resources()];
            const beforeHash = state.hash;
            const next = state.applyDelta(version, 0n, u.resources, u.removed);
            const full = ConfigState.full(version, 0n, encodeResources(target));
            const rows = (s: ConfigState) =>
              [...s.resources()].map((r) => [r.field, r.id, Buffer.from(r.body).toString("hex")]);
            assert.equal(next.hash, full.hash, `step ${n}: hash`);
            assert.equal(next.hash, u.hash, `step ${n}: the control plane's hash`);
            assert.deepEqual(rows(next), rows(full), `step ${n}: resources`);
            assert.deepEqual(next.snapshot(), { ...full.snapshot() }, `step ${n}: snapshot`);
            // The base is a value: applying a delta over it changes nothing of it.
            assert.equal(state.hash, beforeHash);
            assert.deepEqual([...state.resources()], before);
            // What compile's reuse relies on: an untouched resource keeps its message object, and
            // touched(field) names every route the delta added, changed or removed.
            const touched = new Set([
              ...u.resources.map((r) => `${r.field}/${resourceIdOf(r.body)}`),
              ...u.removed.map((r) => `${r.field}/${r.id}`),
            ]);
            const old = new Map([...state.resources()].map((r) => [`${r.field}/${r.id}`, r.message]));
            for (const r of next.resources()) {
              const key = `${r.field}/${r.id}`;
              if (!touched.has(key))
                assert.equal(r.message, old.get(key), `step ${n}: ${key} is the same message object`);
            }
            assert.deepEqual(
              [...(next.touched(4) ?? [])].sort(),
              [...touched]
                .filter((k) => k.startsWith("4/"))
                .map((k) => k.slice(2))
                .sort(),
              `step ${n}: touched routes`,
            );
            base = target;
            state = next;
          }
        },
      ),
      { numRuns: 200 },
    );
  } finally {
    pems.dispose();
  }
});
