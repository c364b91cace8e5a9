import assert from "node:assert/strict";
import { test } from "node:test";
import { type SecurityEvent, SecurityEvents } from "./security-events.js";

const event = (n: number, type: SecurityEvent["type"] = "rate_limited"): SecurityEvent => ({
  type,
  reason: "limit_exceeded",
  time: n,
  code: "RATE_LIMITED",
  status: 429,
  requestId: `r${n}`,
  route: "login",
  policy: "rl",
  policyType: "rate_limit",
  consumer: null,
  clientAddress: "203.0.113.50",
  method: "POST",
  path: "/auth/login",
});

test("events are counted by type and delivered in order, in batches off the emitting call", async () => {
  const bus = new SecurityEvents();
  const got: SecurityEvent[] = [];
  bus.subscribe((batch) => got.push(...batch));
  bus.emit(event(1));
  bus.emit(event(2, "ip_denied"));
  bus.emit(event(3));
  assert.equal(got.length, 0, "delivery is asynchronous");
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    got.map((e) => e.time),
    [1, 2, 3],
  );
  assert.equal(bus.counts().rate_limited, 2);
  assert.equal(bus.counts().ip_denied, 1);
  assert.equal(bus.counts().request_rejected, 0);
});

test("a slow subscriber loses the oldest events (counted), never blocks emit; a throwing one is isolated", async () => {
  const bus = new SecurityEvents({ maxQueue: 2, keepRecent: 2 });
  const got: number[] = [];
  bus.subscribe(() => {
    throw new Error("subscriber bug");
  });
  bus.subscribe((batch) => got.push(...batch.map((e) => e.time)));
  for (let i = 1; i <= 5; i++) bus.emit(event(i));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(got, [4, 5]);
  assert.equal(bus.dropped, 3);
  assert.deepEqual(
    bus.recent().map((e) => e.time),
    [4, 5],
  );
  assert.equal(bus.counts().rate_limited, 5);
});
