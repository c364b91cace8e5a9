import assert from "node:assert/strict";
import { test } from "node:test";
import { Store } from "../store/store.js";
import { AckRecorder } from "./ack-recorder.js";

async function storeWithNodes(ids: readonly string[]) {
  const store = await Store.open(":memory:");
  for (const id of ids)
    await store.upsertNodeHello({
      id,
      region: "eu",
      labels: {},
      softwareVersion: "test",
      policyTypes: [],
      appliedVersion: 0,
      appliedHash: "",
      features: [],
      reportIntervalMs: 5000,
      certSerial: null,
      certNotAfter: null,
    });
  return store;
}

test("ACKs of many nodes are stored together; each call resolves once its batch is stored, in order", async () => {
  const ids = ["n1", "n2", "n3"];
  const store = await storeWithNodes(ids);
  const acks = new AckRecorder(store, 5);
  await Promise.all([
    ...ids.map((id) => acks.recordAck(id, 1, "h1")),
    acks.recordAck("n1", 2, "h2"), // a later ACK of the same node, same batch: it wins
  ]);
  const nodes = await Promise.all(ids.map((id) => store.getNode(id)));
  assert.deepEqual(
    nodes.map((n) => [n?.applied_version, n?.applied_hash]),
    [
      [2, "h2"],
      [1, "h1"],
      [1, "h1"],
    ],
  );
  await store.close();
});

test("a full batch is written at once; a failed batch rejects each of its ACKs", async () => {
  const store = await storeWithNodes(["n1", "n2"]);
  const acks = new AckRecorder(store, 60_000, 2);
  await Promise.all([acks.recordAck("n1", 3, "h3"), acks.recordAck("n2", 3, "h3")]); // no 60 s wait
  assert.equal((await store.getNode("n2"))?.applied_version, 3);
  await store.close();
  const failed = acks.recordAck("n1", 4, "h4");
  await acks.flush();
  await assert.rejects(failed);
});
