import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { ConsumerSchema, SnapshotSettingsSchema } from "@palisade/proto";
import { Store } from "../store/store.js";
import { Publisher } from "./publisher.js";
import { buildSnapshot } from "./snapshot.js";

/** A draft with an upstream, a route and one consumer, published once. */
function draft() {
  const store = new Store(":memory:");
  const up = store.insertResource("upstreams", randomUUID(), "up", { targets: [{ host: "127.0.0.1", port: 9000 }] });
  store.insertResource("routes", randomUUID(), "r", { paths: ["/r"], upstream: up.id });
  const alice = store.insertResource("consumers", randomUUID(), "alice", {});
  const publisher = new Publisher(store);
  publisher.publish("v1");
  return { store, publisher, alice };
}

/** The hash the whole-draft reference builder gives for the store's current draft. */
function referenceHash(store: Store): string {
  return buildSnapshot({
    upstreams: store.listResources("upstreams"),
    routes: store.listResources("routes"),
    policies: store.listResources("policies"),
    consumers: store.listResources("consumers"),
    credentials: store.listCredentials(),
  }).hash;
}

test("a credential added to a consumer publishes a version whose delta carries that consumer with it", () => {
  const { store, publisher, alice } = draft();
  const v1 = publisher.latest()!;
  assert.equal(v1.hash, referenceHash(store));
  store.insertCredential(
    { id: "k1", consumer_id: alice.id, type: "api-key", body: { sha256: "ab".repeat(32) }, created_at: "t" },
    `api-key:${"ab".repeat(32)}`,
  );
  const r = publisher.publish("alice's key");
  assert.equal(r.created, true, "a credential is a change of the config");
  assert.equal(publisher.latest()!.hash, referenceHash(store), "incremental publish equals the reference");
  const plan = publisher.planFor({ version: v1.version, hash: v1.hash });
  assert.equal(plan.kind, "delta");
  if (plan.kind !== "delta") return;
  assert.equal(plan.changed.length, 1, "only the consumer travels");
  const consumer = fromBinary(ConsumerSchema, plan.changed[0]!.body);
  assert.deepEqual([consumer.name, consumer.credentials.map((c) => c.id)], ["alice", ["k1"]]);

  store.deleteCredential(alice.id, "k1");
  assert.equal(publisher.publish("revoke").created, true);
  assert.equal(publisher.latest()!.hash, v1.hash, "back to the first content");
  assert.deepEqual(publisher.latest()!.features, ["consumers"], "consumers are a feature of the version");
});

test("the incremental publish refuses an auth-any whose member became a non-authentication policy or is gone", () => {
  const { store, publisher } = draft();
  const jwt = store.insertResource("policies", randomUUID(), "key", { type: "api-key", config: {} });
  store.insertResource("policies", randomUUID(), "any", { type: "auth-any", config: { policies: [jwt.id] } });
  assert.equal(publisher.publish("any-of").created, true);
  store.updateResource("policies", jwt.id, "key", { type: "auth-any", config: { policies: [] } });
  assert.throws(() => publisher.publish("nested"), { code: "VALIDATION_FAILED" });
  store.deleteResource("policies", jwt.id);
  assert.throws(() => publisher.publish("gone"), { code: "REFERENCE_NOT_FOUND" });
});

test("a settings change is a new version whose delta carries the settings resource, matching the reference", () => {
  const { store, publisher } = draft();
  const v1 = publisher.latest()!;
  const hdr = store.insertResource("policies", randomUUID(), "hdr", {
    type: "headers",
    config: { remove: ["server"] },
  });
  publisher.publish("policy");
  const v2 = publisher.latest()!;
  store.putSettings({ global_policies: [hdr.id], merge_slashes: true });
  assert.equal(publisher.publish("settings").created, true, "settings are a change of the config");
  const v3 = publisher.latest()!;
  const ref = buildSnapshot({
    upstreams: store.listResources("upstreams"),
    routes: store.listResources("routes"),
    policies: store.listResources("policies"),
    consumers: store.listResources("consumers"),
    credentials: store.listCredentials(),
    settings: store.getSettings(),
  });
  assert.equal(v3.hash, ref.hash, "incremental publish equals the reference");
  assert.deepEqual(v3.features.includes("settings"), true, "settings are a feature of the version");
  const plan = publisher.planFor({ version: v2.version, hash: v2.hash });
  assert.equal(plan.kind, "delta");
  if (plan.kind !== "delta") return;
  assert.equal(plan.changed.length, 1, "only the settings travel");
  const s = fromBinary(SnapshotSettingsSchema, plan.changed[0]!.body);
  assert.deepEqual([s.id, s.globalPolicyIds, s.requestSettings?.mergeSlashes], ["global", [hdr.id], true]);

  store.putSettings({});
  assert.equal(publisher.publish("defaults").created, true);
  const back = publisher.planFor({ version: v3.version, hash: v3.hash });
  assert.equal(back.kind, "delta");
  if (back.kind === "delta")
    assert.deepEqual(back.removed, [{ field: 11, id: "global" }], "the settings resource is removed");
  assert.notEqual(publisher.latest()!.hash, v1.hash, "the headers policy is still there");
});

test("planning to an older version (a rollback) is a delta of the resources that differ; a fresh publisher loads it from the store", () => {
  const store = new Store(":memory:");
  const up = store.insertResource("upstreams", randomUUID(), "up", { targets: [{ host: "127.0.0.1", port: 9000 }] });
  const routes = Array.from({ length: 10 }, (_, i) =>
    store.insertResource("routes", randomUUID(), `r${i}`, { paths: [`/r${i}`], upstream: up.id }),
  );
  const publisher = new Publisher(store);
  const v1 = publisher.publish("v1").version;
  store.updateResource("routes", routes[3]!.id, "r3", { paths: ["/r3", "/r3b"], upstream: up.id });
  store.deleteResource("routes", routes[7]!.id);
  const v2 = publisher.publish("v2").version;
  for (const p of [publisher, new Publisher(store)]) {
    const old = p.version(v1.version)!;
    assert.equal(old.hash, v1.hash);
    assert.equal(p.version(99), undefined);
    const back = p.planFor({ version: v2.version, hash: v2.hash }, false, old);
    assert.equal(back.kind, "delta");
    if (back.kind !== "delta") return;
    assert.equal(back.baseHash, v2.hash);
    assert.deepEqual(back.removed, [], "v1 has every route of v2");
    assert.deepEqual(
      back.changed.map((r) => r.body.length > 0),
      [true, true],
      "r3 as it was, r7 again: two resources, not the whole config",
    );
    assert.equal(p.planFor({ version: v1.version, hash: v1.hash }, false, old).kind, "none", "in step");
    assert.equal(p.planFor({ version: 5, hash: "unknown" }, false, old).kind, "full", "an unknown base");
    const forward = p.planFor({ version: v1.version, hash: v1.hash });
    assert.equal(forward.kind, "delta", "and forward again to the latest");
  }
});
