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
    waf: process.waf,
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

/** The rule ids a route's compiled WAF runs. */
function ruleIds(w: { rules: { rules(): Iterable<{ id: number }> } }): number[] {
  return [...w.rules.rules()].map((r) => r.id);
}

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

test("WAF: a rule set is compiled once per content hash and settings in a process, and reused across versions", async () => {
  const node = liveNode();
  try {
    const route = (policies: string[], path = "/") => ({
      ...EMPTY_WORLD.routes.get("r0")!,
      policies,
      paths: [{ kind: "prefix" as const, value: path }],
    });
    let world = applyOps(EMPTY_WORLD, [
      { kind: "ruleSet", id: "s0", value: { variant: 1 } },
      { kind: "policy", id: "p0", value: { type: "waf", ruleSet: "s0", paranoia: 1, excludeOn: "r1" } },
      { kind: "route", id: "r0", value: route(["p0"]) },
      { kind: "route", id: "r1", value: route(["p0"], "/login") },
    ]);
    let held: Snapshot | undefined;
    let version = 1n;
    const step = async (ops: Parameters<typeof applyOps>[1], full = false) => {
      world = applyOps(world, ops);
      const { snap, update } = updateFor(world, { ops, full, valid: true, resync: false }, held, ++version, pems);
      const reply = (await node.applier.apply(update)).kind;
      assert.equal(reply.case, "ack", reply.case === "nack" ? JSON.stringify(reply.value.error) : "");
      held = snap;
      return node.holder.table!;
    };
    const v1 = await step([], true);
    const compiles = node.waf.stats.compiles;
    assert.equal(compiles, 2, "the policy's common compile and route r1's (rule 100 excluded there)");
    const r0 = v1.routes.get("r0")!.waf!;
    const r1 = v1.routes.get("r1")!.waf!;
    // 900000 is the policy's own setup (paranoia levels): rule 100 runs on r0, not on r1.
    assert.deepEqual([ruleIds(r0), ruleIds(r1)], [[900000, 100], [900000]]);
    // A route change: nothing is compiled again, every route keeps the same compiled rules.
    const v2 = await step([{ kind: "route", id: "r2", value: route([], "/other") }]);
    assert.equal(node.waf.stats.compiles, compiles);
    assert.equal(v2.routes.get("r0")!.waf!.rules, r0.rules);
    assert.equal(v2.routes.get("r2")!.waf, null);
    // The whole config again (a reconnect): new messages, same content: still nothing compiled.
    const v3 = await step([], true);
    assert.equal(node.waf.stats.compiles, compiles);
    assert.equal(v3.routes.get("r1")!.waf!.rules, r1.rules);
    // The same rule set content under another id: parsed and compiled once already.
    const parses = node.waf.stats.parses;
    await step([
      { kind: "ruleSet", id: "s1", value: { variant: 1 } },
      { kind: "policy", id: "p0", value: { type: "waf", ruleSet: "s1", paranoia: 1, excludeOn: "r1" } },
    ]);
    assert.deepEqual([node.waf.stats.parses, node.waf.stats.compiles], [parses, compiles]);
    // Other settings compile once; the route then runs rules up to paranoia level 2.
    const v5 = await step([
      { kind: "policy", id: "p0", value: { type: "waf", ruleSet: "s1", paranoia: 2, excludeOn: null } },
    ]);
    assert.equal(node.waf.stats.compiles, compiles + 1);
    assert.deepEqual(
      [...v5.routes.get("r1")!.waf!.rules.rules()].map((r) => r.id),
      [900000, 100, 101],
    );
    // A rule set that does not compile is refused naming the rule; the node serves what it held.
    world = applyOps(world, [{ kind: "ruleSet", id: "s1", value: { variant: 2 } }]);
    const { update } = updateFor(world, { ops: [], full: false, valid: false, resync: false }, held, ++version, pems);
    const nack = (await node.applier.apply(update)).kind;
    assert.equal(nack.case, "nack");
    if (nack.case !== "nack") return;
    assert.equal(nack.value.error?.code, "RULE_SET_INVALID");
    assert.equal(nack.value.error?.resource, "rule_set/s1");
    assert.match(nack.value.error?.message ?? "", /rules\/model\.conf:2 rule 102/);
    assert.equal(node.holder.table, v5);
  } finally {
    await node.close();
  }
});
