import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { background, TestNode } from "./test/feed.js";

const MIN = 60_000;

describe("detector engine", () => {
  it("explains a brute force: failed logins per minute from the address, with its baseline", () => {
    const node = new TestNode();
    background(node, 0, 12 * MIN, 20);
    for (let t = 12 * MIN; t < 13 * MIN; t += 1500) {
      node.send(t, {
        route: 1,
        upstream: 1,
        path: "/v1/login",
        method: "POST",
        clientAddress: "203.0.113.7",
        status: 401,
      });
    }
    node.flush(13 * MIN);
    const d = node.detections.filter((x) => x.kind === "brute_force");
    assert.equal(d.length, 1, JSON.stringify(node.detections.map((x) => x.explanation)));
    assert.deepEqual(d[0]!.subject, { type: "address", id: "203.0.113.7" });
    assert.match(d[0]!.explanation, /^\d+(\.\d)? failed logins\/min from 203\.0\.113\.7 on route login, baseline \d/);
    assert.ok(d[0]!.score >= 1);
  });

  it("finds a sequential id walk", () => {
    const node = new TestNode();
    background(node, 0, 12 * MIN, 20);
    for (let i = 0; i < 150; i++) {
      node.send(12 * MIN + i * 400, { clientAddress: "2001:db8::bad", path: `/v1/users/${5000 + i}`, status: 200 });
    }
    node.flush(13 * MIN);
    const d = node.detections.filter((x) => x.kind === "enumeration");
    assert.equal(d.length, 1);
    assert.equal(d[0]!.subject.id, "2001:db8::bad");
    assert.match(d[0]!.explanation, /sequential id walk of \d+ steps/);
  });

  it("sees a consumer used from many addresses at once", () => {
    const node = new TestNode();
    background(node, 0, 12 * MIN, 20);
    for (let i = 0; i < 60; i++) {
      node.send(12 * MIN + i * 2000, {
        consumer: 1,
        clientAddress: `203.0.113.${i}`,
        userAgent: `bot-${i % 20}`,
        route: 3,
        upstream: 3,
        path: "/v1/orders",
      });
    }
    node.flush(15 * MIN);
    const d = node.detections.filter((x) => x.kind === "fingerprint_churn");
    assert.equal(d.length, 1);
    assert.deepEqual(d[0]!.subject, { type: "consumer", id: "alice" });
  });

  it("raises nothing on normal traffic across clock jumps (forward 1 h, back 30 min)", () => {
    const node = new TestNode();
    background(node, 0, 15 * MIN, 30, 500, 3);
    background(node, 15 * MIN + 3_600_000, 25 * MIN + 3_600_000, 30, 500, 4);
    background(node, 25 * MIN + 1_800_000, 35 * MIN + 1_800_000, 30, 500, 5);
    assert.deepEqual(
      node.detections.map((d) => d.explanation),
      [],
    );
    assert.equal(node.engine.stats().clockJumps, 2);
    // Detection still works after the jumps.
    for (let t = 35 * MIN + 1_800_000; t < 36 * MIN + 1_800_000; t += 1000) {
      node.send(t, { route: 1, upstream: 1, path: "/v1/login", clientAddress: "203.0.113.9", status: 401 });
    }
    node.flush(36 * MIN + 1_800_000);
    assert.equal(node.detections.filter((d) => d.kind === "brute_force").length, 1);
  });

  it("keeps memory bounded under a burst of one million distinct addresses and still finds an attacker in it", () => {
    const node = new TestNode("node-a", "eu", { clientCapacity: 1 << 16 });
    background(node, 0, 10 * MIN, 10);
    const before = node.engine.stats().memoryBytes;
    const start = 10 * MIN;
    for (let i = 0; i < 1_000_000; i++) {
      const t = start + i * 0.06; // 1M in 60 s
      node.send(t, {
        clientAddress: `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`,
        path: `/v1/users/${i % 100}`,
      });
      if (i % 20 === 0) {
        node.send(t, { route: 1, upstream: 1, path: "/v1/login", clientAddress: "203.0.113.77", status: 401 });
      }
    }
    node.flush(start + 61_000);
    const s = node.engine.stats();
    assert.equal(s.memoryBytes, before, "typed-array memory is fixed at construction");
    assert.ok(s.clientsTracked <= 1 << 16);
    assert.ok(s.clientsRefused > 500_000, `${s.clientsRefused} newcomers refused`);
    assert.ok(
      node.detections.some((d) => d.kind === "brute_force" && d.subject.id === "203.0.113.77"),
      JSON.stringify(node.detections.map((d) => d.explanation)),
    );
  });
});
