import assert from "node:assert/strict";
import { test } from "node:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { SnapshotSchema, StreamConfigRequestSchema, type StreamConfigResponse } from "@palisade/proto";
import { pino } from "pino";
import type { PublishedVersion } from "../config/publisher.js";
import { Store } from "../store/store.js";
import { StreamSession } from "./stream-session.js";

const log = pino({ level: "silent" });

function version(n: number): PublishedVersion {
  return {
    version: n,
    hash: `h${n}`,
    message: "",
    created_at: "",
    snapshot: create(SnapshotSchema, { version: BigInt(n), hash: `h${n}` }),
  };
}

function harness(latest: PublishedVersion | undefined) {
  const store = new Store(":memory:");
  const sent: StreamConfigResponse[] = [];
  const failures: string[] = [];
  const source = { current: latest, latest: () => source.current };
  const session = new StreamSession(store, source, { send: (m) => sent.push(m), fail: (r) => failures.push(r) }, log);
  const msg = (kind: MessageInitShape<typeof StreamConfigRequestSchema>["kind"]) =>
    session.receive(create(StreamConfigRequestSchema, { kind }));
  const hello = (nodeId = "n1", appliedVersion = 0n, appliedHash = "") =>
    msg({ case: "hello", value: { nodeId, region: "eu", appliedVersion, appliedHash } });
  const lastUpdate = () => {
    const k = sent.at(-1)?.kind;
    assert.equal(k?.case, "update");
    return k!.value;
  };
  return { store, sent, failures, source, session, msg, hello, lastUpdate };
}

test("a hello is answered with the latest version and the ACK is recorded", () => {
  const h = harness(version(3));
  h.hello();
  assert.equal(h.sent.length, 1);
  const u = h.lastUpdate();
  assert.equal(u.version, 3n);
  h.msg({ case: "ack", value: { version: 3n, nonce: u.nonce } });
  const node = h.store.getNode("n1")!;
  assert.equal(node.applied_version, 3);
  assert.equal(node.connected, true);
  assert.ok(node.last_ack_at);
});

test("a node that already runs the latest version is sent nothing", () => {
  const h = harness(version(3));
  h.hello("n1", 3n, "h3");
  assert.equal(h.sent.length, 0);
});

test("an ACK with a stale nonce is ignored", () => {
  const h = harness(version(1));
  h.hello();
  h.msg({ case: "ack", value: { version: 1n, nonce: "not-the-nonce" } });
  assert.equal(h.store.getNode("n1")!.applied_version, 0);
});

test("a NACKed version is recorded with its reason and never re-sent, a newer one is", () => {
  const h = harness(version(2));
  h.hello("n1", 1n, "h1");
  const u = h.lastUpdate();
  h.msg({
    case: "nack",
    value: {
      rejectedVersion: 2n,
      runningVersion: 1n,
      nonce: u.nonce,
      error: { code: "POLICY_TYPE_UNSUPPORTED", message: "no jwt here", resource: "policy/j" },
    },
  });
  const node = h.store.getNode("n1")!;
  assert.deepEqual(
    {
      v: node.last_nack?.version,
      code: node.last_nack?.code,
      res: node.last_nack?.resource,
      applied: node.applied_version,
    },
    { v: 2, code: "POLICY_TYPE_UNSUPPORTED", res: "policy/j", applied: 1 },
  );
  h.session.offerLatest();
  assert.equal(h.sent.length, 1, "refused version offered again");
  h.source.current = version(3);
  h.session.offerLatest();
  assert.equal(h.sent.length, 2);
  assert.equal(h.lastUpdate().version, 3n);
});

test("after a reconnect, the version a node refused before is not re-sent", () => {
  const h = harness(version(2));
  h.hello("n1", 1n, "h1");
  h.msg({
    case: "nack",
    value: { rejectedVersion: 2n, runningVersion: 1n, nonce: h.lastUpdate().nonce, error: { code: "X" } },
  });
  h.session.close();
  const sent: StreamConfigResponse[] = [];
  const again = new StreamSession(h.store, h.source, { send: (m) => sent.push(m), fail: () => {} }, log);
  again.receive(
    create(StreamConfigRequestSchema, { kind: { case: "hello", value: { nodeId: "n1", appliedVersion: 1n } } }),
  );
  assert.equal(sent.length, 0);
});

test("one update in flight at a time; the newest goes out after the reply", () => {
  const h = harness(version(1));
  h.hello();
  const first = h.lastUpdate();
  h.source.current = version(2);
  h.session.offerLatest();
  assert.equal(h.sent.length, 1);
  h.msg({ case: "ack", value: { version: 1n, nonce: first.nonce } });
  assert.equal(h.sent.length, 2);
  assert.equal(h.lastUpdate().version, 2n);
});

test("a stream that does not start with a hello is ended; a bad node id too", () => {
  const h = harness(version(1));
  h.msg({ case: "ack", value: { version: 1n, nonce: "x" } });
  assert.deepEqual(h.failures, ["the first message must be a hello"]);
  const h2 = harness(version(1));
  h2.hello("bad id with spaces");
  assert.deepEqual(h2.failures, ["invalid node id"]);
});

test("closing the stream marks the node disconnected", () => {
  const h = harness(undefined);
  h.hello();
  h.session.close();
  assert.equal(h.store.getNode("n1")!.connected, false);
});
