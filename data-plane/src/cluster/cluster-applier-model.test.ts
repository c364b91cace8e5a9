import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Snapshot, StreamConfigRequest } from "@palisade/proto";
import fc from "fast-check";
import { CompileError } from "../config/compile-error.js";
import { ConfigApplier } from "../sync/config-applier.js";
import {
  applyOps,
  arbEdit,
  arbRouteProbe,
  describeTable,
  type Edit,
  EMPTY_WORLD,
  modelPems,
  type RouteProbe,
  toSnapshot,
  updateFor,
} from "../test/config-model.js";
import { deltaUpdate, type fullUpdate, log } from "../test/fixtures.js";
import { closeReferences, fromScratch, type ModelProcess, modelProcess } from "../test/model-node.js";
import { ClusterApplier, type WorkerLink } from "./cluster-applier.js";
import type { ToWorker } from "./messages.js";
import { WorkerConfig } from "./worker-config.js";

/**
 * A node with workers keeps, in its primary, the config it holds (the base of the next delta),
 * the last committed snapshot (for workers that join late) and what each worker serves. This
 * property drives a ClusterApplier over real worker config handlers (WorkerConfig with the
 * node's compile; only the IPC channel is replaced by direct calls) through random edits,
 * full and delta updates, updates over a base the node does not hold, unchanged content, and
 * workers joining and leaving; beside it a single-process ConfigApplier gets the same updates.
 * After every update both must answer alike, hold the same version, and every worker must
 * serve what a compile from scratch of the held config serves.
 */

const pems = modelPems();
after(() => pems.dispose());
after(closeReferences);

/** A worker: its own process state, fed by the primary's messages as the IPC channel would. */
class InProcessWorker implements WorkerLink {
  readonly id: number;
  readonly pid = undefined;
  readonly process: ModelProcess = modelProcess();
  readonly #config: WorkerConfig;
  primary!: ClusterApplier;
  gone = false;

  constructor(id: number) {
    this.id = id;
    this.#config = new WorkerConfig(this.process.holder, (s) => this.process.compile(s, undefined), log);
  }

  send(msg: ToWorker): void {
    if (this.gone || msg.t === "shutdown" || msg.t === "listen" || msg.t === "anomaly-decisions") return;
    // IPC is asynchronous: the reply arrives on a later turn.
    setImmediate(() => {
      if (this.gone) return;
      const reply = this.#config.handle(msg);
      if (reply !== undefined) this.primary.onMessage(this.id, reply);
    });
  }
}

type Step =
  | (Edit & {
      readonly kind: "edit";
      /** A worker joins or leaves while the workers compile the update. */
      readonly during: "join" | "leave" | null;
      readonly which: number;
    })
  | { readonly kind: "same" }
  | { readonly kind: "stale-base" }
  | { readonly kind: "worker-joins" }
  | { readonly kind: "worker-leaves"; readonly which: number };

const arbStep: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc
      .record({
        edit: arbEdit,
        during: fc.constantFrom(null, null, null, "join" as const, "leave" as const),
        which: fc.nat(),
      })
      .map(({ edit, during, which }) => ({ ...edit, kind: "edit" as const, during, which })),
    weight: 8,
  },
  { arbitrary: fc.constant({ kind: "same" as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: "stale-base" as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: "worker-joins" as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("worker-leaves" as const), which: fc.nat() }), weight: 1 },
);

/** Lets the workers' pending replies (each on its own setImmediate, in order) arrive. */
const settle = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

const answer = (r: StreamConfigRequest) =>
  r.kind.case === "ack"
    ? ["ack", r.kind.value.version, r.kind.value.hash]
    : r.kind.case === "nack"
      ? [
          "nack",
          r.kind.value.rejectedVersion,
          r.kind.value.runningVersion,
          r.kind.value.error?.code,
          r.kind.value.error?.resource,
        ]
      : [r.kind.case];

test("property: a node with workers answers and serves every update as a single process does", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 3 }),
      fc.array(arbStep, { minLength: 1, maxLength: 10 }),
      fc.array(arbRouteProbe, { minLength: 10, maxLength: 20 }),
      async (count, steps, probes) => {
        const single = modelProcess();
        const workers: InProcessWorker[] = [];
        try {
          await run(count, steps, probes, single, workers);
        } finally {
          await single.close();
          for (const w of workers) await w.process.close();
        }
      },
    ),
    { numRuns: 60 },
  );
});

async function run(
  count: number,
  steps: readonly Step[],
  probes: readonly RouteProbe[],
  single: ModelProcess,
  workers: InProcessWorker[],
): Promise<void> {
  const one = new ConfigApplier(single.holder, single.compile, log);
  const primary = new ClusterApplier(log, { timeoutMs: 5_000 });
  let nextId = 1;
  const leave = (which: number) => {
    const live = workers.filter((w) => !w.gone);
    // Keep one worker: a node whose every worker died has nothing to compare.
    if (live.length < 2) return;
    const w = live[which % live.length]!;
    w.gone = true;
    primary.removeWorker(w.id);
  };
  const join = () => {
    const w = new InProcessWorker(nextId++);
    w.primary = primary;
    workers.push(w);
    primary.addWorker(w);
  };
  for (let i = 0; i < count; i++) join();

  let world = EMPTY_WORLD;
  let version = 1n;
  let held: Snapshot | undefined;
  let sent: Snapshot | undefined;
  const all: Step[] = [
    { kind: "edit", ops: [], full: true, valid: true, resync: false, during: null, which: 0 },
    ...steps,
  ];
  for (const [n, step] of all.entries()) {
    if (step.kind === "worker-joins") {
      join();
    } else if (step.kind === "worker-leaves") {
      leave(step.which);
    } else {
      let snap: Snapshot;
      let update: ReturnType<typeof fullUpdate>;
      if (step.kind === "edit") {
        world = applyOps(world, step.ops);
        ({ snap, update } = updateFor(world, step, held, ++version, pems));
      } else if (step.kind === "same") {
        // The same content under a new version number (a publish that changed nothing the node sees).
        if (held === undefined) continue;
        snap = { ...held, version: ++version };
        update = deltaUpdate(held, snap, version);
      } else {
        // A delta over a config neither holds (the last one sent, when it was refused, or an older one).
        if (sent === undefined || held === undefined) continue;
        const base = sent === held ? toSnapshot(EMPTY_WORLD, pems, 1n) : sent;
        snap = toSnapshot(world, pems, ++version);
        update = deltaUpdate(base, snap, version);
      }
      sent = snap;
      const a = answer(await one.apply(update));
      const pending = primary.apply(update);
      if (step.kind === "edit" && step.during === "join") join();
      if (step.kind === "edit" && step.during === "leave") leave(step.which);
      const b = answer(await pending);
      const at = `step ${n} ${step.kind}`;
      assert.deepEqual(b, a, `${at}: the cluster answers as one process`);
      if (a[0] === "ack") held = snap;
      else if (step.kind === "edit" && !(fromScratch(snap) instanceof CompileError) && a[3] !== "BASE_MISMATCH")
        assert.fail(`${at}: a config that compiles from scratch was refused: ${JSON.stringify(a)}`);
    }
    await settle();
    const at = `after step ${n} (${step.kind})`;
    assert.equal(primary.applied?.version, single.holder.applied?.version, `${at}: version`);
    assert.equal(primary.applied?.hash, single.holder.applied?.hash, `${at}: hash`);
    if (held === undefined) continue;
    const expected = fromScratch(held);
    assert.ok(!(expected instanceof CompileError));
    const want = await describeTable(expected, probes);
    assert.deepEqual(await describeTable(single.holder.table!, probes), want, `${at}: the single process`);
    for (const w of workers.filter((x) => !x.gone)) {
      assert.equal(w.process.holder.applied?.version, primary.applied?.version, `${at}: worker ${w.id} version`);
      assert.deepEqual(await describeTable(w.process.holder.table!, probes), want, `${at}: worker ${w.id}`);
    }
  }
}
