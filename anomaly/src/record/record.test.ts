import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { formatAddress, packAddress } from "./address.js";
import { CONTENT_TYPES, contentTypeId, contentTypeName } from "./content-type.js";
import { fnv1a, hashPath } from "./hash.js";
import { AuthOutcome, METHOD, NO_OBJECT_ID } from "./layout.js";
import { RecordReader, type RecordView } from "./record-reader.js";
import { emptyFacts, RecordWriter } from "./record-writer.js";
import { createRingBuffer } from "./ring.js";

function words(text: string): number[] {
  const w = new Uint32Array(4);
  return packAddress(text, w, 0) ? [...w] : [];
}

function readAll(reader: RecordReader): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  reader.drain((r: RecordView) => out.push({ ...r }));
  return out;
}

describe("record writer and reader", () => {
  it("carries every field of a request through the ring", () => {
    const ring = createRingBuffer(16);
    const w = new RecordWriter(ring);
    const f = emptyFacts();
    Object.assign(f, {
      timeMs: 1_733_580_000_123.5,
      route: 7,
      upstream: 3,
      consumer: 42,
      credentialId: "key-7f3a",
      clientAddress: "203.0.113.7",
      path: "/v1/users/1234",
      method: "POST",
      userAgent: "curl/8.5.0",
      contentType: "application/json; charset=utf-8",
      status: 401,
      auth: AuthOutcome.failed,
      latencyUs: 1234,
      requestBytes: 512,
      responseBytes: 97,
    });
    assert.equal(w.write(f), true);
    const [r] = readAll(new RecordReader(ring));
    assert.deepEqual(r, {
      timeMs: 1_733_580_000_123.5,
      route: 7,
      status: 401,
      auth: AuthOutcome.failed,
      method: METHOD.indexOf("POST"),
      upstream: 3,
      contentType: CONTENT_TYPES.indexOf("application/json"),
      addressValid: true,
      consumer: 42,
      credential: fnv1a("key-7f3a"),
      a0: 0,
      a1: 0,
      a2: 0xffff,
      a3: ((203 << 24) >>> 0) + (0 << 16) + (113 << 8) + 7,
      pathHash: hashPath("/v1/users/1234", { hash: 0, objectId: 0 }).hash,
      uaHash: fnv1a("curl/8.5.0"),
      objectId: 1234,
      latencyUs: 1234,
      requestBytes: 512,
      responseBytes: 97,
    });
  });

  it("drops and counts when the ring is full, never waits, and resumes once read", () => {
    const ring = createRingBuffer(16);
    const w = new RecordWriter(ring);
    const reader = new RecordReader(ring);
    const f = emptyFacts();
    f.clientAddress = "192.0.2.1";
    const written = Array.from({ length: 20 }, (_, i) => {
      f.status = 200 + i;
      return w.write(f);
    });
    assert.deepEqual(written, [...Array(16).fill(true), ...Array(4).fill(false)]);
    assert.equal(w.dropped, 4);
    assert.equal(reader.dropped, 4);
    assert.deepEqual(
      readAll(reader).map((r) => r.status),
      Array.from({ length: 16 }, (_, i) => 200 + i),
    );
    assert.equal(w.write(f), true);
    assert.equal(readAll(reader).length, 1);
  });

  it("keeps order across many wraps of the slot index", () => {
    const ring = createRingBuffer(16);
    const w = new RecordWriter(ring);
    const reader = new RecordReader(ring);
    const f = emptyFacts();
    const seen: number[] = [];
    for (let i = 0; i < 1000; i++) {
      f.latencyUs = i;
      assert.equal(w.write(f), true);
      if (i % 7 === 6) reader.drain((r) => seen.push(r.latencyUs));
    }
    reader.drain((r) => seen.push(r.latencyUs));
    assert.deepEqual(
      seen,
      Array.from({ length: 1000 }, (_, i) => i),
    );
  });

  it("refuses a capacity that is not a power of two", () => {
    assert.throws(() => createRingBuffer(100), { code: "RING_OPTIONS_INVALID", field: "capacity" });
  });
});

describe("client address packing", () => {
  it("reads IPv4, IPv6 and IPv4-mapped forms as ipaddr.js does", () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        // ipaddr.js reads the deprecated IPv4-compatible form `::a.b.c.d` (RFC 4291 §2.5.5.1)
        // as IPv4-mapped; RFC 4291 keeps them apart, and so does packAddress (cases below).
        if (text.includes(".") && !/ffff:/i.test(text)) return;
        const bytes = ipaddr.parse(text).toByteArray();
        const expect = [0, 4, 8, 12].map(
          (i) => ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0,
        );
        assert.deepEqual(words(text), expect);
      }),
    );
    fc.assert(
      fc.property(fc.ipV4(), (text) =>
        assert.equal(formatAddress(...(words(text) as [number, number, number, number])), text),
      ),
    );
    assert.deepEqual(words("::ffff:192.0.2.1"), words("192.0.2.1"));
    assert.deepEqual(words("::192.0.2.1"), [0, 0, 0, 0xc0000201]);
    assert.deepEqual(words("64:ff9b::192.0.2.1"), [0x0064ff9b, 0, 0, 0xc0000201]);
    assert.equal(formatAddress(...(words("2001:DB8:0:0:0:0:0:1") as [number, number, number, number])), "2001:db8::1");
  });

  it("flags text that is not an address, and writes zeros", () => {
    for (const bad of [
      "",
      "unknown",
      "1.2.3",
      "1.2.3.256",
      "01.2.3.4",
      "1::2::3",
      ":::",
      "1:2:3:4:5:6:7:8:9",
      "12345::",
      "::g",
    ]) {
      const w = new Uint32Array([9, 9, 9, 9]);
      assert.equal(packAddress(bad, w, 0), false, bad);
      assert.deepEqual([...w], [0, 0, 0, 0]);
    }
  });
});

describe("path, user agent and content type hashing", () => {
  it("takes the last all-digit segment as the object id", () => {
    const out = { hash: 0, objectId: 0 };
    for (const [path, id] of [
      ["/v1/users/1234", 1234],
      ["/v1/users/1234/orders", 1234],
      ["/v1/users/12/orders/99", 99],
      ["/v1/users/12a", NO_OBJECT_ID],
      ["/v1/items/", NO_OBJECT_ID],
      ["/v1/big/99999999999", NO_OBJECT_ID],
      ["/", NO_OBJECT_ID],
    ] as const) {
      assert.equal(hashPath(path, out).objectId, id, path);
    }
  });

  it("hashes equal strings equally and different ones apart", () => {
    assert.equal(fnv1a("curl/8.5.0"), fnv1a(`curl/${"8.5.0"}`));
    assert.notEqual(fnv1a("curl/8.5.0"), fnv1a("curl/8.5.1"));
    assert.notEqual(fnv1a("ab"), fnv1a("ba"));
    assert.equal(fnv1a(""), 0);
    const a = { hash: 0, objectId: 0 };
    assert.notEqual(hashPath("/v1/users/1", a).hash, hashPath("/v1/users/2", { hash: 0, objectId: 0 }).hash);
  });

  it("names common media types and hashes others into 16..255", () => {
    assert.equal(contentTypeName(contentTypeId("Application/JSON ; charset=utf-8")), "application/json");
    assert.equal(contentTypeId(undefined), 0);
    assert.equal(contentTypeId("   "), 0);
    const other = contentTypeId("application/x-java-serialized-object");
    assert.ok(other >= 16 && other <= 255);
    assert.equal(contentTypeName(other), `other#${other}`);
  });
});
