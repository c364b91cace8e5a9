import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { contentHashOf, encodeResources } from "@palisade/proto";
import { log, route, snapshot, upstream } from "../test/fixtures.js";
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
