import assert from "node:assert/strict";
import { test } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { SnapshotSchema } from "./gen/palisade/config/v1/config_pb.js";
import {
  addDigest,
  contentHashOf,
  decodeSnapshotBytes,
  encodeResources,
  encodeSnapshotBytes,
  formatContentHash,
  RESOURCE_KINDS,
  removeDigest,
  resourceDigest,
  resourceIdOf,
} from "./resources.js";
import { decodeSnapshotFile, encodeSnapshotFile, type SnapshotFileError } from "./snapshot-file.js";

const snapshot = create(SnapshotSchema, {
  version: 4n,
  hash: "h",
  createdAtMs: 1700000000000n,
  upstreams: [{ id: "u1", name: "u", targets: [{ host: "127.0.0.1", port: 8080 }] }],
  routes: [
    { id: "r1", name: "a", paths: [{ kind: { case: "prefix", value: "/a" } }], upstreamId: "u1" },
    { id: "r2", name: "b", paths: [{ kind: { case: "exact", value: "/b" } }], upstreamId: "u1" },
  ],
});

test("every repeated message field of Snapshot is a resource kind with string id = 1", () => {
  assert.deepEqual(
    RESOURCE_KINDS.map((k) => [k.field, k.name]),
    [
      [3, "upstreams"],
      [4, "routes"],
      [5, "policies"],
      [6, "consumers"],
    ].concat(RESOURCE_KINDS.slice(4).map((k) => [k.field, k.name])),
  );
  for (const k of RESOURCE_KINDS) {
    const id = k.schema.fields.find((f) => f.number === 1);
    assert.equal(id?.name, "id", `${k.schema.typeName} field 1 must be id`);
    assert.equal(id?.fieldKind, "scalar");
  }
});

test("the content hash ignores order and changes with content", () => {
  const rs = encodeResources(snapshot);
  assert.equal(contentHashOf(rs), contentHashOf([...rs].reverse()));
  const changed = encodeResources(create(SnapshotSchema, { ...snapshot, routes: [snapshot.routes[0]!] }));
  assert.notEqual(contentHashOf(rs), contentHashOf(changed));
  // Removing then adding digests gives the same hash as recomputing.
  let sum = 0n;
  for (const r of rs) sum = addDigest(sum, resourceDigest(r.field, r.body));
  const r2 = rs.find((r) => r.id === "r2")!;
  sum = removeDigest(sum, resourceDigest(r2.field, r2.body));
  assert.equal(formatContentHash(sum), contentHashOf(changed));
  assert.equal(contentHashOf([]), "0".repeat(64));
});

test("a snapshot assembled from resource bytes decodes like the typed one", () => {
  const rs = encodeResources(snapshot);
  const bytes = encodeSnapshotBytes(snapshot, rs);
  assert.deepEqual(bytes, toBinary(SnapshotSchema, snapshot));
  const back = decodeSnapshotBytes(bytes);
  assert.equal(back.version, 4n);
  assert.equal(back.createdAtMs, 1700000000000n);
  assert.deepEqual(
    back.resources.map((r) => [r.field, r.id]),
    [
      [3, "u1"],
      [4, "r1"],
      [4, "r2"],
    ],
  );
  assert.equal(resourceIdOf(rs[1]!.body), "r1");
  assert.equal(fromBinary(SnapshotSchema, bytes).routes[1]!.name, "b");
});

test("a snapshot file with a flipped byte, a missing tail or a bad header is refused", () => {
  const payload = toBinary(SnapshotSchema, snapshot);
  const file = encodeSnapshotFile(payload);
  assert.deepEqual(new Uint8Array(decodeSnapshotFile(file)), payload);
  const flipped = Buffer.from(file);
  flipped[flipped.length - 3]! ^= 0xff;
  const codeOf = (f: Uint8Array) => {
    try {
      decodeSnapshotFile(f);
      return "accepted";
    } catch (err) {
      return (err as SnapshotFileError).code;
    }
  };
  assert.equal(codeOf(flipped), "CHECKSUM");
  assert.equal(codeOf(file.subarray(0, file.length - 10)), "TRUNCATED");
  assert.equal(codeOf(Buffer.from("hello")), "FORMAT");
  assert.equal(codeOf(Buffer.alloc(0)), "FORMAT");
});
