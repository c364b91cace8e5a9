// Multi-module test of the upstream client's behaviour (circuit breaker → total timeout → retry →
// attempt → the engine's ClientPool), balancing and health, through the real proxy server and
// real upstreams on loopback.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LoadBalancing } from "@palisade/proto";
import { eventually } from "./eventually.js";
import { route, snapshot, upstream } from "./fixtures.js";
import { codeOf, deadPort, send, TestProxy, TestUpstream } from "./harness.js";

const a = new TestUpstream("a");
const b = new TestUpstream("b");
const c = new TestUpstream("c");
const proxy = new TestProxy({});
let dead = 0;
/** Responses held by upstream `a` until the test releases them. */
const held: Array<() => void> = [];

before(async () => {
  await Promise.all([a.start(), b.start(), c.start()]);
  dead = await deadPort();
  const ab = [a.address, b.address];
  proxy.apply(
    snapshot({
      upstreams: [
        upstream("with-dead", [`127.0.0.1:${dead}`, a.address], {
          healthCheck: { passive: { consecutiveConnectFailures: 2 } },
        }),
        upstream("ab", ab, { retries: { retryOnStatuses: [503] } }),
        upstream("no-retry", ab, { retries: { maxRetries: 0 } }),
        upstream("breaker", [a.address], { circuitBreaker: { maxRequests: 2 } }),
        upstream("pending", [a.address], { circuitBreaker: { maxConnections: 1, maxPending: 1 } }),
        upstream("slow", [a.address], { timeouts: { totalMs: 150 } }),
        upstream("outlier", [a.address, b.address, c.address], {
          retries: { maxRetries: 0 },
          healthCheck: { passive: { consecutive5xx: 3, maxEjectionPercent: 34 } },
        }),
        upstream("checked", [a.address, b.address], {
          healthCheck: { active: { path: "/healthz", intervalMs: 50, healthyThreshold: 1, unhealthyThreshold: 1 } },
        }),
        upstream("ring", [a.address, b.address, c.address], {
          loadBalancing: LoadBalancing.RING_HASH,
          hashOn: { key: { case: "header", value: "x-user" } },
        }),
        upstream("p2c", [a.address, b.address], { loadBalancing: LoadBalancing.LEAST_REQUESTS }),
      ],
      routes: [
        route("with-dead", "with-dead", ["/dead"]),
        route("ab", "ab", ["/ab"]),
        route("no-retry", "no-retry", ["/no-retry"]),
        route("breaker", "breaker", ["/breaker"]),
        route("pending", "pending", ["/pending"]),
        route("slow", "slow", ["/slow"]),
        route("slow-header", "ab", ["/hdr"], { timeouts: { headerMs: 100 }, preserveHost: true }),
        route("outlier", "outlier", ["/outlier"]),
        route("checked", "checked", ["/checked"]),
        route("ring", "ring", ["/ring"]),
        route("p2c", "p2c", ["/p2c"]),
      ],
    }),
  );
  await proxy.start();
});

after(async () => {
  for (const r of held.splice(0)) r();
  await proxy.stop();
  await Promise.all([a.stop(), b.stop(), c.stop()]);
});

test("a connect failure is retried on another target whatever the method, body intact; the dead target is ejected", async () => {
  a.behaviour = null;
  for (let i = 0; i < 6; i++) {
    const r = await send(proxy.port, `/dead/post-${i}`, { method: "POST", body: `payload-${i}` });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.body, `a:POST /dead/post-${i}`);
    assert.equal(a.seen.find((s) => s.url === `/dead/post-${i}`)?.body, `payload-${i}`);
  }
  const deadTarget = proxy.upstream("with-dead").targets[0]!;
  assert.equal(deadTarget.health.ejected, true, "two connect failures eject the target");
  assert.equal(deadTarget.health.available, false);
});

test("a POST that reached the upstream is never repeated; an idempotent GET is retried elsewhere", async () => {
  const reset = (s: { url: string }, res: import("node:http").ServerResponse) => {
    if (!s.url.includes("/reset")) return undefined;
    res.socket?.destroy();
    return true;
  };
  a.behaviour = reset;
  b.behaviour = reset;
  const before = a.count("/ab/reset-post") + b.count("/ab/reset-post");
  const post = await send(proxy.port, "/ab/reset-post", { method: "POST", body: "charge the card" });
  assert.equal(post.status, 502);
  assert.equal(codeOf(post), "UPSTREAM_UNAVAILABLE");
  assert.equal(a.count("/ab/reset-post") + b.count("/ab/reset-post") - before, 1, "the POST reached one upstream once");

  a.behaviour = reset;
  b.behaviour = null;
  let retried = false;
  for (let i = 0; i < 4 && !retried; i++) {
    const r = await send(proxy.port, `/ab/reset-get-${i}`);
    assert.equal(r.status, 200);
    assert.equal(r.body, `b:GET /ab/reset-get-${i}`);
    retried = a.count(`/ab/reset-get-${i}`) === 1;
  }
  assert.ok(retried, "a GET that a reset hit on a was retried on b");
  a.behaviour = null;
});

test("retry_on_statuses: a 503 is retried for GET, passed through for POST", async () => {
  const unavailable = (s: { url: string }, res: import("node:http").ServerResponse) => {
    if (!s.url.includes("/busy")) return undefined;
    res.writeHead(503, { "content-type": "text/plain" }).end("busy");
    return true;
  };
  a.behaviour = unavailable;
  b.behaviour = null;
  for (let i = 0; i < 4; i++) {
    const r = await send(proxy.port, `/ab/busy-${i}`);
    assert.equal(r.status, 200);
    assert.equal(r.body, `b:GET /ab/busy-${i}`);
  }
  b.behaviour = unavailable;
  const post = await send(proxy.port, "/ab/busy-post", { method: "POST", body: "x" });
  assert.equal(post.status, 503);
  assert.equal(post.body, "busy", "the upstream's own 503 reaches the client");
  a.behaviour = null;
  b.behaviour = null;
});

test("retries off: a connect failure is answered 502 at once", async () => {
  await b.stop();
  try {
    const statuses = new Set<number>();
    for (let i = 0; i < 4; i++) statuses.add((await send(proxy.port, `/no-retry/${i}`)).status);
    assert.ok(statuses.has(502), "some request hit the stopped target and was not retried");
  } finally {
    await b.start();
  }
});

test("the retry budget refuses retries when too many are in flight", async () => {
  const u = proxy.upstream("with-dead");
  const target = u.targets[0]!;
  target.health.unEject();
  u.counters.retries = 100;
  try {
    const statuses = new Set<number>();
    for (let i = 0; i < 4; i++) statuses.add((await send(proxy.port, `/dead/budget-${i}`)).status);
    assert.ok(statuses.has(502), "with the budget spent, the connect failure is not retried");
  } finally {
    u.counters.retries = 0;
  }
});

test("circuit breaker: over max_requests in flight, 503 UPSTREAM_OVERLOADED at once; then it closes", async () => {
  a.behaviour = (s, res) => {
    if (!s.url.startsWith("/breaker/hold")) return undefined;
    held.push(() => res.end("released"));
    return true;
  };
  const first = send(proxy.port, "/breaker/hold-1");
  const second = send(proxy.port, "/breaker/hold-2");
  await eventually("both requests held by the upstream", () => held.length === 2);
  const third = await send(proxy.port, "/breaker/hold-3");
  assert.equal(third.status, 503);
  assert.equal(codeOf(third), "UPSTREAM_OVERLOADED");
  assert.equal(a.count("/breaker/hold-3"), 0, "the refused request never reached the upstream");
  for (const r of held.splice(0)) r();
  assert.deepEqual([(await first).status, (await second).status], [200, 200]);
  assert.equal((await send(proxy.port, "/breaker/after")).status, 200);
  a.behaviour = null;
});

test("circuit breaker: with the connections taken, over max_pending waiting requests is 503 at once", async () => {
  a.behaviour = (s, res) => {
    if (!s.url.startsWith("/pending/hold")) return undefined;
    held.push(() => res.end("released"));
    return true;
  };
  const first = send(proxy.port, "/pending/hold-1");
  await eventually("the only connection is busy", () => held.length === 1);
  const second = send(proxy.port, "/pending/hold-2");
  await eventually("one request waits for the connection", () => proxy.upstream("pending").counters.pending === 1);
  const third = await send(proxy.port, "/pending/hold-3");
  assert.equal(third.status, 503);
  assert.equal(codeOf(third), "UPSTREAM_OVERLOADED");
  held.shift()!();
  await eventually("the waiting request reached the upstream", () => held.length === 1);
  held.shift()!();
  assert.deepEqual([(await first).status, (await second).status], [200, 200]);
  assert.equal(proxy.upstream("pending").counters.pending, 0);
  a.behaviour = null;
});

test("total timeout answers 504; a route's header timeout overrides the upstream's", async () => {
  a.behaviour = (s, res) => {
    if (!s.url.includes("/never")) return undefined;
    held.push(() => res.end("late"));
    return true;
  };
  b.behaviour = a.behaviour;
  const slow = await send(proxy.port, "/slow/never");
  assert.equal(slow.status, 504);
  assert.equal(codeOf(slow), "UPSTREAM_TIMEOUT");
  const hdr = await send(proxy.port, "/hdr/never", { headers: { host: "client.example" } });
  assert.equal(hdr.status, 504);
  const seen = [...a.seen, ...b.seen].find((s) => s.url === "/hdr/never");
  assert.equal(seen?.headers.host, "client.example", "preserve_host sends the client's Host");
  for (const r of held.splice(0)) r();
  a.behaviour = null;
  b.behaviour = null;
});

test("passive outlier detection: consecutive 5xx eject a target; traffic goes on on the others", async () => {
  c.behaviour = (s, res) => {
    if (!s.url.startsWith("/outlier")) return undefined;
    res.writeHead(500).end("broken");
    return true;
  };
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push((await send(proxy.port, `/outlier/${i}`)).status);
  const cTarget = proxy.upstream("outlier").targets[2]!;
  assert.equal(cTarget.health.ejected, true);
  assert.equal(statuses.filter((s) => s === 500).length, 3, "three 500s from c, then c is out");
  const before = c.count("/outlier");
  for (let i = 0; i < 6; i++) assert.equal((await send(proxy.port, `/outlier/after-${i}`)).status, 200);
  assert.equal(c.count("/outlier"), before, "an ejected target gets no traffic");
  c.behaviour = null;
});

test("active health checks take a failing target out and bring it back", async () => {
  let bHealthy = false;
  b.behaviour = (s, res) => {
    if (s.url !== "/healthz") return undefined;
    res.writeHead(bHealthy ? 200 : 503).end();
    return true;
  };
  const bTarget = proxy.upstream("checked").targets[1]!;
  await eventually("b marked unhealthy", () => bTarget.health.activeFailed);
  const before = b.count("/checked");
  for (let i = 0; i < 6; i++) assert.equal((await send(proxy.port, `/checked/${i}`)).body, `a:GET /checked/${i}`);
  assert.equal(b.count("/checked"), before);
  bHealthy = true;
  await eventually("b healthy again", () => bTarget.health.available);
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) seen.add((await send(proxy.port, `/checked/back-${i}`)).body.slice(0, 1));
  assert.deepEqual([...seen].sort(), ["a", "b"]);
  assert.equal(b.seen.find((s) => s.url === "/healthz")?.headers["user-agent"], "palisade-health-check");
  b.behaviour = null;
});

test("ring hash on a header: one user, one target; users spread over the targets", async () => {
  const targets = new Set<string>();
  for (let u = 0; u < 12; u++) {
    const got = new Set<string>();
    for (let i = 0; i < 3; i++)
      got.add((await send(proxy.port, "/ring/x", { headers: { "x-user": `user-${u}` } })).body.slice(0, 1));
    assert.equal(got.size, 1, `user-${u} always lands on one target`);
    targets.add([...got][0]!);
  }
  assert.ok(targets.size >= 2, "different users land on different targets");
});

test("least requests sends new requests away from a target that is holding some", async () => {
  a.behaviour = (s, res) => {
    if (!s.url.startsWith("/p2c/hold")) return undefined;
    held.push(() => res.end("released"));
    return true;
  };
  b.behaviour = a.behaviour;
  const slow = [send(proxy.port, "/p2c/hold-1")];
  await eventually("one request held", () => held.length === 1);
  const busy = a.count("/p2c/hold-1") === 1 ? "a" : "b";
  a.behaviour = null;
  b.behaviour = null;
  for (let i = 0; i < 5; i++) assert.notEqual((await send(proxy.port, `/p2c/quick-${i}`)).body.slice(0, 1), busy);
  for (const r of held.splice(0)) r();
  await Promise.all(slow);
});
