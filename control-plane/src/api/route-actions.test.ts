// Admin API: route actions of issue 22 (redirect, direct_response instead of an upstream):
// refusals naming the field, the snapshot a node receives, and the feature a node must announce.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { SnapshotSchema } from "@palisade/proto";
import { testAdminApi } from "../test/admin-app.js";

async function setup() {
  const t = await testAdminApi();
  assert.equal(
    (await t.call("POST", "/v1/upstreams", { name: "svc", targets: [{ host: "127.0.0.1", port: 9000 }] })).status,
    201,
  );
  return t;
}

test("bad actions answer 400 VALIDATION_FAILED naming the field", async () => {
  const { call } = await setup();
  const cases: Array<[object, string]> = [
    [{ name: "r", paths: ["/a"] }, "upstream"],
    [{ name: "r", paths: ["/a"], upstream: "svc", redirect: { scheme: "https" } }, "redirect"],
    [{ name: "r", paths: ["/a"], redirect: { status: 200 } }, "redirect.status"],
    [{ name: "r", paths: ["/a"], redirect: { path: "/b", prefix_rewrite: "/c" } }, "redirect.prefix_rewrite"],
    [{ name: "r", paths: [{ template: "/u/{id}" }], redirect: { prefix_rewrite: "/c" } }, "redirect.prefix_rewrite"],
    [{ name: "r", paths: ["/u"], redirect: { path: "/users/{id}" } }, "redirect.path"],
    [{ name: "r", paths: ["/a"], direct_response: { status: 700 } }, "direct_response.status"],
    [
      { name: "r", paths: ["/a"], direct_response: { status: 503, headers: { "Content-Length": "1" } } },
      "direct_response.headers.Content-Length",
    ],
    [
      { name: "r", paths: ["/a"], direct_response: { status: 503, headers: { "x-a": "1\r\nx-b: 2" } } },
      "direct_response.headers.x-a",
    ],
    [{ name: "r", paths: ["/a"], direct_response: { status: 503, body: "é".repeat(40_000) } }, "direct_response.body"],
  ];
  for (const [body, field] of cases) {
    const res = await call("POST", "/v1/routes", body);
    assert.deepEqual(
      [res.status, res.body.error.code, res.body.error.field],
      [400, "VALIDATION_FAILED", field],
      `${JSON.stringify(body).slice(0, 200)} → ${JSON.stringify(res.body).slice(0, 300)}`,
    );
  }
});

test("actions reach the snapshot with no upstream, and the version needs the route-actions feature", async () => {
  const { call, store } = await setup();
  const made = await call("POST", "/v1/routes", {
    name: "old-users",
    paths: [{ template: "/u/{id}" }],
    redirect: { status: 308, scheme: "https", host: "new.example.com", path: "/users/{id}", strip_query: true },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.equal(made.body.upstream, undefined);
  const down = await call("POST", "/v1/routes", {
    name: "maintenance",
    paths: ["/shop"],
    direct_response: { status: 503, headers: { "Retry-After": "120" }, body: "back soon" },
  });
  assert.equal(down.status, 201, JSON.stringify(down.body));
  assert.equal((await call("POST", "/v1/config/versions", {})).status, 201);
  const v = (await store.latestVersion())!;
  assert.deepEqual(
    v.features.filter((f) => f.startsWith("route-")),
    ["route-actions", "route-matchers"],
  );
  const routes = fromBinary(SnapshotSchema, v.snapshot).routes;
  const r = routes.find((x) => x.name === "old-users")!;
  assert.equal(r.upstreamId, "");
  assert.equal(r.action.case, "redirect");
  if (r.action.case === "redirect")
    assert.deepEqual(
      [
        r.action.value.status,
        r.action.value.scheme,
        r.action.value.host,
        r.action.value.path,
        r.action.value.stripQuery,
      ],
      [308, "https", "new.example.com", "/users/{id}", true],
    );
  const m = routes.find((x) => x.name === "maintenance")!;
  assert.equal(m.action.case, "directResponse");
  if (m.action.case === "directResponse") {
    assert.equal(m.action.value.status, 503);
    assert.deepEqual(m.action.value.headers, { "Retry-After": "120" });
    assert.equal(new TextDecoder().decode(m.action.value.body), "back soon");
  }
  // A route that answers itself holds no upstream: the upstream can go.
  assert.equal((await call("DELETE", "/v1/upstreams/svc")).status, 204);
});
