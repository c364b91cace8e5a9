// SyncClient.sendSecurityEvents against a fake control plane: batches on the stream, forgotten on
// the ACK, sent again after a reconnect when unacknowledged, bounded with counted drops.
import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { type SecurityEventBatch, StreamConfigResponseSchema } from "@palisade/proto";
import { TableHolder } from "../config/table-holder.js";
import { fakeControlPlane } from "../test/fake-control-plane.js";
import { log } from "../test/fixtures.js";
import { SyncClient } from "./sync-client.js";

const event = (i: number) => ({ id: `e-${i}`, ecsJson: `{"event":{"id":"e-${i}"}}` });

function client(port: number, opts: ConstructorParameters<typeof SyncClient>[0]["securityEvents"] = {}) {
  const holder = new TableHolder();
  return new SyncClient({
    addresses: [`127.0.0.1:${port}`],
    identity: { nodeId: "dp-ev", region: "eu", labels: {}, softwareVersion: "0.1.0", policyTypes: [] },
    holder,
    applier: { apply: () => Promise.reject(new Error("no updates in this test")) },
    log,
    backoff: { baseMs: 10, capMs: 20 },
    securityEvents: opts,
  });
}

/** The security-event batches a stream received, in order. */
function batches(messages: readonly { kind: { case?: string; value?: unknown } }[]): SecurityEventBatch[] {
  return messages.filter((m) => m.kind.case === "securityEvents").map((m) => m.kind.value as SecurityEventBatch);
}

function ack(batch: SecurityEventBatch, stored = batch.events.length) {
  return create(StreamConfigResponseSchema, {
    kind: { case: "securityEventsAck", value: { batchId: batch.batchId, stored } },
  });
}

test("events go out in batches within the window, and the ACK frees the window", async () => {
  const cp = await fakeControlPlane();
  const c = client(cp.port, { batchMaxEvents: 3, window: 2 });
  try {
    c.sendSecurityEvents([0, 1, 2, 3, 4, 5, 6, 7].map(event)); // queued before the stream is up
    c.start();
    await cp.until(() => batches(cp.streams[0]?.messages ?? []).length === 2);
    const s = cp.streams[0]!;
    const [b1, b2] = batches(s.messages);
    assert.deepEqual(
      [b1!.events.map((e) => e.id), b2!.events.map((e) => e.id)],
      [
        ["e-0", "e-1", "e-2"],
        ["e-3", "e-4", "e-5"],
      ],
    );
    assert.equal(b1!.events[0]!.ecsJson, event(0).ecsJson);
    assert.deepEqual(c.securityEventStats(), { waiting: 2, inFlight: 6, acknowledged: 0, dropped: 0, rejected: 0 });
    s.call.write(ack(b1!));
    await cp.until(() => batches(s.messages).length === 3);
    assert.deepEqual(
      batches(s.messages)[2]!.events.map((e) => e.id),
      ["e-6", "e-7"],
    );
    s.call.write(ack(b2!));
    s.call.write(ack(batches(s.messages)[2]!));
    await cp.until(() => c.securityEventStats().acknowledged === 8);
    assert.deepEqual(c.securityEventStats(), { waiting: 0, inFlight: 0, acknowledged: 8, dropped: 0, rejected: 0 });
  } finally {
    c.close();
    cp.close();
  }
});

test("unacknowledged batches are sent again, in order, after a reconnect", async () => {
  const cp = await fakeControlPlane();
  const c = client(cp.port, { batchMaxEvents: 2, window: 2 });
  try {
    c.start();
    await cp.until(() => cp.streams[0]?.messages.length === 1);
    c.sendSecurityEvents([0, 1, 2, 3, 4].map(event));
    await cp.until(() => batches(cp.streams[0]!.messages).length === 2);
    const first = cp.streams[0]!;
    first.call.write(ack(batches(first.messages)[0]!)); // e-0, e-1 stored
    await cp.until(() => batches(first.messages).length === 3);
    // The control plane goes away before acknowledging the rest.
    first.call.end();
    await cp.until(() => batches(cp.streams[1]?.messages ?? []).length >= 2);
    const resent = batches(cp.streams[1]!.messages).flatMap((b) => b.events.map((e) => e.id));
    assert.deepEqual(resent, ["e-2", "e-3", "e-4"], "what was not acknowledged, nothing that was");
  } finally {
    c.close();
    cp.close();
  }
});

test("a full outbox drops the oldest waiting events, counts them and says so in the next batch", async () => {
  const cp = await fakeControlPlane();
  const c = client(cp.port, { capacity: 4, batchMaxEvents: 10, window: 1 });
  try {
    c.sendSecurityEvents([0, 1, 2, 3, 4, 5].map(event));
    c.sendSecurityEvents([{ id: "huge", ecsJson: "x".repeat(17 * 1024) }]);
    assert.deepEqual(c.securityEventStats(), { waiting: 4, inFlight: 0, acknowledged: 0, dropped: 2, rejected: 1 });
    c.start();
    await cp.until(() => batches(cp.streams[0]?.messages ?? []).length === 1);
    const b = batches(cp.streams[0]!.messages)[0]!;
    assert.deepEqual(
      b.events.map((e) => e.id),
      ["e-2", "e-3", "e-4", "e-5"],
    );
    assert.equal(b.dropped, 2n);
  } finally {
    c.close();
    cp.close();
  }
});
