// Admin API: the traffic-management policies `canary` and `mirror` (validation, upstream
// references, route-level only, snapshot encoding).
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { SnapshotSchema } from "@palisade/proto";
import { testAdminApi } from "../test/admin-app.js";

async function app() {
  return testAdminApi();
}

async function withUpstreams(call: Awaited<ReturnType<typeof app>>["call"]): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const name of ["stable", "v2", "v3", "shadow"]) {
    const r = await call("POST", "/v1/upstreams", { name, targets: [{ host: "127.0.0.1", port: 9000 }] });
    ids[name] = r.body.id;
  }
  return ids;
}

test("bad canary and mirror configs answer 400 naming the field", async () => {
  const { call } = await app();
  await withUpstreams(call);
  const p = (type: string, config: unknown) => ({ name: "p", type, config });
  const cases: Array<[unknown, string, string]> = [
    [p("canary", {}), "config.splits", "VALIDATION_FAILED"],
    [p("canary", { splits: [{ upstream: "v2", weight: 101 }] }), "config.splits.0.weight", "VALIDATION_FAILED"],
    [p("canary", { splits: [{ upstream: "v2", weight: 0.125 }] }), "config.splits.0.weight", "VALIDATION_FAILED"],
    [
      p("canary", {
        splits: [
          { upstream: "v2", weight: 60 },
          { upstream: "v3", weight: 50 },
        ],
      }),
      "config.splits",
      "VALIDATION_FAILED",
    ],
    [
      p("canary", {
        splits: [
          { upstream: "v2", weight: 10 },
          { upstream: "v2", weight: 10 },
        ],
      }),
      "config.splits.1.upstream",
      "VALIDATION_FAILED",
    ],
    [p("canary", { splits: [{ upstream: "nope", weight: 10 }] }), "config.splits.0.upstream", "REFERENCE_NOT_FOUND"],
    [
      p("canary", { overrides: [{ header: "x-c", value: "1", upstream: "gone" }] }),
      "config.overrides.0.upstream",
      "REFERENCE_NOT_FOUND",
    ],
    [p("canary", { overrides: [{ value: "1", upstream: "v2" }] }), "config.overrides.0", "VALIDATION_FAILED"],
    [
      p("canary", { overrides: [{ header: "x-c", cookie: "c", value: "1", upstream: "v2" }] }),
      "config.overrides.0",
      "VALIDATION_FAILED",
    ],
    [
      p("canary", { overrides: [{ header: "x-c", value: "1", regex: "1", upstream: "v2" }] }),
      "config.overrides.0.value",
      "VALIDATION_FAILED",
    ],
    [
      p("canary", { overrides: [{ cookie: "c", regex: "1", upstream: "v2" }] }),
      "config.overrides.0.regex",
      "VALIDATION_FAILED",
    ],
    [
      p("canary", { overrides: [{ header: "x-c", regex: "([a-z]", upstream: "v2" }] }),
      "config.overrides.0.regex",
      "VALIDATION_FAILED",
    ],
    [
      p("canary", { overrides: [{ header: "x-c", regex: "^(a+)+$", upstream: "v2" }] }),
      "config.overrides.0.regex",
      "VALIDATION_FAILED",
    ],
    [
      p("canary", { overrides: [{ header: "bad name", value: "1", upstream: "v2" }] }),
      "config.overrides.0.header",
      "VALIDATION_FAILED",
    ],
    [p("canary", { splits: [{ upstream: "v2", weight: 5 }], sticky: "cookie" }), "config.sticky", "VALIDATION_FAILED"],
    [p("mirror", { upstream: "shadow" }), "config.fraction", "VALIDATION_FAILED"],
    [p("mirror", { upstream: "shadow", fraction: 0 }), "config.fraction", "VALIDATION_FAILED"],
    [p("mirror", { upstream: "shadow", fraction: 1.5 }), "config.fraction", "VALIDATION_FAILED"],
    [p("mirror", { upstream: "shadow", fraction: 0.1, max_in_flight: 0 }), "config.max_in_flight", "VALIDATION_FAILED"],
    [p("mirror", { upstream: "nope", fraction: 0.1 }), "config.upstream", "REFERENCE_NOT_FOUND"],
  ];
  for (const [body, field, code] of cases) {
    const r = await call("POST", "/v1/policies", body);
    assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)}`);
    assert.deepEqual(
      [r.body.error.code, r.body.error.field],
      [code, field],
      `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`,
    );
  }
});

test("canary and mirror: names resolve to ids, the snapshot carries basis points, referenced upstreams stay", async () => {
  const { call, store } = await app();
  const ids = await withUpstreams(call);
  const canary = await call("POST", "/v1/policies", {
    name: "split",
    type: "canary",
    config: {
      splits: [
        { upstream: "v2", weight: 12.5 },
        { upstream: ids.v3, weight: 0.25 },
      ],
      overrides: [
        { header: "X-Canary", value: "always", upstream: "v2" },
        { header: "x-group", regex: "^(staff|qa)$", upstream: "v3" },
        { cookie: "beta", value: "1", upstream: "stable" },
      ],
      sticky: { cookie: "session" },
    },
  });
  assert.equal(canary.status, 201, JSON.stringify(canary.body));
  assert.deepEqual(
    canary.body.config.splits.map((s: { upstream: string }) => s.upstream),
    [ids.v2, ids.v3],
    "names are stored as ids",
  );
  const mirror = await call("POST", "/v1/policies", {
    name: "shadow",
    type: "mirror",
    config: { upstream: "shadow", fraction: 0.1 },
  });
  assert.equal(mirror.status, 201, JSON.stringify(mirror.body));
  const route = await call("POST", "/v1/routes", {
    name: "orders",
    paths: ["/orders"],
    upstream: "stable",
    policies: ["split", "shadow"],
  });
  assert.equal(route.status, 201, JSON.stringify(route.body));
  assert.equal((await call("POST", "/v1/config/versions", {})).status, 201);

  const snap = fromBinary(SnapshotSchema, (await store.latestVersion())!.snapshot);
  const byName = new Map(snap.policies.map((p) => [p.name, p.config]));
  const c = byName.get("split")!;
  assert.equal(c.case, "canary");
  if (c.case === "canary") {
    assert.deepEqual(
      c.value.splits.map((s) => [s.upstreamId, s.weightBp]),
      [
        [ids.v2, 1250],
        [ids.v3, 25],
      ],
    );
    const [h, r, k] = c.value.overrides;
    assert.equal(h?.match.case, "header");
    if (h?.match.case === "header") {
      assert.equal(h.match.value.name, "x-canary", "header names are lower-cased");
      assert.deepEqual(h.match.value.value, { case: "exact", value: "always" });
    }
    if (r?.match.case === "header") assert.deepEqual(r.match.value.value, { case: "regex", value: "^(staff|qa)$" });
    assert.equal(k?.upstreamId, ids.stable);
    assert.deepEqual(c.value.sticky?.key, { case: "cookie", value: "session" });
  }
  const m = byName.get("shadow")!;
  assert.equal(m.case, "mirror");
  if (m.case === "mirror") {
    assert.equal(m.value.upstreamId, ids.shadow);
    assert.equal(m.value.fraction, 0.1);
    assert.deepEqual([m.value.maxBodyBytes, m.value.timeoutMs, m.value.maxInFlight], [65_536, 5_000, 100]);
  }

  // An upstream a policy sends traffic to cannot be deleted.
  for (const name of ["v2", "shadow"]) {
    const gone = await call("DELETE", `/v1/upstreams/${name}`);
    assert.deepEqual([gone.status, gone.body.error.code], [409, "RESOURCE_IN_USE"], name);
  }
});

test("canary and mirror are route-level: never global, one of each per route", async () => {
  const { call } = await app();
  await withUpstreams(call);
  await call("POST", "/v1/policies", {
    name: "a",
    type: "canary",
    config: { splits: [{ upstream: "v2", weight: 5 }] },
  });
  await call("POST", "/v1/policies", {
    name: "b",
    type: "canary",
    config: { splits: [{ upstream: "v3", weight: 5 }] },
  });
  await call("POST", "/v1/policies", { name: "sec", type: "headers", config: { remove: ["server"] } });
  const global = await call("PUT", "/v1/settings", { global_policies: ["sec", "a"] });
  assert.deepEqual(
    [global.status, global.body.error.code, global.body.error.field],
    [400, "VALIDATION_FAILED", "global_policies.1"],
  );
  const two = await call("POST", "/v1/routes", { name: "r", paths: ["/r"], upstream: "stable", policies: ["a", "b"] });
  assert.deepEqual([two.status, two.body.error.field], [400, "policies.1"]);
  // A global policy cannot become a canary.
  assert.equal((await call("PUT", "/v1/settings", { global_policies: ["sec"] })).status, 200);
  const becomes = await call("PUT", "/v1/policies/sec", {
    name: "sec",
    type: "canary",
    config: { splits: [{ upstream: "v2", weight: 5 }] },
  });
  assert.deepEqual([becomes.status, becomes.body.error.field], [400, "type"]);
});
