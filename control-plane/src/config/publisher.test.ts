import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { ConsumerSchema, SnapshotSettingsSchema } from "@palisade/proto";
import { Store } from "../store/store.js";
import { Publisher } from "./publisher.js";
import { buildSnapshot } from "./snapshot.js";

/** A draft with an upstream, a route and one consumer, published once. */
async function draft() {
  const store = await Store.open(":memory:");
  const up = await store.insertResource("upstreams", randomUUID(), "up", {
    targets: [{ host: "127.0.0.1", port: 9000 }],
  });
  await store.insertResource("routes", randomUUID(), "r", { paths: ["/r"], upstream: up.id });
  const alice = await store.insertResource("consumers", randomUUID(), "alice", {});
  const publisher = await Publisher.open(store);
  await publisher.publish("v1");
  return { store, publisher, alice };
}

/** The hash the whole-draft reference builder gives for the store's current draft. */
async function referenceHash(store: Store): Promise<string> {
  return buildSnapshot({
    upstreams: await store.listResources("upstreams"),
    routes: await store.listResources("routes"),
    policies: await store.listResources("policies"),
    consumers: await store.listResources("consumers"),
    credentials: await store.listCredentials(),
  }).hash;
}

test("a credential added to a consumer publishes a version whose delta carries that consumer with it", async () => {
  const { store, publisher, alice } = await draft();
  const v1 = publisher.latest()!;
  assert.equal(v1.hash, await referenceHash(store));
  await store.insertCredential(
    { id: "k1", consumer_id: alice.id, type: "api-key", body: { sha256: "ab".repeat(32) }, created_at: "t" },
    `api-key:${"ab".repeat(32)}`,
  );
  const r = await publisher.publish("alice's key");
  assert.equal(r.created, true, "a credential is a change of the config");
  assert.equal(publisher.latest()!.hash, await referenceHash(store), "incremental publish equals the reference");
  const plan = publisher.planFor({ version: v1.version, hash: v1.hash });
  assert.equal(plan.kind, "delta");
  if (plan.kind !== "delta") return;
  assert.equal(plan.changed.length, 1, "only the consumer travels");
  const consumer = fromBinary(ConsumerSchema, plan.changed[0]!.body);
  assert.deepEqual([consumer.name, consumer.credentials.map((c) => c.id)], ["alice", ["k1"]]);

  await store.deleteCredential(alice.id, "k1");
  assert.equal((await publisher.publish("revoke")).created, true);
  assert.equal(publisher.latest()!.hash, v1.hash, "back to the first content");
  assert.deepEqual(publisher.latest()!.features, ["consumers"], "consumers are a feature of the version");
});

test("the incremental publish refuses an auth-any whose member became a non-authentication policy or is gone", async () => {
  const { store, publisher } = await draft();
  const jwt = await store.insertResource("policies", randomUUID(), "key", { type: "api-key", config: {} });
  await store.insertResource("policies", randomUUID(), "any", { type: "auth-any", config: { policies: [jwt.id] } });
  assert.equal((await publisher.publish("any-of")).created, true);
  await store.updateResource("policies", jwt.id, "key", { type: "auth-any", config: { policies: [] } });
  await assert.rejects(() => publisher.publish("nested"), { code: "VALIDATION_FAILED" });
  await store.deleteResource("policies", jwt.id);
  await assert.rejects(() => publisher.publish("gone"), { code: "REFERENCE_NOT_FOUND" });
});

test("a settings change is a new version whose delta carries the settings resource, matching the reference", async () => {
  const { store, publisher } = await draft();
  const v1 = publisher.latest()!;
  const hdr = await store.insertResource("policies", randomUUID(), "hdr", {
    type: "headers",
    config: { remove: ["server"] },
  });
  await publisher.publish("policy");
  const v2 = publisher.latest()!;
  await store.putSettings({ global_policies: [hdr.id], merge_slashes: true });
  assert.equal((await publisher.publish("settings")).created, true, "settings are a change of the config");
  const v3 = publisher.latest()!;
  const ref = buildSnapshot({
    upstreams: await store.listResources("upstreams"),
    routes: await store.listResources("routes"),
    policies: await store.listResources("policies"),
    consumers: await store.listResources("consumers"),
    credentials: await store.listCredentials(),
    settings: await store.getSettings(),
  });
  assert.equal(v3.hash, ref.hash, "incremental publish equals the reference");
  assert.deepEqual(v3.features.includes("settings"), true, "settings are a feature of the version");
  const plan = publisher.planFor({ version: v2.version, hash: v2.hash });
  assert.equal(plan.kind, "delta");
  if (plan.kind !== "delta") return;
  assert.equal(plan.changed.length, 1, "only the settings travel");
  const s = fromBinary(SnapshotSettingsSchema, plan.changed[0]!.body);
  assert.deepEqual([s.id, s.globalPolicyIds, s.requestSettings?.mergeSlashes], ["global", [hdr.id], true]);

  await store.putSettings({});
  assert.equal((await publisher.publish("defaults")).created, true);
  const back = publisher.planFor({ version: v3.version, hash: v3.hash });
  assert.equal(back.kind, "delta");
  if (back.kind === "delta")
    assert.deepEqual(back.removed, [{ field: 11, id: "global" }], "the settings resource is removed");
  assert.notEqual(publisher.latest()!.hash, v1.hash, "the headers policy is still there");
});

test("planning to an older version (a rollback) is a delta of the resources that differ; a fresh publisher loads it from the store", async () => {
  const store = await Store.open(":memory:");
  const up = await store.insertResource("upstreams", randomUUID(), "up", {
    targets: [{ host: "127.0.0.1", port: 9000 }],
  });
  const routes = [];
  for (let i = 0; i < 10; i++)
    routes.push(await store.insertResource("routes", randomUUID(), `r${i}`, { paths: [`/r${i}`], upstream: up.id }));
  const publisher = await Publisher.open(store);
  const v1 = (await publisher.publish("v1")).version;
  await store.updateResource("routes", routes[3]!.id, "r3", { paths: ["/r3", "/r3b"], upstream: up.id });
  await store.deleteResource("routes", routes[7]!.id);
  const v2 = (await publisher.publish("v2")).version;
  for (const p of [publisher, await Publisher.open(store)]) {
    const old = (await p.version(v1.version))!;
    assert.equal(old.hash, v1.hash);
    assert.equal(await p.version(99), undefined);
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
