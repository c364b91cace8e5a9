import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { ConfigErrorKind, PolicySchema, StreamConfigResponseSchema } from "@palisade/proto";
import { compile } from "../config/compile.js";
import { TableHolder } from "../config/table-holder.js";
import { fakeControlPlane } from "../test/fake-control-plane.js";
import { fullUpdate, log, route, snapshot, upstream } from "../test/fixtures.js";
import { ConfigApplier } from "./config-applier.js";
import { SyncClient } from "./sync-client.js";

test("hello, ACK, NACK, same-hash ACK, and reconnect with the applied version", async () => {
  const cp = await fakeControlPlane();
  const holder = new TableHolder();
  const applier = new ConfigApplier(
    holder,
    (s, previous) => compile(s, { policyTypes: new Set(["jwt"]), ...(previous ? { previous } : {}) }),
    log,
  );
  const client = new SyncClient({
    addresses: [`127.0.0.1:${cp.port}`],
    identity: {
      nodeId: "dp-1",
      region: "eu",
      labels: { tier: "edge" },
      softwareVersion: "0.1.0",
      policyTypes: ["jwt"],
    },
    holder,
    applier,
    log,
    backoff: { baseMs: 10, capMs: 20 },
  });
  try {
    client.start();
    await cp.until(() => cp.streams[0]?.messages.length === 1);
    const first = cp.streams[0]!;
    const hello = first.messages[0]!;
    assert.equal(hello.kind.case, "hello");
    if (hello.kind.case !== "hello") return;
    assert.equal(hello.kind.value.nodeId, "dp-1");
    assert.equal(hello.kind.value.region, "eu");
    assert.deepEqual(hello.kind.value.labels, { tier: "edge" });
    assert.equal(hello.kind.value.softwareVersion, "0.1.0");
    assert.deepEqual(hello.kind.value.policyTypes, ["jwt"]);
    assert.equal(hello.kind.value.appliedVersion, 0n);

    const send = (version: bigint, nonce: string, s = snapshot({}, version)) =>
      first.call.write(
        create(StreamConfigResponseSchema, { kind: { case: "update", value: fullUpdate(s, version, nonce) } }),
      );

    send(
      1n,
      "a",
      snapshot({ upstreams: [upstream("u", ["127.0.0.1:1"])], routes: [route("r", "u", ["/"])] }, 1n, "h1"),
    );
    await cp.until(() => first.messages.length === 2);
    const ack = first.messages[1]!;
    assert.equal(ack.kind.case, "ack");
    assert.deepEqual(ack.kind.case === "ack" && [ack.kind.value.version, ack.kind.value.nonce], [1n, "a"]);
    assert.equal(holder.applied?.version, 1n);
    assert.equal(client.connected, true);

    send(2n, "b", snapshot({ policies: [create(PolicySchema, { id: "p" })] }, 2n, "h2"));
    await cp.until(() => first.messages.length === 3);
    const nack = first.messages[2]!;
    assert.equal(nack.kind.case, "nack");
    assert.deepEqual(nack.kind.case === "nack" && [nack.kind.value.runningVersion, nack.kind.value.nonce], [1n, "b"]);
    assert.equal(holder.applied?.version, 1n, "the old config keeps serving");

    // The control plane drops the stream: the node reconnects and says what it runs.
    first.call.end();
    await cp.until(() => cp.streams[1]?.messages.length === 1);
    const again = cp.streams[1]!.messages[0]!;
    assert.equal(again.kind.case === "hello" && again.kind.value.appliedVersion, 1n);
    assert.equal(again.kind.case === "hello" && again.kind.value.appliedHash, holder.applied?.hash);
  } finally {
    client.close();
    cp.close();
  }
});

test("keeps retrying while the control plane is down, and reports disconnected", async () => {
  const cp = await fakeControlPlane();
  const port = cp.port;
  cp.close();
  const holder = new TableHolder();
  const client = new SyncClient({
    addresses: [`127.0.0.1:${port}`],
    identity: { nodeId: "dp-2", region: "eu", labels: {}, softwareVersion: "0.1.0", policyTypes: [] },
    holder,
    applier: new ConfigApplier(holder, (s) => compile(s, { policyTypes: new Set() }), log),
    log,
    backoff: { baseMs: 5, capMs: 10 },
  });
  client.start();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(client.connected, false);
  client.close();
});

test("an apply that throws is answered with a NACK (node fault), and later updates are still applied", async () => {
  const cp = await fakeControlPlane();
  const holder = new TableHolder();
  const real = new ConfigApplier(holder, (s) => compile(s, { policyTypes: new Set() }), log);
  let calls = 0;
  const client = new SyncClient({
    addresses: [`127.0.0.1:${cp.port}`],
    identity: { nodeId: "dp-3", region: "eu", labels: {}, softwareVersion: "0.1.0", policyTypes: [] },
    holder,
    // The first apply breaks its "never throws" contract (a bug); the stream must not stall on it.
    applier: { apply: (u) => (calls++ === 0 ? Promise.reject(new Error("bug")) : real.apply(u)) },
    log,
    backoff: { baseMs: 10, capMs: 20 },
  });
  try {
    client.start();
    await cp.until(() => cp.streams[0]?.messages.length === 1);
    const s = cp.streams[0]!;
    const send = (version: bigint, nonce: string) =>
      s.call.write(
        create(StreamConfigResponseSchema, {
          kind: {
            case: "update",
            value: fullUpdate(
              snapshot({ upstreams: [upstream("u", ["127.0.0.1:1"])], routes: [route("r", "u", ["/"])] }, version),
              version,
              nonce,
            ),
          },
        }),
      );
    send(1n, "a");
    send(2n, "b");
    await cp.until(() => s.messages.length === 3);
    const [nack, ack] = [s.messages[1]!.kind, s.messages[2]!.kind];
    assert.equal(nack.case, "nack");
    assert.deepEqual(nack.case === "nack" && [nack.value.nonce, nack.value.error?.code, nack.value.error?.kind], [
      "a",
      "INTERNAL",
      ConfigErrorKind.NODE_FAULT,
    ]);
    assert.deepEqual(ack.case === "ack" && [ack.value.nonce, ack.value.version], ["b", 2n]);
  } finally {
    client.close();
    cp.close();
  }
});

test("with two control-plane addresses, a stream that drops moves to the other, which hears the applied version", async () => {
  const a = await fakeControlPlane();
  const b = await fakeControlPlane();
  const holder = new TableHolder();
  const client = new SyncClient({
    addresses: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`],
    identity: { nodeId: "dp-4", region: "eu", labels: {}, softwareVersion: "0.1.0", policyTypes: [] },
    holder,
    applier: new ConfigApplier(holder, (s) => compile(s, { policyTypes: new Set() }), log),
    log,
    backoff: { baseMs: 10, capMs: 20 },
  });
  try {
    client.start();
    await a.until(() => a.streams[0]?.messages.length === 1);
    assert.equal(client.address, `127.0.0.1:${a.port}`);
    const v1 = snapshot({ upstreams: [upstream("u", ["127.0.0.1:1"])], routes: [route("r", "u", ["/"])] }, 1n);
    a.streams[0]!.call.write(
      create(StreamConfigResponseSchema, { kind: { case: "update", value: fullUpdate(v1, 1n, "n1") } }),
    );
    await a.until(() => a.streams[0]!.messages.length === 2);
    // A dies: the node says hello to B with what it runs, and ACKs B's next version.
    a.close();
    await b.until(() => b.streams[0]?.messages.length === 1);
    const hello = b.streams[0]!.messages[0]!;
    assert.equal(hello.kind.case === "hello" && hello.kind.value.appliedVersion, 1n);
    assert.equal(client.address, `127.0.0.1:${b.port}`);
    const v2 = snapshot({ upstreams: [upstream("u", ["127.0.0.1:2"])], routes: [route("r", "u", ["/"])] }, 2n);
    b.streams[0]!.call.write(
      create(StreamConfigResponseSchema, { kind: { case: "update", value: fullUpdate(v2, 2n, "n2") } }),
    );
    await b.until(() => b.streams[0]!.messages.length === 2);
    const ack = b.streams[0]!.messages[1]!;
    assert.deepEqual(ack.kind.case === "ack" && [ack.kind.value.version, ack.kind.value.nonce], [2n, "n2"]);
    assert.equal(holder.applied?.version, 2n);
  } finally {
    client.close();
    a.close();
    b.close();
  }
});
