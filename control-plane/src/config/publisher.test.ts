import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { ConsumerSchema } from "@palisade/proto";
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
