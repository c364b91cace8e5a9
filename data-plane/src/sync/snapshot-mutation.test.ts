import assert from "node:assert/strict";
import { after, test } from "node:test";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { ConfigErrorKind, type Snapshot, SnapshotSchema } from "@palisade/proto";
import fc from "fast-check";
import { applyOps, arbOp, EMPTY_WORLD, modelPems, repair, toSnapshot } from "../test/config-model.js";
import { fullUpdate, log } from "../test/fixtures.js";
import { closeReferences, modelProcess } from "../test/model-node.js";
import { ConfigApplier } from "./config-applier.js";

/**
 * Issue 21 point 2, the config decoder: a node fed mutated snapshots answers each one with an
 * ACK or a NACK of kind CONFIG and keeps serving what it held — never a crash, never a hang,
 * never a NACK that blames itself (INTERNAL / NODE_FAULT) for a config it was sent. The
 * snapshots start as valid random configs of every resource kind (test/config-model.ts), are
 * serialized, and get byte mutations (flips, overwrites, truncation, insertion, duplicated
 * spans); a mutation the protobuf decoder refuses is the stream's business (the node sees a
 * decode error, not an update) and is counted apart. The update is then sent as a control plane
 * would send it (content hash computed over the mutated resources), so the compile itself
 * meets the garbage. Seeded, reproducible; `FUZZ_RUNS` raises the count (the full run).
 */

const pems = modelPems();
after(() => pems.dispose());
after(closeReferences);

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/** One byte-level edit of a serialized snapshot. */
type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; bytes: number[] }
  | { kind: "duplicate"; at: number; length: number };

const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
);

/** `bytes` with `m` applied (positions taken modulo the length). */
function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  if (bytes.length === 0) return bytes;
  const at = m.at % bytes.length;
  switch (m.kind) {
    case "flip": {
      const out = bytes.slice();
      out[at] = (out[at] as number) ^ (1 << m.bit);
      return out;
    }
    case "set": {
      const out = bytes.slice();
      out[at] = m.value;
      return out;
    }
    case "truncate":
      return bytes.subarray(0, at);
    case "insert":
      return Buffer.concat([bytes.subarray(0, at), Uint8Array.from(m.bytes), bytes.subarray(at)]);
    case "duplicate":
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at, at + m.length), bytes.subarray(at)]);
  }
}

test("fuzz: mutated snapshots get an ACK or a CONFIG NACK, the node keeps serving what it held, never a node fault", async (t) => {
  const outcomes = { decodeRefused: 0, ack: 0, nack: 0 };
  await fc.assert(
    fc.asyncProperty(
      fc.array(arbOp, { minLength: 4, maxLength: 16 }),
      fc.array(arbMutation, { minLength: 1, maxLength: 4 }),
      async (ops, mutations) => {
        const node = modelProcess();
        try {
          const applier = new ConfigApplier(node.holder, node.compile, log);
          const valid = toSnapshot(repair(applyOps(EMPTY_WORLD, ops)), pems, 1n);
          const first = await applier.apply(fullUpdate(valid, 1n));
          assert.equal(first.kind.case, "ack", "the unmutated config is accepted");
          const served = node.holder.table;

          let bytes: Uint8Array = toBinary(SnapshotSchema, valid);
          for (const m of mutations) bytes = mutate(bytes, m);
          let mutated: Snapshot;
          try {
            mutated = fromBinary(SnapshotSchema, bytes);
          } catch {
            outcomes.decodeRefused++;
            return;
          }
          const reply = await applier.apply(fullUpdate(mutated, 2n));
          if (reply.kind.case === "ack") {
            outcomes.ack++;
            assert.equal(node.holder.applied?.version, 2n);
            return;
          }
          assert.equal(reply.kind.case, "nack");
          if (reply.kind.case !== "nack") return;
          outcomes.nack++;
          const error = reply.kind.value.error;
          assert.notEqual(
            error?.code,
            "INTERNAL",
            `a config the node was sent is never its own fault: ${error?.message}`,
          );
          assert.equal(error?.kind, ConfigErrorKind.CONFIG, `${error?.code}: ${error?.message}`);
          assert.equal(reply.kind.value.runningVersion, 1n);
          assert.equal(node.holder.table, served, "the refused config leaves the served table in place");
        } finally {
          await node.close();
        }
      },
    ),
    { numRuns: RUNS, seed: 2112 },
  );
  t.diagnostic(`${RUNS} mutated snapshots: ${JSON.stringify(outcomes)}`);
  // Each outcome shows up, so the mutations reach the decoder, the compile and past both.
  assert.ok(outcomes.decodeRefused > 0 && outcomes.nack > 0 && outcomes.ack > 0, JSON.stringify(outcomes));
});
