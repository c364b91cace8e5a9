import assert from "node:assert/strict";
import { test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { ConfigErrorKind, type Snapshot, SnapshotSchema } from "@palisade/proto";
import { CompileError } from "../config/compile-error.js";
import { ConfigState } from "../config/config-state.js";
import { SyncStats } from "../telemetry/sync-stats.js";
import { deltaUpdate, fullUpdate, log, route, snapshot, upstream } from "../test/fixtures.js";
import { ClusterApplier, type WorkerLink } from "./cluster-applier.js";
import type { FromWorker, ToWorker } from "./messages.js";

/** A config with one route; its id is `bad…` for a config the fake workers refuse. */
const good = (version: bigint, routeId = "r") =>
  snapshot({ upstreams: [upstream("u", ["127.0.0.1:1"])], routes: [route(routeId, "u", ["/"])] }, version, "");

/**
 * A test double of a worker: records what it is sent and answers like a worker would (it
 * refuses snapshots with a route whose id starts with "bad"), unless `silent`.
 */
class FakeWorker implements WorkerLink {
  readonly id: number;
  readonly pid: number;
  readonly got: ToWorker[] = [];
  silent = false;
  applier!: ClusterApplier;

  constructor(id: number) {
    this.id = id;
    this.pid = 1000 + id;
  }

  send(msg: ToWorker): void {
    this.got.push(msg);
    if (this.silent) return;
    const reply = (m: FromWorker) => queueMicrotask(() => this.applier.onMessage(this.id, m));
    if (msg.t === "prepare" || msg.t === "apply") {
      const s = fromBinary(SnapshotSchema, msg.snapshot);
      if (s.routes.some((r) => r.id.startsWith("bad"))) {
        reply({
          t: "refused",
          seq: msg.seq,
          error: { code: "RESOURCE_INVALID", message: "nope", resource: "route/r" },
        });
      } else if (msg.t === "prepare") reply({ t: "prepared", seq: msg.seq });
      else reply({ t: "committed", seq: msg.seq, version: msg.version });
    } else if (msg.t === "commit") {
      const prep = this.got.find(
        (m): m is Extract<ToWorker, { t: "prepare" }> => m.t === "prepare" && m.seq === msg.seq,
      );
      reply({ t: "committed", seq: msg.seq, version: prep!.version });
    }
  }

  kinds(): string[] {
    return this.got.map((m) => m.t);
  }
}

function setup(n: number, timeoutMs = 60_000) {
  const applier = new ClusterApplier(log, { timeoutMs });
  const workers = Array.from({ length: n }, (_, i) => new FakeWorker(i + 1));
  for (const w of workers) {
    w.applier = applier;
    applier.addWorker(w);
  }
  const update = (version: bigint, s: Snapshot, nonce = `n${version}`) => applier.apply(fullUpdate(s, version, nonce));
  return { applier, workers, update };
}

test("every worker compiles, then every worker swaps, then the node ACKs", async () => {
  const { applier, workers, update } = setup(3);
  const reply = await update(1n, good(1n));
  assert.equal(reply.kind.case, "ack");
  for (const w of workers) assert.deepEqual(w.kinds(), ["prepare", "commit"]);
  assert.equal(applier.applied?.version, 1n);
  assert.deepEqual(
    applier.workers().map((w) => w.version),
    [1n, 1n, 1n],
  );
});

test("one refusal aborts the round everywhere and NACKs with its reason; the old version stays", async () => {
  const { applier, workers, update } = setup(2);
  await update(1n, good(1n));
  const reply = await update(2n, good(2n, "bad-2"));
  assert.equal(reply.kind.case, "nack");
  if (reply.kind.case === "nack") {
    assert.equal(reply.kind.value.error?.code, "RESOURCE_INVALID");
    assert.equal(reply.kind.value.error?.kind, ConfigErrorKind.CONFIG);
    assert.equal(reply.kind.value.runningVersion, 1n);
    assert.equal(reply.kind.value.rejectedVersion, 2n);
  }
  for (const w of workers) assert.deepEqual(w.kinds(), ["prepare", "commit", "prepare", "abort"]);
  assert.equal(applier.applied?.version, 1n);
});

test("a worker that dies mid-round is not waited for; a late worker gets the committed config", async () => {
  const { applier, workers, update } = setup(2);
  workers[1]!.silent = true;
  const pending = update(1n, good(1n));
  await new Promise((r) => setImmediate(r));
  applier.removeWorker(2);
  assert.equal((await pending).kind.case, "ack");
  const late = new FakeWorker(3);
  late.applier = applier;
  applier.addWorker(late);
  assert.deepEqual(late.kinds(), ["apply"]);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    applier.workers().map((w) => [w.id, w.version]),
    [
      [1, 1n],
      [3, 1n],
    ],
  );
});

test("a worker that never answers makes the round a NACK", async () => {
  const { workers, update } = setup(2, 50);
  workers[0]!.silent = true;
  const reply = await update(1n, good(1n));
  assert.equal(reply.kind.case, "nack");
  if (reply.kind.case === "nack") {
    assert.match(reply.kind.value.error?.message ?? "", /did not answer in time/);
    assert.equal(reply.kind.value.error?.kind, ConfigErrorKind.NODE_FAULT, "the node, not the config, is at fault");
  }
});

test("the same content under a new version is relabelled, not recompiled", async () => {
  const { applier, workers, update } = setup(2);
  await update(1n, good(1n));
  const reply = await update(2n, good(2n));
  assert.equal(reply.kind.case, "ack");
  for (const w of workers) assert.deepEqual(w.kinds(), ["prepare", "commit", "relabel"]);
  assert.equal(applier.applied?.version, 2n);
});

test("a resync of the same content is compiled by every worker again, not relabelled", async () => {
  const { applier, workers } = setup(2);
  await applier.apply(fullUpdate(good(1n), 1n));
  const u = fullUpdate(good(2n), 2n);
  u.resync = true;
  const reply = await applier.apply(u);
  assert.equal(reply.kind.case, "ack");
  for (const w of workers) assert.deepEqual(w.kinds(), ["prepare", "commit", "prepare", "commit"]);
  assert.deepEqual(
    applier.workers().map((w) => w.version),
    [2n, 2n],
  );
});

test("a delta is applied over the config the workers serve; a delta over another base is refused", async () => {
  const { applier, workers } = setup(1);
  const v1 = good(1n);
  await applier.apply(fullUpdate(v1, 1n));
  const v2 = snapshot(
    { upstreams: [upstream("u", ["127.0.0.1:1"])], routes: [route("r", "u", ["/"]), route("r2", "u", ["/two"])] },
    2n,
    "",
  );
  const reply = await applier.apply(deltaUpdate(v1, v2, 2n));
  assert.equal(reply.kind.case, "ack");
  const last = workers[0]!.got.findLast((m) => m.t === "prepare");
  assert.ok(last?.t === "prepare");
  assert.deepEqual(
    fromBinary(SnapshotSchema, last.snapshot)
      .routes.map((r) => r.id)
      .sort(),
    ["r", "r2"],
  );
  const stale = await applier.apply(deltaUpdate(good(9n, "other"), v2, 3n));
  assert.equal(stale.kind.case, "nack");
  if (stale.kind.case === "nack") assert.equal(stale.kind.value.error?.code, "BASE_MISMATCH");
});

test("a committed version is written to the last-known-good file before the ACK; a refused one is not", async () => {
  const saved: bigint[] = [];
  const stats = new SyncStats();
  const applier = new ClusterApplier(log, {
    stats,
    persist: {
      save: async (state: ConfigState) => {
        saved.push(state.version);
      },
    },
  });
  const w = new FakeWorker(1);
  w.applier = applier;
  applier.addWorker(w);
  await applier.apply(fullUpdate(good(1n), 1n, "n1"));
  assert.deepEqual(saved, [1n], "written by the time the ACK is returned");
  await applier.apply(fullUpdate(good(2n, "bad-2"), 2n, "n2"));
  assert.deepEqual(saved, [1n]);
  await applier.apply(fullUpdate(good(3n), 3n, "n3"));
  assert.deepEqual(saved, [1n, 3n], "a relabelled version too (the file carries the version)");
  assert.deepEqual([stats.full, stats.delta, stats.nacked], [3, 0, 1]);
});

test("a cached config is handed to every ready worker (source cache) and to later ones", async () => {
  const { applier, workers } = setup(2);
  await applier.adopt(ConfigState.full(4n, 0n, fullUpdate(good(4n), 4n).resources), "cache");
  assert.equal(applier.applied?.version, 4n);
  assert.equal(applier.applied?.source, "cache");
  for (const w of workers) assert.deepEqual(w.kinds(), ["prepare", "commit"]);
  const late = new FakeWorker(3);
  late.applier = applier;
  applier.addWorker(late);
  assert.deepEqual(late.kinds(), ["apply"]);
  // The control plane later sends the same content as a new version: relabelled, nothing recompiled.
  const reply = await applier.apply(fullUpdate(good(5n), 5n));
  assert.equal(reply.kind.case, "ack");
  assert.equal(applier.applied?.source, "control-plane");
  assert.deepEqual(workers[0]!.kinds(), ["prepare", "commit", "relabel"]);
});

test("a cached config the workers refuse throws its CompileError and serves nothing", async () => {
  const { applier, workers } = setup(2);
  await assert.rejects(
    applier.adopt(ConfigState.full(4n, 0n, fullUpdate(good(4n, "bad-r"), 4n).resources), "cache"),
    (err: unknown) => err instanceof CompileError && err.code === "RESOURCE_INVALID",
  );
  assert.equal(applier.applied, undefined);
  for (const w of workers) assert.deepEqual(w.kinds(), ["prepare", "abort"]);
});

test("a late worker is current (may get listeners) only once it serves the committed config", async () => {
  const { applier, update } = setup(1);
  // Before any config: current at once (boot: workers bind, the first config follows).
  const early = new FakeWorker(2);
  early.applier = applier;
  applier.addWorker(early);
  assert.equal(await applier.whenCurrent(2), true);

  await update(1n, good(1n));
  const late = new FakeWorker(3);
  late.applier = applier;
  late.silent = true;
  applier.addWorker(late);
  let current: boolean | undefined;
  void applier.whenCurrent(3).then((v) => {
    current = v;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(current, undefined, "not current while it has not committed the catch-up");
  const apply = late.got.find((m): m is Extract<ToWorker, { t: "apply" }> => m.t === "apply")!;
  applier.onMessage(3, { t: "committed", seq: apply.seq, version: apply.version });
  await new Promise((r) => setImmediate(r));
  assert.equal(current, true);

  // One that exits before it catches up is never current.
  const gone = new FakeWorker(4);
  gone.applier = applier;
  gone.silent = true;
  applier.addWorker(gone);
  const waiting = applier.whenCurrent(4);
  applier.removeWorker(4);
  assert.equal(await waiting, false);
});
