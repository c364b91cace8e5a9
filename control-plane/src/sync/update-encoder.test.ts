import assert from "node:assert/strict";
import { test } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { StreamConfigResponseSchema } from "@palisade/proto";
import { type SharedUpdate, UpdateEncoder } from "./update-encoder.js";

const full: SharedUpdate = {
  version: 7n,
  hash: "ab".repeat(32),
  createdAtMs: 1_700_000_000_000n,
  full: true,
  resync: true,
  resources: [
    { field: 2, body: new Uint8Array([10, 2, 114, 49]) },
    { field: 1, body: new Uint8Array([10, 2, 117, 49]) },
  ],
};
const delta: SharedUpdate = {
  version: 8n,
  hash: "cd".repeat(32),
  createdAtMs: 1_700_000_000_001n,
  full: false,
  baseVersion: 7n,
  baseHash: "ab".repeat(32),
  resources: [{ field: 2, body: new Uint8Array([10, 2, 114, 50]) }],
  removed: [{ field: 2, id: "r1" }],
};

/** What a node decodes from the frame, beside what it decodes from the message encoded the ordinary way. */
function decoded(encoder: UpdateEncoder, key: string, u: SharedUpdate, nonce: string) {
  const got = fromBinary(StreamConfigResponseSchema, encoder.frame(key, u, nonce));
  const plain = toBinary(
    StreamConfigResponseSchema,
    create(StreamConfigResponseSchema, { kind: { case: "update", value: { ...u, nonce } } }),
  );
  // A Buffer, as grpc-js hands the node its bytes (decoded bodies are Buffer views either way).
  const want = fromBinary(StreamConfigResponseSchema, Buffer.from(plain));
  return { got, want };
}

test("a framed update decodes to the same message as the update encoded with its nonce, full and delta", () => {
  const encoder = new UpdateEncoder();
  for (const [key, u] of [
    ["7:full", full],
    ["8:delta", delta],
  ] as const) {
    const { got, want } = decoded(encoder, key, u, "bm9uY2Utb2YtYS1ub2Rl");
    assert.deepEqual(got, want);
  }
});

test("nodes sharing a key share one encoding, each with its own nonce; another key is encoded anew", () => {
  const encoder = new UpdateEncoder();
  const nonces = ["n-one", "n-two", "a-much-longer-nonce-than-the-others"];
  for (const nonce of nonces) {
    const { got } = decoded(encoder, "7:full", full, nonce);
    assert.equal(got.kind.case === "update" && got.kind.value.nonce, nonce);
    assert.equal(got.kind.case === "update" && got.kind.value.resources.length, 2);
  }
  assert.equal(encoder.encoded, 1, "three nodes, one encoding");
  decoded(encoder, "8:delta", delta, "n-one");
  assert.equal(encoder.encoded, 2);
});

test("a body larger than 127 bytes gets a multi-byte length, and the bound evicts old bodies", () => {
  const encoder = new UpdateEncoder(4096);
  const big: SharedUpdate = { ...full, resources: [{ field: 2, body: new Uint8Array(3000).fill(7) }] };
  const { got, want } = decoded(encoder, "big", big, "n");
  assert.deepEqual(got, want);
  decoded(encoder, "big-2", { ...big, version: 9n }, "n");
  decoded(encoder, "big", big, "n");
  assert.equal(encoder.encoded, 3, "the first body was evicted by the second (4 KB bound), so it is encoded again");
});
