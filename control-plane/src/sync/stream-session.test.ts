import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { create, fromBinary, type MessageInitShape } from "@bufbuild/protobuf";
import {
  ConfigErrorKind,
  StreamConfigRequestSchema,
  type StreamConfigResponse,
  StreamConfigResponseSchema,
} from "@palisade/proto";
import { pino } from "pino";
import { Publisher } from "../config/publisher.js";
import { Store } from "../store/store.js";
import { AckRecorder } from "./ack-recorder.js";
import { FullUpdateGate } from "./full-update-gate.js";
import { type DesiredVersionSource, type PeerIdentity, StreamSession } from "./stream-session.js";
import { UpdateEncoder } from "./update-encoder.js";

const log = pino({ level: "silent" });

/** A draft with one upstream and `n` routes, published through the real Publisher. */
async function fleet(n = 3) {
  const store = await Store.open(":memory:");
  const up = await store.insertResource("upstreams", randomUUID(), "up", {
    targets: [{ host: "127.0.0.1", port: 9000 }],
  });
  const routes = [];
  for (let i = 0; i < n; i++)
    routes.push(await store.insertResource("routes", randomUUID(), `r${i}`, { paths: [`/r${i}`], upstream: up.id }));
  const publisher = await Publisher.open(store);
  await publisher.publish("v1");
  // The sync server's encoder and ACK batches, shared by the fleet's sessions: updates reach
  // `sent` as nodes decode them, ACKs the store in batches.
  return {
    store,
    publisher,
    up,
    routes,
    encoder: new UpdateEncoder(),
    acks: new AckRecorder(store),
    gate: undefined as FullUpdateGate | undefined,
  };
}

function connect(f: Awaited<ReturnType<typeof fleet>>, peer?: PeerIdentity, desired?: DesiredVersionSource) {
  const sent: StreamConfigResponse[] = [];
  const failures: Array<[string, string | undefined]> = [];
  const session = new StreamSession(
    f.store,
    f.publisher,
    {
      send: (m) => sent.push(m),
      sendUpdate: (key, u, nonce) => sent.push(fromBinary(StreamConfigResponseSchema, f.encoder.frame(key, u, nonce))),
      fail: (r, c) => failures.push([r, c]),
    },
    log,
    undefined,
    peer,
    desired,
    { fullUpdates: f.gate, acks: f.acks },
  );
  /** Sends one message and waits until the session has handled it (store reads and writes included). */
  const msg = async (kind: MessageInitShape<typeof StreamConfigRequestSchema>["kind"]) => {
    session.receive(create(StreamConfigRequestSchema, { kind }));
    await session.settled();
  };
  const hello = (opts: { nodeId?: string; version?: number; hash?: string; policyTypes?: string[] } = {}) =>
    msg({
      case: "hello",
      value: {
        nodeId: opts.nodeId ?? "n1",
        region: "eu",
        appliedVersion: BigInt(opts.version ?? 0),
        appliedHash: opts.hash ?? "",
        policyTypes: opts.policyTypes ?? ["jwt"],
      },
    });
  const lastUpdate = () => {
    const k = sent.at(-1)?.kind;
    assert.equal(k?.case, "update");
    return k!.value;
  };
  const ack = () => {
    const u = lastUpdate();
    return msg({ case: "ack", value: { version: u.version, nonce: u.nonce, hash: u.hash } });
  };
  return { sent, failures, session, msg, hello, lastUpdate, ack };
}

test("a new node gets the latest version in full and its ACK is recorded with the hash", async () => {
  const f = await fleet();
  const c = connect(f);
  await c.hello();
  const u = c.lastUpdate();
  assert.equal(u.version, 1n);
  assert.equal(u.full, true);
  assert.equal(u.resources.length, 4, "one upstream and three routes");
  assert.equal(u.hash, f.publisher.latest()!.hash);
  await c.ack();
  const node = (await f.store.getNode("n1"))!;
  assert.deepEqual([node.applied_version, node.applied_hash, node.connected], [1, u.hash, true]);
  assert.ok(node.last_ack_at);
});

test("a node that already holds the latest version is sent nothing (reconnect after a restart)", async () => {
  const f = await fleet();
  const c = connect(f);
  await c.hello({ version: 1, hash: f.publisher.latest()!.hash });
  assert.equal(c.sent.length, 0);
});

test("a one-route change is sent as a delta carrying that route only", async () => {
  const f = await fleet(50);
  const c = connect(f);
  await c.hello();
  await c.ack();
  const base = f.publisher.latest()!;
  const r = f.routes[7]!;
  await f.store.updateResource("routes", r.id, r.name, { ...r.body, paths: ["/changed"] });
  await f.publisher.publish("v2");
  c.session.offer();
  await c.session.settled();
  const u = c.lastUpdate();
  assert.equal(u.full, false);
  assert.deepEqual([u.baseVersion, u.baseHash], [1n, base.hash]);
  assert.equal(u.resources.length, 1);
  assert.equal(u.resources[0]!.field, 4);
  assert.equal(u.removed.length, 0);
  await c.ack();
  assert.equal((await f.store.getNode("n1"))!.applied_version, 2);
});

test("a removed route is sent as a removed id", async () => {
  const f = await fleet();
  const c = connect(f);
  await c.hello();
  await c.ack();
  await f.store.deleteResource("routes", f.routes[0]!.id);
  await f.publisher.publish("v2");
  c.session.offer();
  await c.session.settled();
  const u = c.lastUpdate();
  assert.deepEqual(
    u.removed.map((r) => [r.field, r.id]),
    [[4, f.routes[0]!.id]],
  );
  assert.equal(u.resources.length, 0);
});

test("a reconnecting node a few versions behind gets one delta; an unknown base gets a full update", async () => {
  const f = await fleet(10);
  const v1 = f.publisher.latest()!;
  for (const [i, r] of f.routes.slice(0, 3).entries()) {
    await f.store.updateResource("routes", r.id, r.name, { ...r.body, paths: [`/v${i + 2}`] });
    await f.publisher.publish(`v${i + 2}`);
  }
  const behind = connect(f);
  await behind.hello({ version: 1, hash: v1.hash });
  const u = behind.lastUpdate();
  assert.deepEqual([u.full, u.version, u.baseVersion, u.resources.length], [false, 4n, 1n, 3]);
  const stranger = connect(f);
  await stranger.hello({ nodeId: "n2", version: 9, hash: "f".repeat(64) });
  assert.equal(stranger.lastUpdate().full, true);
});

test("a node holding the latest content under an older number gets an empty delta (relabel)", async () => {
  const f = await fleet();
  const h = f.publisher.latest()!.hash;
  const c = connect(f);
  await c.hello({ version: 0, hash: h });
  const u = c.lastUpdate();
  assert.deepEqual([u.full, u.resources.length, u.removed.length, u.version], [false, 0, 0, 1n]);
});

test("BASE_MISMATCH is not a refusal: the next update is full and nothing is recorded as NACK", async () => {
  const f = await fleet();
  const c = connect(f);
  await c.hello();
  await c.ack();
  await f.store.updateResource("routes", f.routes[0]!.id, "r0", { ...f.routes[0]!.body, paths: ["/x"] });
  await f.publisher.publish("v2");
  c.session.offer();
  await c.session.settled();
  const delta = c.lastUpdate();
  assert.equal(delta.full, false);
  await c.msg({
    case: "nack",
    value: { rejectedVersion: 2n, runningVersion: 1n, nonce: delta.nonce, error: { code: "BASE_MISMATCH" } },
  });
  const full = c.lastUpdate();
  assert.deepEqual([full.full, full.version], [true, 2n]);
  assert.equal((await f.store.getNode("n1"))!.last_nack, null);
});

test("an ACK with a stale nonce is ignored", async () => {
  const f = await fleet();
  const c = connect(f);
  await c.hello();
  await c.msg({ case: "ack", value: { version: 1n, nonce: "not-the-nonce" } });
  assert.equal((await f.store.getNode("n1"))!.applied_version, 0);
});

test("a NACKed version is recorded with its reason and never re-sent, a newer one is", async () => {
  const f = await fleet();
  const c = connect(f);
  await c.hello();
  const u = c.lastUpdate();
  await c.msg({
    case: "nack",
    value: {
      rejectedVersion: 1n,
      runningVersion: 0n,
      nonce: u.nonce,
      error: { code: "POLICY_INVALID", message: "bad jwks", resource: "policy/j" },
    },
  });
  const node = (await f.store.getNode("n1"))!;
  assert.deepEqual(
    [node.last_nack?.version, node.last_nack?.code, node.last_nack?.resource, node.applied_version],
    [1, "POLICY_INVALID", "policy/j", 0],
  );
  assert.equal(node.last_nack?.kind, "config", "a node that sends no kind: judged by its code");
  c.session.offer();
  await c.session.settled();
  assert.equal(c.sent.length, 1, "refused version offered again");
  await f.store.updateResource("routes", f.routes[0]!.id, "r0", { ...f.routes[0]!.body, paths: ["/y"] });
  await f.publisher.publish("v2");
  c.session.offer();
  await c.session.settled();
  assert.equal(c.sent.length, 2);
  assert.equal(c.lastUpdate().version, 2n);
});

test("after a reconnect, the version a node refused before is not re-sent", async () => {
  const f = await fleet();
  const c = connect(f);
  await c.hello();
  await c.msg({ case: "nack", value: { rejectedVersion: 1n, nonce: c.lastUpdate().nonce, error: { code: "X" } } });
  c.session.close();
  const again = connect(f);
  await again.hello();
  assert.equal(again.sent.length, 0);
});

test("one update in flight at a time; the newest goes out after the reply", async () => {
  const f = await fleet();
  const c = connect(f);
  await c.hello();
  await f.store.updateResource("routes", f.routes[0]!.id, "r0", { ...f.routes[0]!.body, paths: ["/z"] });
  await f.publisher.publish("v2");
  c.session.offer();
  await c.session.settled();
  assert.equal(c.sent.length, 1);
  await c.ack();
  assert.equal(c.sent.length, 2);
  assert.deepEqual([c.lastUpdate().version, c.lastUpdate().full], [2n, false]);
});

test("a version using a policy type the node lacks is not sent; the node shows why; a later one is", async () => {
  const f = await fleet();
  const c = connect(f);
  await c.hello({ policyTypes: [] });
  await c.ack();
  const jwt = await f.store.insertResource("policies", randomUUID(), "j", {
    type: "jwt",
    config: { jwks_url: "https://idp.example/jwks", algorithms: ["RS256"] },
  });
  const r = f.routes[0]!;
  await f.store.updateResource("routes", r.id, r.name, { ...r.body, policies: [jwt.id] });
  await f.publisher.publish("v2 with jwt");
  c.session.offer();
  await c.session.settled();
  assert.equal(c.sent.length, 1, "v2 not sent");
  assert.deepEqual((await f.store.getNode("n1"))!.blocked, { version: 2, missing: ["jwt"] });
  await f.store.updateResource("routes", r.id, r.name, { ...r.body, policies: [] });
  await f.store.deleteResource("policies", jwt.id);
  await f.publisher.publish("v3 without jwt");
  c.session.offer();
  await c.session.settled();
  assert.equal(c.lastUpdate().version, 3n);
  assert.equal((await f.store.getNode("n1"))!.blocked, null);
});

test("the hello must name the node and region of the client certificate; a revoked node is refused", async () => {
  const f = await fleet();
  const peer = { nodeId: "n1", region: "eu", serial: "AB", notAfter: new Date().toISOString() };
  const other = connect(f, peer);
  await other.hello({ nodeId: "n2" });
  assert.equal(other.failures[0]![1], "PERMISSION_DENIED");
  assert.equal(other.sent.length, 0);
  const ok = connect(f, peer);
  await ok.hello();
  assert.equal(ok.sent.length, 1);
  assert.equal((await f.store.getNode("n1"))!.cert_serial, "AB");
  await f.store.markNodeRevoked("n1");
  const revoked = connect(f, peer);
  await revoked.hello();
  assert.deepEqual(revoked.failures, [["this node is revoked", "PERMISSION_DENIED"]]);
});

test("a stream that does not start with a hello is ended; a bad node id too", async () => {
  const f = await fleet();
  const c = connect(f);
  await c.msg({ case: "ack", value: { version: 1n, nonce: "x" } });
  assert.deepEqual(c.failures, [["the first message must be a hello", undefined]]);
  const c2 = connect(f);
  await c2.hello({ nodeId: "bad id with spaces" });
  assert.deepEqual(c2.failures, [["invalid node id", undefined]]);
});

test("closing the stream marks the node disconnected", async () => {
  const f = await fleet();
  const c = connect(f);
  await c.hello();
  c.session.close();
  await c.session.settled();
  assert.equal((await f.store.getNode("n1"))!.connected, false);
});

test("with a desired-version source the node is offered the version it should hold, an older one included (rollback)", async () => {
  const f = await fleet(10);
  let want = 1;
  const asked: Array<{ id: string; region: string }> = [];
  const c = connect(f, undefined, {
    desiredFor: (n) => {
      asked.push({ id: n.id, region: n.region });
      return want;
    },
  });
  const v1 = f.publisher.latest()!;
  await f.store.updateResource("routes", f.routes[2]!.id, "r2", { ...f.routes[2]!.body, paths: ["/r2-new"] });
  await f.publisher.publish("v2");
  await c.hello();
  assert.equal(c.lastUpdate().version, 1n, "the stable version, not the latest");
  assert.deepEqual(asked[0], { id: "n1", region: "eu" });
  await c.ack();
  want = 2;
  c.session.offer();
  await c.session.settled();
  assert.equal(c.lastUpdate().version, 2n);
  assert.equal(c.lastUpdate().resources.length, 1, "a delta");
  await c.ack();
  want = 1;
  c.session.offer();
  await c.session.settled();
  const back = c.lastUpdate();
  assert.deepEqual([back.version, back.full, back.hash, back.resources.length], [1n, false, v1.hash, 1]);
  await c.ack();
  assert.equal((await f.store.getNode("n1"))!.applied_version, 1);
  want = 0;
  const sent = c.sent.length;
  c.session.offer();
  await c.session.settled();
  assert.equal(c.sent.length, sent, "0: nothing to hold, nothing sent");
});

// --- NACK kinds and resync --------------------------------------------------------------------

/** The node refuses the update in flight with `error`. */
async function nack(c: ReturnType<typeof connect>, error: { code: string; kind?: ConfigErrorKind }): Promise<void> {
  const u = c.lastUpdate();
  await c.msg({ case: "nack", value: { rejectedVersion: u.version, runningVersion: 0n, nonce: u.nonce, error } });
}

test("a NACK records who was to blame: the kind the node sends, else INTERNAL means a node fault", async () => {
  const cases: [{ code: string; kind?: ConfigErrorKind }, string][] = [
    [{ code: "INTERNAL", kind: ConfigErrorKind.NODE_FAULT }, "node_fault"],
    [{ code: "REFERENCE_MISSING", kind: ConfigErrorKind.CONFIG }, "config"],
    [{ code: "INTERNAL" }, "node_fault"],
    [{ code: "POLICY_INVALID" }, "config"],
  ];
  for (const [error, kind] of cases) {
    const f = await fleet();
    const c = connect(f);
    await c.hello();
    await nack(c, error);
    assert.equal((await f.store.getNode("n1"))!.last_nack?.kind, kind, JSON.stringify(error));
  }
});

test("a resync sends a refused version once more, whole and flagged; refused again, it is not re-sent", async () => {
  const f = await fleet();
  const c = connect(f);
  await c.hello();
  await nack(c, { code: "INTERNAL", kind: ConfigErrorKind.NODE_FAULT });
  c.session.offer();
  await c.session.settled();
  assert.equal(c.sent.length, 1, "a refused version is not re-sent by itself");
  assert.deepEqual(await c.session.resync(), { ok: true, version: 1 });
  assert.equal((await f.store.getNode("n1"))!.last_nack, null, "the refusal is forgotten (rollouts, reconnects)");
  assert.equal(c.sent.length, 2);
  const u = c.lastUpdate();
  assert.deepEqual([u.version, u.full, u.resync], [1n, true, true]);
  await nack(c, { code: "INTERNAL", kind: ConfigErrorKind.NODE_FAULT });
  c.session.offer();
  await c.session.settled();
  assert.equal(c.sent.length, 2, "once: the explicit action never becomes a loop");
  assert.equal((await f.store.getNode("n1"))!.last_nack?.version, 1);
});

test("a resync of a node in step sends its version whole; after the ACK, updates are deltas again", async () => {
  const f = await fleet();
  const c = connect(f);
  await c.hello();
  await c.ack();
  assert.deepEqual(await c.session.resync(), { ok: true, version: 1 });
  const u = c.lastUpdate();
  assert.deepEqual([u.version, u.full, u.resync, u.resources.length], [1n, true, true, 4]);
  await c.ack();
  await f.store.updateResource("routes", f.routes[0]!.id, "r0", { ...f.routes[0]!.body, paths: ["/y"] });
  await f.publisher.publish("v2");
  c.session.offer();
  await c.session.settled();
  assert.deepEqual([c.lastUpdate().full, c.lastUpdate().resync], [false, false]);
});

test("a resync asked while an update is in flight goes out when that update is answered", async () => {
  const f = await fleet();
  const c = connect(f);
  await c.hello();
  assert.equal(c.sent.length, 1);
  assert.deepEqual(await c.session.resync(), { ok: true, version: 1 });
  assert.equal(c.sent.length, 1, "one update in flight at a time");
  await nack(c, { code: "POLICY_INVALID", kind: ConfigErrorKind.CONFIG });
  assert.equal(c.sent.length, 2, "sent although the update in flight was refused: the operator asked after it");
  assert.deepEqual([c.lastUpdate().version, c.lastUpdate().resync], [1n, true]);
});

test("after a resync, a reconnecting node is no longer refused the version it refused before", async () => {
  const f = await fleet();
  const c = connect(f);
  await c.hello();
  await nack(c, { code: "INTERNAL" });
  await c.session.resync();
  c.session.close();
  const again = connect(f);
  await again.hello();
  assert.equal(again.sent.length, 1);
  assert.equal(again.lastUpdate().resync, false, "a reconnect is not a resync");
});

test("a resync is refused before the hello, with no version, and for a version the node lacks features for", async () => {
  const f = await fleet();
  const c = connect(f);
  assert.deepEqual(await c.session.resync(), { ok: false, reason: "not-open" });
  const none = connect(f, undefined, { desiredFor: () => 0 });
  await none.hello();
  assert.deepEqual(await none.session.resync(), { ok: false, reason: "no-version" });
  const g = await fleet();
  const pol = await g.store.insertResource("policies", randomUUID(), "k", { type: "api-key", config: {} });
  await g.store.updateResource("routes", g.routes[0]!.id, "r0", { ...g.routes[0]!.body, policies: [pol.id] });
  await g.publisher.publish("v2");
  const old = connect(g);
  await old.hello({ policyTypes: ["jwt"] });
  assert.deepEqual(await old.session.resync(), { ok: false, reason: "blocked", version: 2, missing: ["api-key"] });
});

test("full updates beyond the gate's bound wait, connected, until one in flight is answered or its stream closes", async () => {
  const f = await fleet();
  f.gate = new FullUpdateGate(1);
  const [a, b, c] = [connect(f), connect(f), connect(f)];
  await a.hello({ nodeId: "a" });
  await b.hello({ nodeId: "b" });
  await c.hello({ nodeId: "c" });
  assert.equal(a.lastUpdate().full, true);
  assert.deepEqual([b.sent.length, c.sent.length], [0, 0], "b and c wait for the one slot");
  assert.equal(f.gate.waiting, 2);
  await a.ack();
  assert.equal(b.lastUpdate().full, true, "a's ACK lets the oldest waiting stream go");
  assert.equal(c.sent.length, 0);
  b.session.close();
  assert.equal(c.lastUpdate().full, true, "b's stream closed with its update unanswered: its slot goes to c");
  // Deltas never wait: a publish while c holds the slot reaches a at once.
  await f.store.updateResource("routes", f.routes[0]!.id, "r0", { paths: ["/moved"], upstream: f.up.id });
  await f.publisher.publish("v2");
  a.session.offer();
  assert.equal(a.lastUpdate().full, false);
  assert.equal(a.lastUpdate().version, 2n);
  await c.ack();
  assert.equal(f.gate.inFlight, 0, "c's ACK of v1 frees the slot");
  assert.equal(c.lastUpdate().version, 2n);
  assert.equal(c.lastUpdate().full, false, "and its v2 is a delta over v1");
});
