import assert from "node:assert/strict";
import { after, type TestContext, test } from "node:test";
import { fromBinary, fromJson, type JsonValue, toBinary, toJson } from "@bufbuild/protobuf";
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
 * meets the garbage. Byte mutations mostly break the wire format; a second property mutates
 * the snapshot's fields through its JSON form (any value replaced by another of any type,
 * strings by hostile ones, array items dropped or doubled), which reaches the compile far more
 * often. Seeded, reproducible; `FUZZ_RUNS` raises the count (the full run).
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

type Outcomes = { decodeRefused: number; ack: number; nack: number };

/**
 * Applies a valid random config, then `mutated(valid)` (undefined = refused by the decoder), and
 * checks the answer: an ACK, or a CONFIG NACK that leaves the served table in place.
 */
async function check(
  ops: Parameters<typeof applyOps>[1],
  mutated: (valid: Snapshot) => Snapshot | undefined,
  outcomes: Outcomes,
) {
  const node = modelProcess();
  try {
    const applier = new ConfigApplier(node.holder, node.compile, log);
    const valid = toSnapshot(repair(applyOps(EMPTY_WORLD, ops)), pems, 1n);
    const first = await applier.apply(fullUpdate(valid, 1n));
    assert.equal(first.kind.case, "ack", "the unmutated config is accepted");
    const served = node.holder.table;
    const next = mutated(valid);
    if (!next) {
      outcomes.decodeRefused++;
      return;
    }
    const reply = await applier.apply(fullUpdate(next, 2n));
    if (reply.kind.case === "ack") {
      outcomes.ack++;
      assert.equal(node.holder.applied?.version, 2n);
      return;
    }
    assert.equal(reply.kind.case, "nack");
    if (reply.kind.case !== "nack") return;
    outcomes.nack++;
    const error = reply.kind.value.error;
    assert.notEqual(error?.code, "INTERNAL", `a config the node was sent is never its own fault: ${error?.message}`);
    assert.equal(error?.kind, ConfigErrorKind.CONFIG, `${error?.code}: ${error?.message}`);
    assert.equal(reply.kind.value.runningVersion, 1n);
    assert.equal(node.holder.table, served, "the refused config leaves the served table in place");
  } finally {
    await node.close();
  }
}

/**
 * Runs {@link check} over random valid configs and arrays of `arbEdit`, each snapshot changed by
 * `change(valid, edits)`; reports the outcomes and requires each to show up (so the edits reach
 * the decoder, the compile and past both).
 */
async function fuzzSnapshots<E>(
  t: TestContext,
  what: string,
  arbEdit: fc.Arbitrary<E>,
  change: (valid: Snapshot, edits: E[]) => Snapshot | undefined,
  seed: number,
): Promise<void> {
  const outcomes: Outcomes = { decodeRefused: 0, ack: 0, nack: 0 };
  await fc.assert(
    fc.asyncProperty(
      fc.array(arbOp, { minLength: 4, maxLength: 16 }),
      fc.array(arbEdit, { minLength: 1, maxLength: 4 }),
      (ops, edits) => check(ops, (valid) => change(valid, edits), outcomes),
    ),
    { numRuns: RUNS, seed },
  );
  t.diagnostic(`${RUNS} ${what} snapshots: ${JSON.stringify(outcomes)}`);
  assert.ok(outcomes.decodeRefused > 0 && outcomes.nack > 0 && outcomes.ack > 0, JSON.stringify(outcomes));
}

test("fuzz: byte-mutated snapshots get an ACK or a CONFIG NACK, the node keeps serving what it held, never a node fault", (t) =>
  fuzzSnapshots(
    t,
    "byte-mutated",
    arbMutation,
    (valid, mutations) => {
      let bytes: Uint8Array = toBinary(SnapshotSchema, valid);
      for (const m of mutations) bytes = mutate(bytes, m);
      try {
        return fromBinary(SnapshotSchema, bytes);
      } catch {
        return undefined;
      }
    },
    2112,
  ));

/** A hostile JSON value of any type. */
const arbHostile: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", "*", "/", "//", "/..", "%00", "a\r\nb", "\u0000", "[", "(?=a)", "0.0.0.0/0", "::", "-1", "1e400"),
  fc.integer(),
  fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308),
  fc.boolean(),
  fc.constant(null),
  fc.constant([] as JsonValue[]),
  fc.constant({} as { [k: string]: JsonValue }),
);

/** One field-level edit, addressed by a path of numbers taken modulo what exists at each level. */
interface FieldEdit {
  path: number[];
  action: "replace" | "drop" | "double";
  value: JsonValue;
  /** Keep the field's JSON type (a string stays a string…), so the decoder lets it through to the compile. */
  sameType: boolean;
}
const arbFieldEdit: fc.Arbitrary<FieldEdit> = fc.record({
  path: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
  action: fc.constantFrom("replace" as const, "replace" as const, "drop" as const, "double" as const),
  value: arbHostile,
  sameType: fc.boolean(),
});

/** What replaces `old`: the edit's value, or, when the edit keeps the type, a value of `old`'s type made from it. */
function replacement(old: JsonValue | undefined, edit: FieldEdit): JsonValue {
  if (!edit.sameType) return edit.value;
  const v = edit.value;
  if (typeof old === "string") return typeof v === "string" ? v : JSON.stringify(v);
  if (typeof old === "number") return typeof v === "number" ? v : -1;
  if (typeof old === "boolean") return !old;
  return v;
}

/** Applies `edit` to `root` in place: walks the path through objects and arrays, edits where it stops. */
function applyFieldEdit(root: JsonValue, edit: FieldEdit): void {
  let node: JsonValue = root;
  for (let depth = 0; depth < edit.path.length; depth++) {
    const step = edit.path[depth] as number;
    const last = depth === edit.path.length - 1;
    if (Array.isArray(node)) {
      if (node.length === 0) return;
      const i = step % node.length;
      const child = node[i] as JsonValue;
      if (last || child === null || typeof child !== "object") {
        if (edit.action === "drop") node.splice(i, 1);
        else if (edit.action === "double") node.splice(i, 0, structuredClone(child));
        else node[i] = replacement(child, edit);
        return;
      }
      node = child;
    } else if (node !== null && typeof node === "object") {
      const keys = Object.keys(node);
      if (keys.length === 0) return;
      const key = keys[step % keys.length] as string;
      const child = node[key] as JsonValue;
      if (last || child === null || typeof child !== "object") {
        if (edit.action === "drop") delete node[key];
        else node[key] = replacement(child, edit);
        return;
      }
      node = child;
    } else return;
  }
}

test("fuzz: field-mutated snapshots get an ACK or a CONFIG NACK, the node keeps serving what it held, never a node fault", (t) =>
  fuzzSnapshots(
    t,
    "field-mutated",
    arbFieldEdit,
    (valid, edits) => {
      const json = toJson(SnapshotSchema, valid);
      for (const e of edits) applyFieldEdit(json, e);
      try {
        return fromJson(SnapshotSchema, json);
      } catch {
        return undefined;
      }
    },
    2113,
  ));
