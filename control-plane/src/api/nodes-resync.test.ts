import assert from "node:assert/strict";
import { test } from "node:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  ConfigErrorKind,
  type ConfigErrorSchema,
  StreamConfigRequestSchema,
  type StreamConfigResponse,
} from "@palisade/proto";
import { pino } from "pino";
import { Publisher } from "../config/publisher.js";
import { Store } from "../store/store.js";
import { StreamSession } from "../sync/stream-session.js";
import { testAdminApi } from "../test/admin-app.js";

/**
 * `POST /v1/nodes/{id}/resync` over real sessions (their transport is an array, as in
 * stream-session.test.ts): what an operator sees of a node fault, and what the resync does.
 */
async function world() {
  const store = await Store.open(":memory:");
  const publisher = await Publisher.open(store);
  const sessions = new Map<string, StreamSession>();
  const app = await testAdminApi({
    store,
    publisher,
    sync: {
      disconnect: () => false,
      resync: async (id) => (await sessions.get(id)?.resync()) ?? { ok: false, reason: "not-open" },
    },
  });
  const up = await app.call("POST", "/v1/upstreams", { name: "u", targets: [{ host: "127.0.0.1", port: 9 }] });
  assert.equal(up.status, 201, up.text);
  assert.equal(
    (await app.call("POST", "/v1/routes", { name: "r1", hosts: ["h.example.test"], paths: ["/a"], upstream: "u" }))
      .status,
    201,
  );
  assert.equal((await app.call("POST", "/v1/config/versions", {})).status, 201);
  const connect = async (nodeId: string) => {
    const sent: StreamConfigResponse[] = [];
    const session = new StreamSession(
      store,
      publisher,
      { send: (m) => sent.push(m), fail: () => {} },
      pino({ level: "silent" }),
    );
    const msg = async (kind: MessageInitShape<typeof StreamConfigRequestSchema>["kind"]) => {
      session.receive(create(StreamConfigRequestSchema, { kind }));
      await session.settled();
    };
    await msg({ case: "hello", value: { nodeId, region: "eu" } });
    sessions.set(nodeId, session);
    const last = () => {
      const k = sent.at(-1)?.kind;
      assert.equal(k?.case, "update");
      return k!.value;
    };
    /** The node refuses the update in flight with `error`. */
    const nack = (error: MessageInitShape<typeof ConfigErrorSchema>) => {
      const u = last();
      return msg({ case: "nack", value: { rejectedVersion: u.version, nonce: u.nonce, error } });
    };
    return { sent, session, msg, last, nack };
  };
  return { app, store, connect };
}

test("a node fault NACK shows as such; a resync re-sends the refused version whole and is audited", async () => {
  const { app, connect } = await world();
  const n = await connect("dp-1");
  await n.nack({
    code: "INTERNAL",
    message: "internal error while applying the config",
    resource: "snapshot",
    kind: ConfigErrorKind.NODE_FAULT,
  });
  const before = await app.call("GET", "/v1/nodes/dp-1");
  assert.equal(before.status, 200);
  assert.deepEqual([before.body.last_nack.code, before.body.last_nack.kind], ["INTERNAL", "node_fault"]);
  const listed = await app.call("GET", "/v1/nodes");
  assert.equal(listed.body.items[0].last_nack.kind, "node_fault");

  const r = await app.call("POST", "/v1/nodes/dp-1/resync");
  assert.equal(r.status, 202, r.text);
  assert.equal(r.body.id, "dp-1");
  assert.equal(r.body.resync.version, 1);
  assert.equal(r.body.resync.forgotten_nack.kind, "node_fault");
  assert.equal(r.body.last_nack, null);
  assert.equal(n.sent.length, 2);
  assert.deepEqual([n.last().version, n.last().full, n.last().resync], [1n, true, true]);

  const audit = await app.call("GET", "/v1/audit?kind=nodes");
  const entry = audit.body.items.find((e: { path: string }) => e.path === "/v1/nodes/dp-1/resync");
  assert.ok(entry, "the resync is in the audit log");
  assert.deepEqual([entry.method, entry.kind, entry.resource_id, entry.status], ["POST", "nodes/resync", "dp-1", 202]);
  assert.equal(entry.after.resync.forgotten_nack.code, "INTERNAL");
});

test("a config NACK shows kind config", async () => {
  const { app, connect } = await world();
  const n = await connect("dp-2");
  await n.nack({ code: "POLICY_TYPE_UNSUPPORTED", kind: ConfigErrorKind.CONFIG });
  assert.equal((await app.call("GET", "/v1/nodes/dp-2")).body.last_nack.kind, "config");
});

test("a resync of an unknown node is 404; of a node without a stream 409 NODE_NOT_CONNECTED", async () => {
  const { app, store } = await world();
  const ghost = await app.call("POST", "/v1/nodes/ghost/resync");
  assert.equal(ghost.status, 404);
  assert.equal(ghost.body.error.code, "NOT_FOUND");
  await store.upsertNodeHello({
    id: "gone",
    region: "eu",
    labels: {},
    softwareVersion: "x",
    policyTypes: [],
    appliedVersion: 0,
    appliedHash: "",
    features: [],
    reportIntervalMs: 5000,
    certSerial: null,
    certNotAfter: null,
  });
  const gone = await app.call("POST", "/v1/nodes/gone/resync");
  assert.equal(gone.status, 409);
  assert.equal(gone.body.error.code, "NODE_NOT_CONNECTED");
  assert.match(gone.body.error.message, /no open config stream/);
});
