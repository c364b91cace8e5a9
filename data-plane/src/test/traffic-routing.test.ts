// Multi-module: the canary and mirror policies in a real proxy (compile, pools, phases) with
// programmable upstreams on loopback. The shadow's answers are held by the test so that "the
// client never waits for the shadow" is a fact about order, not a timing.
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { after, before, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { type Policy, PolicySchema, type Snapshot } from "@palisade/proto";
import { compile } from "../config/compile.js";
import { createPolicyResources, type PolicyResources } from "../policies/registry.js";
import { ShadowStats } from "../telemetry/shadow-stats.js";
import { eventually } from "./eventually.js";
import { route, snapshot, upstream } from "./fixtures.js";
import { deadPort, send, TestProxy, TestUpstream } from "./harness.js";

const TYPES = new Set(["canary", "mirror", "api-key"]);

let stable: TestUpstream;
let v2: TestUpstream;
let shadow: TestUpstream;
let proxy: TestProxy;
let stats: ShadowStats;
let resources: PolicyResources;
let dead: number;
/** Shadow answers the test holds back. */
const held: ServerResponse[] = [];

function policy(id: string, config: Policy["config"]): Policy {
  return create(PolicySchema, { id, name: id, config });
}

function apply(snap: Snapshot): void {
  proxy.holder.swap(compile(snap, { policyTypes: TYPES, upstreams: proxy.runtime, resources }));
}

function mirror(
  id: string,
  upstreamId: string,
  extra: { maxBodyBytes?: number; timeoutMs?: number; maxInFlight?: number } = {},
) {
  return policy(id, {
    case: "mirror",
    value: {
      $typeName: "palisade.config.v1.MirrorPolicy",
      upstreamId,
      fraction: 1,
      maxBodyBytes: extra.maxBodyBytes ?? 1024,
      timeoutMs: extra.timeoutMs ?? 5000,
      maxInFlight: extra.maxInFlight ?? 100,
    },
  });
}

function counters(routeId: string) {
  return stats.figures().find((f) => f.routeId === routeId);
}

before(async () => {
  stable = await new TestUpstream("stable").start();
  v2 = await new TestUpstream("v2").start();
  shadow = await new TestUpstream("shadow").start();
  dead = await deadPort();
  stats = new ShadowStats();
  resources = createPolicyResources({ shadowStats: stats });
  proxy = await new TestProxy().start();
  apply(
    snapshot({
      upstreams: [
        upstream("stable", [stable.address]),
        // v2 has a dead target beside the live one: its own retries must carry the request.
        upstream("v2", [`127.0.0.1:${dead}`, v2.address]),
        upstream("shadow", [shadow.address]),
        upstream("nowhere", [`127.0.0.1:${dead}`]),
      ],
      policies: [
        policy("all-v2", {
          case: "canary",
          value: {
            $typeName: "palisade.config.v1.CanaryPolicy",
            splits: [{ $typeName: "palisade.config.v1.CanarySplit", upstreamId: "v2", weightBp: 10_000 }],
            overrides: [],
          },
        }),
        mirror("shadow", "shadow"),
        mirror("shadow-one", "shadow", { maxInFlight: 1 }),
        mirror("shadow-fast", "shadow", { timeoutMs: 100 }),
        mirror("shadow-dead", "nowhere"),
        mirror("shadow-nobody", "shadow", { maxBodyBytes: 0 }),
      ],
      routes: [
        route("canary", "stable", ["/canary"], { policyIds: ["all-v2"] }),
        route("mirrored", "stable", ["/mirrored"], { policyIds: ["shadow"], stripPrefix: true }),
        route("one", "stable", ["/one"], { policyIds: ["shadow-one"] }),
        route("fast", "stable", ["/fast"], { policyIds: ["shadow-fast"] }),
        route("dead", "stable", ["/dead"], { policyIds: ["shadow-dead"] }),
        route("nobody", "stable", ["/nobody"], { policyIds: ["shadow-nobody"] }),
      ],
    }),
  );
});

after(async () => {
  for (const r of held) r.end();
  await proxy.stop();
  await resources.close();
  await Promise.all([stable.stop(), v2.stop(), shadow.stop()]);
});

test("canary: the chosen upstream serves the request with its own balancing and retries", async () => {
  for (let i = 0; i < 10; i++) {
    const r = await send(proxy.port, `/canary/${i}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers["x-upstream"], "v2");
  }
  assert.equal(stable.count("/canary"), 0);
  assert.equal(v2.count("/canary"), 10, "the dead target of v2 was skipped or retried, never answered 502");
});

test("mirror: the client gets the primary's answer while the shadow has not answered", async () => {
  shadow.behaviour = (_req, res) => {
    held.push(res);
    return true;
  };
  try {
    const r = await send(proxy.port, "/mirrored/orders?x=1", {
      method: "POST",
      headers: { "content-type": "text/plain", "x-test": "a" },
      body: "hello shadow",
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers["x-upstream"], "stable");
    await eventually("the shadow received its copy", () => shadow.count("/orders") === 1);
    assert.equal(held.length, 1, "the shadow is still holding its answer");
    const copy = shadow.seen.at(-1)!;
    assert.equal(copy.method, "POST");
    assert.equal(copy.url, "/orders?x=1", "same forwarded path and query as the primary");
    assert.equal(copy.body, "hello shadow");
    assert.equal(copy.headers["x-test"], "a");
    assert.equal(copy.headers.host, `127.0.0.1-shadow:${shadow.port}`);
    assert.equal(copy.headers["content-length"], "12");
    const primary = stable.seen.at(-1)!;
    assert.equal(copy.headers["x-request-id"], primary.headers["x-request-id"]);
    // The shadow answers 503 now: a disagreement with the primary's 200.
    const res = held.pop()!;
    res.statusCode = 503;
    res.end();
    await eventually("the comparison", () => counters("mirrored")?.compared === 1);
    assert.equal(counters("mirrored")?.disagreed, 1);
    assert.equal(counters("mirrored")?.mirrored, 1);
  } finally {
    shadow.behaviour = null;
  }
});

test("mirror: a chunked body over the cap reaches the primary whole and is not mirrored", async () => {
  const before = shadow.seen.length;
  const body = "y".repeat(5000);
  const r = await send(proxy.port, "/mirrored/big", {
    method: "POST",
    headers: { "transfer-encoding": "chunked" },
    body,
  });
  assert.equal(r.status, 200);
  assert.equal(stable.seen.at(-1)!.body, body);
  await eventually("the drop", () => counters("mirrored")?.dropped.body_too_large === 1);
  assert.equal(shadow.seen.length, before);
  // A declared length over the cap is not mirrored either, nor any body when the cap is 0.
  await send(proxy.port, "/mirrored/big2", { method: "POST", body: "z".repeat(2000) });
  await send(proxy.port, "/nobody", { method: "POST", body: "z" });
  assert.equal(counters("mirrored")?.dropped.body_too_large, 2);
  assert.equal(counters("nobody")?.dropped.body_too_large, 1);
  await send(proxy.port, "/nobody");
  await eventually("a bodiless request on a 0 cap is mirrored", () => counters("nobody")?.compared === 1);
});

test("mirror: over max_in_flight, requests are served and not mirrored", async () => {
  shadow.behaviour = (_req, res) => {
    held.push(res);
    return true;
  };
  try {
    for (let i = 0; i < 3; i++) assert.equal((await send(proxy.port, `/one/${i}`)).status, 200);
    await eventually("one shadow request held", () => held.length === 1);
    const c = counters("one")!;
    assert.equal(c.dropped.queue_full, 2);
    assert.equal(c.mirrored, 1);
    held.pop()!.end();
    await eventually("compared", () => counters("one")?.compared === 1);
    // The slot is free again.
    assert.equal((await send(proxy.port, "/one/again")).status, 200);
    await eventually("mirrored again", () => held.length === 1);
    held.pop()!.end();
  } finally {
    shadow.behaviour = null;
  }
});

test("mirror: a shadow that times out or cannot be reached is counted, the client is unaffected", async () => {
  shadow.behaviour = (_req, res) => {
    held.push(res);
    return true;
  };
  try {
    assert.equal((await send(proxy.port, "/fast")).status, 200);
    await eventually("the timeout", () => counters("fast")?.dropped.shadow_timeout === 1);
  } finally {
    shadow.behaviour = null;
  }
  for (let i = 0; i < 3; i++) assert.equal((await send(proxy.port, "/dead")).status, 200);
  await eventually("the errors", () => counters("dead")?.dropped.shadow_error === 3);
  assert.equal(counters("dead")?.compared, 0);
});
