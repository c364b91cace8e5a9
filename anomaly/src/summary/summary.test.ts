import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { AnomalyError } from "../errors.js";
import { background, TestNode } from "../test/feed.js";
import { decodeSummary, encodeSummary, summaryFromJson, summaryToJson } from "./codec.js";
import { FleetView } from "./fleet-view.js";
import type { NodeSummary } from "./summary.js";

const MIN = 60_000;

function busySummary(): NodeSummary {
  const node = new TestNode();
  background(node, 0, 2 * MIN, 50);
  for (let i = 0; i < 40; i++)
    node.send(2 * MIN + i * 100, { route: 1, path: "/v1/login", clientAddress: "2001:db8::7", status: 401 });
  node.send(2 * MIN + 5000, {
    consumer: 1,
    route: 3,
    path: "/v1/orders",
    requestBytes: 700,
    contentType: "application/json",
  });
  node.flush(2 * MIN + 6000);
  return node.engine.takeSummary();
}

describe("node summary codec", () => {
  it("round-trips through the binary and the JSON form", () => {
    const s = busySummary();
    assert.ok(s.routes.length >= 2 && s.clients.length > 0);
    const bin = encodeSummary(s);
    assert.deepEqual(decodeSummary(bin), s);
    assert.deepEqual(summaryFromJson(JSON.parse(JSON.stringify(summaryToJson(s)))), s);
    assert.ok(bin.length < 20_000, `${bin.length} bytes`);
  });

  it("refuses malformed bytes with a typed error, never anything else", () => {
    const good = encodeSummary(busySummary());
    fc.assert(
      fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, v) => {
        const b = good.slice();
        b[at] = v;
        try {
          decodeSummary(b);
        } catch (e) {
          assert.ok(e instanceof AnomalyError, String(e));
        }
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => {
        try {
          decodeSummary(b);
        } catch (e) {
          assert.ok(e instanceof AnomalyError, String(e));
        }
      }),
    );
    assert.throws(() => decodeSummary(good.subarray(0, good.length - 1)), { code: "SUMMARY_MALFORMED" });
    assert.throws(() => decodeSummary(new Uint8Array([...good, 0])), { code: "SUMMARY_MALFORMED", field: "" });
    // A route count of 2^40 claims more than the bytes could hold: refused before any allocation.
    const huge = new Uint8Array([
      0x50,
      0x41,
      0x53,
      1,
      1,
      0x6e,
      0,
      0,
      ...new Array(16).fill(0),
      0,
      0,
      0x80,
      0x80,
      0x80,
      0x80,
      0x80,
      0x20,
    ]);
    assert.throws(() => decodeSummary(huge), { code: "SUMMARY_TOO_LARGE", field: "routes" });
  });

  it("refuses JSON with counts that are not counts, oversized lists, or bad registers", () => {
    const j = summaryToJson(busySummary()) as Record<string, any>;
    const bad: Array<[(o: any) => void, string]> = [
      [(o) => (o.routes[0].requests = -1), "routes[0].requests"],
      [(o) => (o.routes[0].requests = 1.5), "routes[0].requests"],
      [(o) => (o.clients = new Array(5000).fill(o.clients[0])), "clients"],
      [(o) => (o.routes[0].failingClients = Buffer.alloc(256, 99).toString("base64")), "routes[0].failingClients"],
      [(o) => (o.nodeId = "x".repeat(300)), "nodeId"],
      [(o) => (o.endMs = o.startMs + 3_600_000), "endMs"],
      [(o) => (o.failures = [[1e9, 1]]), "failures[0]"],
      [(o) => (o.version = 2), "version"],
    ];
    for (const [mutate, field] of bad) {
      const o = structuredClone(j);
      mutate(o);
      assert.throws(
        () => summaryFromJson(o),
        (e: unknown) => e instanceof AnomalyError && e.field === field,
        field,
      );
    }
  });
});

describe("fleet view", () => {
  it("finds a brute force spread over two nodes that stays under each node's threshold", () => {
    const a = new TestNode("node-a", "eu");
    const b = new TestNode("node-b", "eu");
    const fleet: string[] = [];
    const view = new FleetView({
      onDetection: (d) => fleet.push(`${d.level}:${d.kind}:${d.subject.id}:${d.explanation}`),
    });
    const attacker = "203.0.113.50";
    for (let t = 0; t < 15 * MIN; t += 5000) {
      background(a, t, t + 5000, 20, 500, t + 1);
      background(b, t, t + 5000, 20, 500, t + 2);
      if (t >= 12 * MIN) {
        // One failed login per 10 s on each node (6/min): 12/min in all, over the 10/min floor.
        (t % 10_000 === 0 ? a : b).send(t + 1000, {
          route: 1,
          path: "/v1/login",
          clientAddress: attacker,
          status: 401,
        });
      }
      for (const node of [a, b]) {
        node.flush(t + 5000);
        view.add(decodeSummary(encodeSummary(node.engine.takeSummary())), t + 5000);
      }
    }
    assert.deepEqual(
      [...a.detections, ...b.detections].filter((d) => d.subject.id === attacker),
      [],
      "no node sees it alone",
    );
    assert.ok(
      fleet.some((s) => s.startsWith(`fleet:brute_force:${attacker}:`)),
      JSON.stringify(fleet),
    );
    assert.ok(fleet.some((s) => s.startsWith(`region:brute_force:${attacker}:`)));
  });
});
