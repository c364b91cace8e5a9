import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { ConfigUpdateSchema, PolicySchema, type Snapshot } from "@palisade/proto";
import { compile } from "../config/compile.js";
import { TableHolder } from "../config/table-holder.js";
import { log, route, snapshot, upstream } from "../test/fixtures.js";
import { ConfigApplier } from "./config-applier.js";

const good = (version: bigint, hash: string) =>
  snapshot({ upstreams: [upstream("u", ["127.0.0.1:1"])], routes: [route("r", "u", ["/"])] }, version, hash);
const bad = (version: bigint) =>
  snapshot({ policies: [create(PolicySchema, { id: "future" })] }, version, `bad-${version}`);

function setup() {
  const holder = new TableHolder();
  let compiles = 0;
  const applier = new ConfigApplier(
    holder,
    (s: Snapshot) => {
      compiles++;
      return compile(s, { policyTypes: new Set(["jwt"]) });
    },
    log,
  );
  const update = (version: bigint, s: Snapshot | undefined, nonce = `n${version}`) =>
    applier.apply(create(ConfigUpdateSchema, { version, nonce, snapshot: s }));
  return { holder, update, compiles: () => compiles };
}

test("a good snapshot is compiled, swapped in and ACKed with version and nonce", () => {
  const { holder, update } = setup();
  const reply = update(1n, good(1n, "h1"));
  assert.equal(reply.kind.case, "ack");
  assert.deepEqual(reply.kind.case === "ack" && { v: reply.kind.value.version, n: reply.kind.value.nonce }, {
    v: 1n,
    n: "n1",
  });
  assert.equal(holder.applied?.version, 1n);
  assert.equal(holder.table?.hash, "h1");
});

test("a bad snapshot is NACKed with the running version and the error; the old table keeps serving", () => {
  const { holder, update } = setup();
  update(1n, good(1n, "h1"));
  const before = holder.table;
  const reply = update(2n, bad(2n));
  assert.equal(reply.kind.case, "nack");
  if (reply.kind.case !== "nack") return;
  assert.equal(reply.kind.value.rejectedVersion, 2n);
  assert.equal(reply.kind.value.runningVersion, 1n);
  assert.equal(reply.kind.value.nonce, "n2");
  assert.deepEqual(
    { code: reply.kind.value.error?.code, resource: reply.kind.value.error?.resource },
    { code: "POLICY_TYPE_UNKNOWN", resource: "policy/future" },
  );
  assert.equal(holder.table, before);
  assert.equal(holder.applied?.version, 1n);
});

test("the same hash is ACKed without recompiling", () => {
  const { holder, update, compiles } = setup();
  update(1n, good(1n, "h1"));
  const before = holder.table;
  const reply = update(2n, good(2n, "h1"));
  assert.equal(reply.kind.case, "ack");
  assert.equal(compiles(), 1);
  assert.equal(holder.table, before);
  assert.equal(holder.applied?.version, 2n);
});

test("an update without a snapshot is NACKed", () => {
  const { update } = setup();
  const reply = update(3n, undefined);
  assert.equal(reply.kind.case, "nack");
  assert.equal(reply.kind.case === "nack" && reply.kind.value.error?.code, "SNAPSHOT_INVALID");
  assert.equal(reply.kind.case === "nack" && reply.kind.value.runningVersion, 0n);
});
