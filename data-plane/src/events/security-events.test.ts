import assert from "node:assert/strict";
import { test } from "node:test";
import { eventTypeOf, type SecurityEvent, SecurityEvents } from "./security-events.js";

const event = (n: number): SecurityEvent => ({
  type: "authentication_failed",
  reason: "token_expired",
  time: n,
  code: "AUTH_TOKEN_INVALID",
  status: 401,
  requestId: `r${n}`,
  route: "r",
  policy: "p",
  policyType: "jwt",
  consumer: null,
  clientAddress: "127.0.0.1",
  method: "GET",
  path: "/",
});

test("emit counts by type at once and delivers batches to subscribers later, in order", async () => {
  const bus = new SecurityEvents();
  const got: number[] = [];
  bus.subscribe((batch) => got.push(...batch.map((e) => e.time)));
  bus.emit(event(1));
  bus.emit({ ...event(2), type: "access_denied", reason: "claim_rule_failed" });
  assert.deepEqual(got, [], "delivery is off the emitting call");
  assert.equal(bus.counts().authentication_failed, 1);
  assert.equal(bus.counts().access_denied, 1);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(got, [1, 2]);
  assert.equal(bus.recent().length, 2);
});

test("a slow subscriber costs bounded memory: the oldest queued events are dropped and counted", async () => {
  const bus = new SecurityEvents({ maxQueue: 3, keepRecent: 2 });
  const got: number[] = [];
  bus.subscribe((batch) => got.push(...batch.map((e) => e.time)));
  for (let i = 1; i <= 5; i++) bus.emit(event(i));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(got, [3, 4, 5]);
  assert.equal(bus.dropped, 2);
  assert.deepEqual(
    bus.recent().map((e) => e.time),
    [4, 5],
  );
});

test("a throwing subscriber does not stop the others; unsubscribe works", async () => {
  const bus = new SecurityEvents();
  let n = 0;
  bus.subscribe(() => {
    throw new Error("bug");
  });
  const off = bus.subscribe(() => n++);
  bus.emit(event(1));
  await new Promise((r) => setImmediate(r));
  off();
  bus.emit(event(2));
  await new Promise((r) => setImmediate(r));
  assert.equal(n, 1);
});

test("every reason maps to an event type", () => {
  assert.equal(eventTypeOf("credential_ambiguous"), "credential_ambiguous");
  assert.equal(eventTypeOf("keys_unavailable"), "auth_unavailable");
  assert.equal(eventTypeOf("claim_rule_failed"), "access_denied");
  assert.equal(eventTypeOf("ip_not_allowed"), "ip_denied");
  assert.equal(eventTypeOf("rate_limit_store_unavailable"), "rate_limited");
  assert.equal(eventTypeOf("header_count_exceeded"), "request_too_large");
  assert.equal(eventTypeOf("cors_origin_not_allowed"), "cors_rejected");
});

test("traffic-protection types are counted beside the authentication ones", () => {
  const bus = new SecurityEvents();
  bus.emit({ ...event(1), type: "rate_limited", reason: "rate_limit_exceeded", code: "RATE_LIMITED", status: 429 });
  bus.emit({ ...event(2), type: "request_rejected", reason: "te_not_chunked", code: "BAD_REQUEST", status: 400 });
  const counts = bus.counts();
  assert.equal(counts.rate_limited, 1);
  assert.equal(counts.request_rejected, 1);
  assert.equal(counts.ip_denied, 0);
  assert.equal(counts.authentication_failed, 0);
});
