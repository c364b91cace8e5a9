import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Snapshot, StreamConfigRequest } from "@palisade/proto";
import fc from "fast-check";
import { ConfigApplier } from "../sync/config-applier.js";
import {
  applyOps,
  arbEdit,
  arbOp,
  arbRouteProbe,
  describeTable,
  type Edit,
  EMPTY_WORLD,
  modelPems,
  type RouteProbe,
  updateFor,
} from "../test/config-model.js";
import { log } from "../test/fixtures.js";
import { closeReferences, fromScratch, modelProcess } from "../test/model-node.js";
import { CompileError } from "./compile-error.js";

/**
 * The node keeps what it compiled across config applies: unchanged upstreams, consumers,
 * policies, routes and the mTLS host table are reused from the previous table, the router is
 * updated bucket by bucket, TLS contexts and upstream state are cached, and a delta is applied to
 * the resources it holds (ConfigState). These properties drive a real ConfigApplier with the
 * node's compile through random sequences of edits of every kind, as deltas (sometimes full
 * updates), and after every update require what a fresh node compiling the same config from
 * scratch would do: the same ACK or NACK (code and resource), and a live table that behaves the
 * same (test/config-model.ts describeTable).
 */

const pems = modelPems();
after(() => pems.dispose());
after(closeReferences);

function liveNode() {
  const process = modelProcess();
  return {
    holder: process.holder,
    applier: new ConfigApplier(process.holder, process.compile, log),
    close: process.close,
  };
}

test("property: a node applying any sequence of config edits serves what a node compiling each version from scratch serves", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(arbOp, { maxLength: 12 }),
      fc.array(arbEdit, { minLength: 1, maxLength: 10 }),
      fc.array(arbRouteProbe, { minLength: 20, maxLength: 30 }),
      async (initial, steps, probes) => {
        const node = liveNode();
        try {
          await run(node, initial, steps, probes);
        } finally {
          await node.close();
        }
      },
    ),
    { numRuns: 150 },
  );
});

async function run(
  node: ReturnType<typeof liveNode>,
  initial: Parameters<typeof applyOps>[1],
  steps: readonly Edit[],
  probes: readonly RouteProbe[],
): Promise<void> {
  let world = EMPTY_WORLD;
  let version = 1n;
  // The config the node should hold (the last one it ACKed) and the table that goes with it.
  let held: Snapshot | undefined;
  let heldTable = undefined as Awaited<ReturnType<typeof describeTable>> | undefined;
  const all = [{ ops: initial, full: true, valid: true, resync: false }, ...steps];
  for (const [n, step] of all.entries()) {
    world = applyOps(world, step.ops);
    const { snap, update } = updateFor(world, step, held, ++version, pems);
    const reply: StreamConfigRequest["kind"] = (await node.applier.apply(update)).kind;
    const expected = fromScratch(snap);
    const at = `step ${n} (${update.full ? "full" : "delta"}): ${JSON.stringify(step.ops)}`;
    if (expected instanceof CompileError) {
      assert.equal(
        reply.case,
        "nack",
        `${at}: a from-scratch compile refuses it (${expected.code} ${expected.resource})`,
      );
      assert.deepEqual(
        reply.case === "nack" && [reply.value.error?.code, reply.value.error?.resource],
        [expected.code, expected.resource],
        at,
      );
      // The node goes on serving what it held.
      if (heldTable !== undefined)
        assert.deepEqual(await describeTable(node.holder.table!, probes), heldTable, `${at}: the old table serves`);
      continue;
    }
    assert.equal(reply.case, "ack", `${at}: ${reply.case === "nack" ? JSON.stringify(reply.value.error) : ""}`);
    const want = await describeTable(expected, probes);
    assert.deepEqual(await describeTable(node.holder.table!, probes), want, at);
    held = snap;
    heldTable = want;
  }
}
