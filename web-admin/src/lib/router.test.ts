/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { match } from "./router.tsx";

test("routes match by segment and decode parameters", () => {
  assert.deepEqual(match("/", "/"), {});
  assert.deepEqual(match("/fleet/nodes/:id", "/fleet/nodes/edge%201"), { id: "edge 1" });
  assert.deepEqual(match("/config/:kind", "/config/routes/"), { kind: "routes" });
  assert.equal(match("/config/:kind", "/config/routes/x"), null);
  assert.equal(match("/fleet", "/"), null);
  assert.equal(match("/x/:id", "/x/%E0%A4%A"), null, "a bad escape is no match, not a crash");
});
