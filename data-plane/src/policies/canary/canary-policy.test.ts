import assert from "node:assert/strict";
import { test } from "node:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { CanaryPolicySchema } from "@palisade/proto";
import type { CompiledUpstream } from "../../config/runtime-table.js";
import { NO_CONSUMERS } from "../auth/consumers.js";
import type { Policy } from "../contract.js";
import { PolicyConfigError } from "../factory.js";
import { testRequest } from "../test-request.js";
import { createCanaryPolicy, splitPoint } from "./canary-policy.js";

// The policy only keeps the compiled upstreams it is given; their ids are what it returns.
const upstreams = new Map(["v2", "v3", "stable"].map((id) => [id, { id } as unknown as CompiledUpstream]));
const ctx = (id = "split") => ({ id, warn: () => {}, consumers: NO_CONSUMERS, upstreams });

function canary(cfg: MessageInitShape<typeof CanaryPolicySchema>, id?: string): Policy {
  return createCanaryPolicy(create(CanaryPolicySchema, cfg), ctx(id));
}

/** The upstream a request goes to: the override's or split's id, or "route" for the route's own. */
function chosen(p: Policy, init: Parameters<typeof testRequest>[0] = {}): string {
  const ex = testRequest(init);
  assert.equal(p.requestHeaders!(ex), undefined, "a canary never answers");
  return ex.upstream ?? "route";
}

const header = (name: string, value: { case: "exact" | "regex"; value: string }, upstreamId: string) => ({
  upstreamId,
  match: { case: "header" as const, value: { name, value } },
});

test("weights: each split gets its share of random draws (within ±4.5σ over 40,000 requests)", () => {
  const p = canary({
    splits: [
      { upstreamId: "v2", weightBp: 1000 },
      { upstreamId: "v3", weightBp: 2500 },
    ],
  });
  const n = 40_000;
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const u = chosen(p);
    counts.set(u, (counts.get(u) ?? 0) + 1);
  }
  for (const [u, share] of [
    ["v2", 0.1],
    ["v3", 0.25],
    ["route", 0.65],
  ] as const) {
    const sigma = Math.sqrt(n * share * (1 - share));
    const got = counts.get(u) ?? 0;
    assert.ok(Math.abs(got - n * share) <= 4.5 * sigma, `${u}: ${got} of ${n}, expected ${n * share}`);
  }
  assert.equal(counts.size, 3);
});

test("weights of 0 % and 100 % are exact", () => {
  const none = canary({ splits: [{ upstreamId: "v2", weightBp: 0 }] });
  const all = canary({ splits: [{ upstreamId: "v2", weightBp: 10_000 }] });
  for (let i = 0; i < 2000; i++) {
    assert.equal(chosen(none), "route");
    assert.equal(chosen(all), "v2");
  }
});

test("overrides always win over the weights, first match first", () => {
  const p = canary({
    splits: [{ upstreamId: "v2", weightBp: 10_000 }],
    overrides: [
      header("x-canary", { case: "exact", value: "stable" }, "stable"),
      header("x-group", { case: "regex", value: "^(staff|qa)$" }, "v3"),
      { upstreamId: "v3", match: { case: "cookie", value: { name: "beta", value: "1" } } },
      header("x-canary", { case: "exact", value: "stable" }, "v2"),
    ],
  });
  for (let i = 0; i < 500; i++) {
    assert.equal(chosen(p, { headers: { "x-canary": "stable" } }), "stable");
    assert.equal(chosen(p, { headers: { "x-group": "qa" } }), "v3");
    assert.equal(chosen(p, { headers: { cookie: "a=b; beta=1" } }), "v3");
    // The first override that matches wins, even over a later one for the same header.
    assert.equal(chosen(p, { headers: { "x-canary": "stable", "x-group": "qa" } }), "stable");
  }
  // Near misses fall through to the weights.
  assert.equal(chosen(p, { headers: { "x-canary": "Stable" } }), "v2");
  assert.equal(chosen(p, { headers: { "x-group": "staffer" } }), "v2");
  assert.equal(chosen(p, { headers: { cookie: "beta=10" } }), "v2");
  assert.equal(chosen(p, { headers: { "x-group": `staff${"x".repeat(5000)}` } }), "v2");
});

test("sticky: a client keeps its upstream; raising the weight only moves clients onto the canary", () => {
  const at = (bp: number) =>
    canary({ splits: [{ upstreamId: "v2", weightBp: bp }], sticky: { key: { case: "header", value: "X-User" } } });
  const ten = at(1000);
  const twenty = at(2000);
  let onTen = 0;
  let onTwenty = 0;
  for (let i = 0; i < 10_000; i++) {
    const h = { "x-user": `user-${i}` };
    const first = chosen(ten, { headers: h });
    for (let k = 0; k < 3; k++) assert.equal(chosen(ten, { headers: h }), first, `user-${i} moved`);
    const later = chosen(twenty, { headers: h });
    if (first === "v2") {
      onTen++;
      assert.equal(later, "v2", `user-${i} left the canary when its weight grew`);
    }
    if (later === "v2") onTwenty++;
  }
  // Hashes spread clients like draws: 10 % and 20 % of 10,000 within ±4.5σ.
  assert.ok(Math.abs(onTen - 1000) <= 135, `${onTen}`);
  assert.ok(Math.abs(onTwenty - 2000) <= 180, `${onTwenty}`);
});

test("sticky by client address and by cookie; a request without the key draws at random", () => {
  const byAddr = canary({
    splits: [{ upstreamId: "v2", weightBp: 5000 }],
    sticky: { key: { case: "clientAddress", value: true } },
  });
  const byCookie = canary({
    splits: [{ upstreamId: "v2", weightBp: 5000 }],
    sticky: { key: { case: "cookie", value: "sid" } },
  });
  for (let i = 0; i < 200; i++) {
    const addr = `198.51.100.${i}`;
    const a = chosen(byAddr, { clientAddress: addr });
    assert.equal(chosen(byAddr, { clientAddress: addr, headers: { "x-other": "1" } }), a);
    const c = chosen(byCookie, { headers: { cookie: `sid=s${i}` } });
    assert.equal(chosen(byCookie, { headers: { cookie: `x=1; sid=s${i}` } }), c);
  }
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) seen.add(chosen(byCookie));
  assert.deepEqual(seen, new Set(["v2", "route"]), "no key: random draws reach both");
});

test("the split hash is seeded by the policy id (not aligned with a ring hash of the same key)", () => {
  let same = 0;
  for (let i = 0; i < 1000; i++) if (splitPoint(`k${i}`, 1) === splitPoint(`k${i}`, 2)) same++;
  assert.ok(same < 10, `${same} of 1000 keys on the same point under two seeds`);
  for (let i = 0; i < 1000; i++) {
    const p = splitPoint(`k${i}`, 7);
    assert.ok(p >= 0 && p < 10_000 && Number.isInteger(p));
    assert.equal(splitPoint(`k${i}`, 7), p);
  }
});

test("bad configs are refused", () => {
  const bad = (cfg: MessageInitShape<typeof CanaryPolicySchema>, msg: RegExp) =>
    assert.throws(
      () => canary(cfg),
      (e: unknown) => e instanceof PolicyConfigError && msg.test(e.message),
    );
  bad({}, /splits or overrides/);
  bad({ splits: [{ upstreamId: "gone", weightBp: 10 }] }, /not in the snapshot/);
  bad({ splits: [{ upstreamId: "v2", weightBp: 10_001 }] }, /over 100/);
  bad(
    {
      splits: [
        { upstreamId: "v2", weightBp: 6000 },
        { upstreamId: "v3", weightBp: 5000 },
      ],
    },
    /more than 100/,
  );
  bad(
    {
      splits: [
        { upstreamId: "v2", weightBp: 10 },
        { upstreamId: "v2", weightBp: 10 },
      ],
    },
    /twice/,
  );
  bad({ overrides: [header("x", { case: "regex", value: "([" }, "v2")] }, /does not compile/);
  bad({ overrides: [header("bad name", { case: "exact", value: "1" }, "v2")] }, /header name/);
  bad({ overrides: [{ upstreamId: "v2", match: { case: undefined } }] }, /neither header nor cookie/);
});

test("the policy declares the upstreams it may choose", () => {
  const p = canary({
    splits: [{ upstreamId: "v2", weightBp: 10 }],
    overrides: [header("x", { case: "exact", value: "1" }, "v3"), header("y", { case: "exact", value: "1" }, "v2")],
  });
  assert.deepEqual(p.traits.routesTo, ["v2", "v3"]);
  assert.equal(p.traits.routeOnly, true);
});
