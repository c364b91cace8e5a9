/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import type { SnapshotJson } from "../api/types.ts";
import { jsonDiff, lineDiff, snapshotDiff, summarize } from "./diff.ts";

test("lineDiff keeps common lines and marks additions and removals in order", () => {
  assert.deepEqual(lineDiff("a\nb\nc", "a\nx\nc\nd"), [
    { op: " ", text: "a" },
    { op: "-", text: "b" },
    { op: "+", text: "x" },
    { op: " ", text: "c" },
    { op: "+", text: "d" },
  ]);
  assert.deepEqual(lineDiff("", "a"), [{ op: "+", text: "a" }]);
  assert.deepEqual(lineDiff("a", ""), [{ op: "-", text: "a" }]);
  assert.deepEqual(lineDiff("same", "same"), [{ op: " ", text: "same" }]);
});

const v1: SnapshotJson = {
  upstreams: [{ id: "u1", name: "orders", targets: [{ host: "10.0.0.5", port: 80 }] }],
  policies: [{ id: "p1", name: "jwt-a", jwt: { algorithms: ["RS256"] } }],
  routes: [
    { id: "r1", name: "orders", upstreamId: "u1", policyIds: ["p1"], paths: [{ prefix: "/orders" }] },
    { id: "r2", name: "legacy", upstreamId: "u1" },
  ],
};

test("snapshotDiff lists added, removed and changed resources by id, with references as names", () => {
  const v2: SnapshotJson = {
    upstreams: v1.upstreams,
    policies: v1.policies,
    routes: [
      { id: "r1", name: "orders-v2", upstreamId: "u1", policyIds: ["p1"], paths: [{ prefix: "/orders" }] },
      { id: "r3", name: "billing", upstreamId: "u1" },
    ],
  };
  const changes = snapshotDiff(v1, v2);
  assert.deepEqual(
    changes.map((c) => [c.kind, c.name, c.change]),
    [
      ["routes", "billing", "added"],
      ["routes", "legacy", "removed"],
      ["routes", "orders-v2", "changed"],
    ],
  );
  const renamed = changes.find((c) => c.id === "r1")!;
  assert.ok(renamed.lines.some((l) => l.op === "-" && l.text.includes('"name": "orders"')));
  assert.ok(renamed.lines.some((l) => l.op === "+" && l.text.includes('"name": "orders-v2"')));
  assert.ok(
    renamed.lines.some((l) => l.op === " " && l.text.includes('"upstream": "orders"')),
    "ids read as names",
  );
  assert.ok(renamed.lines.some((l) => l.text.includes('"jwt-a"')));
  assert.equal(summarize(changes), "1 added, 1 changed, 1 removed");
  assert.deepEqual(snapshotDiff(v1, v1), []);
  assert.equal(summarize([]), "no changes");
  assert.equal(snapshotDiff(null, v1).length, 4, "everything is added against nothing");
});

test("jsonDiff compares with sorted keys, so key order is no change", () => {
  assert.ok(jsonDiff({ a: 1, b: 2 }, { b: 2, a: 1 }).every((l) => l.op === " "));
  assert.ok(jsonDiff(null, { a: 1 }).every((l) => l.op === "+"));
});
