import assert from "node:assert/strict";
import { test } from "node:test";
import { isPartial, joinerStage, matches, type SelectableNode, selectNodes } from "./selection.js";
import { defaultStages } from "./strategy.js";
import type { RolloutRecord } from "./types.js";

const nodes: SelectableNode[] = [
  { id: "eu-1", region: "eu-west", labels: { tier: "edge" } },
  { id: "eu-2", region: "eu-west", labels: { tier: "edge", canary: "yes" } },
  { id: "us-1", region: "us-east", labels: { tier: "edge" } },
  { id: "ap-1", region: "ap-south", labels: {} },
];

test("criteria all hold: regions, labels, node ids; an empty selector selects every node", () => {
  assert.deepEqual(selectNodes({ regions: ["eu-west"] }, nodes, "r1").sort(), ["eu-1", "eu-2"]);
  assert.deepEqual(selectNodes({ labels: { tier: "edge", canary: "yes" } }, nodes, "r1"), ["eu-2"]);
  assert.deepEqual(selectNodes({ regions: ["eu-west", "us-east"], node_ids: ["us-1", "ap-1"] }, nodes, "r1"), ["us-1"]);
  assert.equal(selectNodes({}, nodes, "r1").length, 4);
  assert.equal(matches({ labels: { tier: "edge" } }, nodes[3]!), false);
});

test("percent takes ceil(p × matching) in a stable order that depends on the rollout id only", () => {
  const many = Array.from({ length: 40 }, (_, i) => ({ id: `n${i}`, region: "eu", labels: {} }));
  const ten = selectNodes({ percent: 10 }, many, "rollout-a");
  assert.equal(ten.length, 4);
  assert.equal(selectNodes({ percent: 1 }, many, "rollout-a").length, 1, "ceil: 1 % of 40 is one node");
  assert.deepEqual(
    selectNodes({ percent: 10 }, [...many].reverse(), "rollout-a"),
    ten,
    "inventory order does not matter",
  );
  const half = selectNodes({ percent: 50 }, many, "rollout-a");
  assert.deepEqual(half.slice(0, 4), ten, "a smaller cut is a prefix of a larger one: touched nodes stay chosen");
  assert.notDeepEqual(selectNodes({ percent: 10 }, many, "rollout-b"), ten, "another rollout picks other nodes");
  assert.equal(selectNodes({ count: 1 }, many, "rollout-a")[0], ten[0]);
});

test("the default strategy: canary, the canary's region first, the other regions sorted, then all", () => {
  const stages = defaultStages(nodes, "r1", { soak_s: 5 });
  const canary = selectNodes({ count: 1 }, nodes, "r1")[0]!;
  const region = nodes.find((n) => n.id === canary)!.region;
  const others = ["ap-south", "eu-west", "us-east"].filter((r) => r !== region);
  assert.deepEqual(
    stages.map((s) => s.name),
    ["canary", `region ${region}`, ...others.map((r) => `region ${r}`), "all"],
  );
  assert.equal(stages[0]!.soak_s, 5);
  assert.equal(stages.at(-1)!.soak_s, 0);
  assert.deepEqual(stages.at(-1)!.gates, []);
  assert.ok(stages[0]!.gates.some((g) => g.metric === "error_rate_5xx"));
});

test("a node that joins gets the last reached stage that matches it fully; partial stages and pending ones do not take it", () => {
  const stage = (name: string, selector: object, state: string) => ({ name, selector, state }) as never;
  const r = {
    current_stage: 2,
    stages: [
      stage("canary", { count: 1 }, "passed"),
      stage("eu", { regions: ["eu-west"] }, "passed"),
      stage("us", { regions: ["us-east"] }, "running"),
      stage("all", {}, "pending"),
    ],
  } as unknown as RolloutRecord;
  assert.equal(joinerStage(r, { id: "eu-9", region: "eu-west", labels: {} }), 1);
  assert.equal(joinerStage(r, { id: "us-9", region: "us-east", labels: {} }), 2);
  assert.equal(
    joinerStage(r, { id: "ap-9", region: "ap-south", labels: {} }),
    undefined,
    "its stage (all) not reached",
  );
  assert.equal(isPartial({ percent: 100 }), false);
  assert.equal(isPartial({ percent: 50 }), true);
});
