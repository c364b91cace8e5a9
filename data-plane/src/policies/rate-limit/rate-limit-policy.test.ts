import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import {
  RateLimitFailureMode,
  RateLimitKeySource,
  RateLimitPeriod,
  RateLimitPolicySchema,
  RateLimitScope,
} from "@palisade/proto";
import { startRedis } from "../../test/redis-server.js";
import { NO_CONSUMERS } from "../auth/consumers.js";
import type { Policy } from "../contract.js";
import { PolicyConfigError } from "../factory.js";
import { asRefusal, requestHook, responseHook, type TestExchange, testRequest } from "../test-request.js";
import { type LimiterStore, MemoryLimiterStore } from "./limiter-store.js";
import { addressKey } from "./rate-limit-key.js";
import { createRateLimitPolicy } from "./rate-limit-policy.js";
import { RedisConnections, RedisLimiterStore, RedisUnavailableError } from "./redis-limiter.js";

const ctx = { id: "rl", warn: () => {}, consumers: NO_CONSUMERS };

function policy(
  init: Parameters<typeof create<typeof RateLimitPolicySchema>>[1],
  local: LimiterStore = new MemoryLimiterStore(),
  redis = new RedisConnections(),
) {
  return createRateLimitPolicy(create(RateLimitPolicySchema, init), ctx, { local, redis });
}

const perMinute = (n: number) => [{ requests: n, period: RateLimitPeriod.MINUTE }];

/** What a request's answer would carry: admitted or refused, and the policy's headers on it. */
interface Outcome {
  readonly allow: boolean;
  readonly code?: string;
  readonly responseHeaders: Record<string, string | string[]> | null;
}

async function check(p: Policy, req: TestExchange): Promise<Outcome> {
  const v = await requestHook(p, req);
  if (v !== undefined) {
    const r = asRefusal(v);
    return { allow: false, code: r.code, responseHeaders: r.headers };
  }
  const h = responseHook(p, req, 200, null);
  return { allow: true, responseHeaders: Object.keys(h).length > 0 ? h : null };
}

async function outcomes(p: Policy, reqs: TestExchange[]): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const r of reqs) out.push(await check(p, r));
  return out;
}

test("memory store: fixed window anchored at the first hit; a refused hit spends nothing; windows reset", () => {
  let now = 1_000_000;
  const s = new MemoryLimiterStore({ now: () => now });
  const limits = [
    { limit: 2, windowMs: 1000 },
    { limit: 3, windowMs: 60_000 },
  ];
  assert.deepEqual(s.hit("k", limits), { allowed: true, index: 0, remaining: 1, resetMs: 1000 });
  now += 500;
  assert.deepEqual(s.hit("k", limits), { allowed: true, index: 0, remaining: 0, resetMs: 500 });
  assert.deepEqual(s.hit("k", limits), { allowed: false, index: 0, remaining: 0, resetMs: 500 });
  now += 500;
  assert.deepEqual(
    s.hit("k", limits),
    { allowed: true, index: 1, remaining: 0, resetMs: 59_000 },
    "the minute quota is closest",
  );
  assert.equal(s.hit("k", limits).allowed, false);
  assert.equal(s.hit("other", limits).allowed, true, "keys are independent");
});

test("memory store: bounded memory under a flood of distinct keys", () => {
  const s = new MemoryLimiterStore({ maxKeys: 100 });
  for (let i = 0; i < 1000; i++) s.hit(`k${i}`, [{ limit: 1, windowMs: 60_000 }]);
  assert.ok(s.size <= 100, `size ${s.size}`);
});

test("10/min per client: exactly 10 admitted with RateLimit-* headers, then 429 with Retry-After", async () => {
  const p = policy({ limits: perMinute(10) });
  const res = await outcomes(
    p,
    Array.from({ length: 15 }, () => testRequest({ clientAddress: "203.0.113.50" })),
  );
  assert.equal(res.filter((o) => o.allow).length, 10);
  const first = res[0]!;
  assert.ok(first.allow);
  assert.deepEqual(first.responseHeaders, {
    "ratelimit-limit": "10",
    "ratelimit-remaining": "9",
    "ratelimit-reset": "60",
    "ratelimit-policy": "10;w=60",
  });
  const denied = res[10]!;
  assert.ok(!denied.allow);
  assert.equal(denied.code, "RATE_LIMITED");
  assert.equal(denied.responseHeaders?.["retry-after"], "60");
  assert.equal(denied.responseHeaders?.["ratelimit-remaining"], "0");
});

test("keys come from the canonical view: spoofed forwarding headers and header case mint no bucket", async () => {
  const p = policy({ limits: perMinute(5) });
  const reqs = Array.from({ length: 10 }, (_, i) =>
    testRequest({
      clientAddress: "203.0.113.50",
      headers: {
        "x-forwarded-for": `198.51.100.${i}`,
        "x-real-ip": `198.51.100.${i}`,
        forwarded: `for=198.51.100.${i}`,
      },
    }),
  );
  assert.equal((await outcomes(p, reqs)).filter((o) => o.allow).length, 5);
});

test("IPv6 clients are grouped by /64 by default (rotating within one /64 does not help)", async () => {
  assert.equal(addressKey("2001:db8:1:2:aaaa::1", 64), "2001:db8:1:2::/64");
  assert.equal(addressKey("2001:db8:1:2:aaaa::1", 128), "2001:db8:1:2:aaaa::1");
  const p = policy({ limits: perMinute(3) });
  const reqs = Array.from({ length: 6 }, (_, i) => testRequest({ clientAddress: `2001:db8:1:2::${i + 1}` }));
  assert.equal((await outcomes(p, reqs)).filter((o) => o.allow).length, 3);
  const other = await check(p, testRequest({ clientAddress: "2001:db8:1:3::1" }));
  assert.equal(other.allow, true, "another /64 has its own bucket");
});

test("consumer, route and header keys; the address stands in when the part is absent", async () => {
  const byConsumer = policy({ limits: perMinute(2), key: [{ source: RateLimitKeySource.CONSUMER }] });
  const alice = { id: "c-alice", name: "alice" };
  const a = await outcomes(byConsumer, [
    testRequest({ consumer: alice, clientAddress: "192.0.2.1" }),
    testRequest({ consumer: alice, clientAddress: "192.0.2.2" }),
    testRequest({ consumer: alice, clientAddress: "192.0.2.3" }),
    testRequest({ consumer: null, clientAddress: "192.0.2.3" }),
  ]);
  assert.deepEqual(
    a.map((o) => o.allow),
    [true, true, false, true],
  );
  const byRouteAndHeader = policy({
    limits: perMinute(1),
    key: [{ source: RateLimitKeySource.ROUTE }, { source: RateLimitKeySource.HEADER, header: "X-Tenant" }],
  });
  const b = await outcomes(byRouteAndHeader, [
    testRequest({ routeId: "r1", headers: { "x-tenant": "t1" } }),
    testRequest({ routeId: "r1", headers: { "x-tenant": "t1" }, clientAddress: "192.0.2.9" }),
    testRequest({ routeId: "r2", headers: { "x-tenant": "t1" } }),
    testRequest({ routeId: "r1", headers: { "x-tenant": "t2" } }),
  ]);
  assert.deepEqual(
    b.map((o) => o.allow),
    [true, false, true, true],
  );
});

test("config errors name the field", () => {
  const bad = (init: Parameters<typeof policy>[0], re: RegExp) =>
    assert.throws(
      () => policy(init),
      (e: unknown) => e instanceof PolicyConfigError && re.test(e.message),
    );
  bad({ limits: [] }, /^limits/);
  bad({ limits: [{ requests: 0, period: RateLimitPeriod.SECOND }] }, /limits\[0\]\.requests/);
  bad({ limits: [{ requests: 1, period: RateLimitPeriod.UNSPECIFIED }] }, /limits\[0\]\.period/);
  bad({ limits: [...perMinute(1), ...perMinute(2)] }, /same period/);
  bad({ limits: perMinute(1), key: [{ source: RateLimitKeySource.HEADER, header: "bad header" }] }, /key\[0\]\.header/);
  bad({ limits: perMinute(1), scope: RateLimitScope.CLUSTER }, /^redis/);
});

test("cluster scope on a real Redis: two nodes (two connections) admit exactly 10 of 100 concurrent hits", async (t) => {
  const redis = await startRedis();
  const nodeA = new RedisConnections();
  const nodeB = new RedisConnections();
  t.after(async () => {
    await nodeA.close();
    await nodeB.close();
    await redis.stop();
  });
  const target = { host: "127.0.0.1", port: redis.port, username: "", password: "", database: 0 };
  const a = new RedisLimiterStore(nodeA.get(target), "t:", 2000);
  const b = new RedisLimiterStore(nodeB.get(target), "t:", 2000);
  const limits = [
    { limit: 10, windowMs: 60_000 },
    { limit: 50, windowMs: 3_600_000 },
  ];
  const hits = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? a : b).hit("k", limits)));
  assert.equal(hits.filter((h) => h.allowed).length, 10);
  const denied = hits.find((h) => !h.allowed)!;
  assert.equal(denied.index, 0);
  assert.ok(denied.resetMs > 0 && denied.resetMs <= 60_000);
  const hour = await a.hit("k2", limits);
  assert.equal(hour.allowed, true);
  assert.equal(hour.remaining, 9);

  // The same policy through the factory, with fail-open and fail-closed when Redis goes away.
  const cfg = (mode: RateLimitFailureMode) => ({
    limits: perMinute(100),
    scope: RateLimitScope.CLUSTER,
    redis: { host: "127.0.0.1", port: redis.port, timeoutMs: 300 },
    failureMode: mode,
  });
  const open = policy(cfg(RateLimitFailureMode.OPEN), undefined, nodeA);
  const closed = policy(cfg(RateLimitFailureMode.CLOSED), undefined, nodeA);
  assert.equal((await check(open, testRequest())).allow, true);
  await redis.stop();
  await assert.rejects(a.hit("k", limits), RedisUnavailableError, "no hang, a typed failure");
  assert.equal((await check(open, testRequest())).allow, true, "fail open admits");
  const c = await check(closed, testRequest());
  assert.ok(!c.allow);
  assert.equal(c.code, "RATE_LIMIT_UNAVAILABLE");
});
