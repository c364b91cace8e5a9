// Admin API: route matchers of issue 22 (header, query and cookie conditions, regex and template
// paths): refusals naming the field, the snapshot a node receives, and the feature a node must announce.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { SnapshotSchema } from "@palisade/proto";
import { testAdminApi } from "../test/admin-app.js";

async function setup() {
  const t = await testAdminApi();
  const u = await t.call("POST", "/v1/upstreams", { name: "svc", targets: [{ host: "127.0.0.1", port: 9000 }] });
  assert.equal(u.status, 201);
  return t;
}

test("bad matchers answer 400 VALIDATION_FAILED naming the field", async () => {
  const { call } = await setup();
  const r = (more: object) => ({ name: "r", upstream: "svc", paths: ["/a"], ...more });
  const cases: Array<[object, string]> = [
    [r({ paths: [{ regex: "/a/(?=b)" }] }), "paths.0.regex"],
    [r({ paths: ["/x", { regex: "/a/(" }] }), "paths.1.regex"],
    [r({ paths: [{ template: "/users/id{id}" }] }), "paths.0.template"],
    [r({ paths: [{ template: "/users/{id}/{id}" }] }), "paths.0.template"],
    [r({ paths: [{ template: "/users/{id}" }], strip_prefix: true }), "paths.0"],
    [
      r({
        headers: [
          { name: "x-v", exact: "1" },
          { name: "x-w", regex: "(a)\\1" },
        ],
      }),
      "headers.1.regex",
    ],
    [r({ headers: [{ name: "x-v", exact: "1", prefix: "1" }] }), "headers.0"],
    [r({ query: [{ name: "v" }] }), "query.0"],
    [r({ cookies: [{ name: "bad name", exact: "1" }] }), "cookies.0.name"],
    [r({ headers: [{ name: "x-v", present: false }] }), "headers.0.present"],
  ];
  for (const [body, field] of cases) {
    const res = await call("POST", "/v1/routes", body);
    assert.deepEqual(
      [res.status, res.body.error.code, res.body.error.field],
      [400, "VALIDATION_FAILED", field],
      `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`,
    );
  }
});

test("matchers reach the snapshot as written, and the version needs the route-matchers feature", async () => {
  const { call, store } = await setup();
  const plain = await call("POST", "/v1/routes", { name: "plain", upstream: "svc", paths: ["/api"] });
  assert.equal(plain.status, 201);
  assert.equal((await call("POST", "/v1/config/versions", {})).status, 201);
  assert.ok(
    !(await store.latestVersion())!.features.includes("route-matchers"),
    "a version without matchers needs nothing new",
  );

  const res = await call("POST", "/v1/routes", {
    name: "beta",
    upstream: "svc",
    paths: [{ template: "/users/{id}" }, { regex: "/items/[0-9]+" }],
    headers: [
      { name: "X-Version", exact: "2" },
      { name: "x-debug", absent: true },
    ],
    query: [{ name: "format", prefix: "cs" }],
    cookies: [{ name: "canary", present: true }],
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.deepEqual(res.body.headers, [
    { name: "X-Version", exact: "2" },
    { name: "x-debug", absent: true },
  ]);
  assert.equal((await call("POST", "/v1/config/versions", {})).status, 201);
  const v = (await store.latestVersion())!;
  assert.ok(v.features.includes("route-matchers"), JSON.stringify(v.features));
  const route = fromBinary(SnapshotSchema, v.snapshot).routes.find((x) => x.name === "beta")!;
  assert.deepEqual(
    route.paths.map((p) => [p.kind.case, p.kind.value]),
    [
      ["template", "/users/{id}"],
      ["regex", "/items/[0-9]+"],
    ],
  );
  assert.deepEqual(
    route.headers.map((h) => [h.name, h.kind.case, h.kind.value]),
    [
      ["X-Version", "exact", "2"],
      ["x-debug", "present", false],
    ],
  );
  assert.deepEqual(
    route.query.map((h) => [h.name, h.kind.case, h.kind.value]),
    [["format", "prefix", "cs"]],
  );
  assert.deepEqual(
    route.cookies.map((h) => [h.name, h.kind.case, h.kind.value]),
    [["canary", "present", true]],
  );

  // Removing the last matcher drops the feature again.
  assert.equal((await call("DELETE", "/v1/routes/beta")).status, 204);
  assert.equal((await call("POST", "/v1/config/versions", {})).status, 201);
  assert.ok(!(await store.latestVersion())!.features.includes("route-matchers"));
});

test("a regex that reached the draft without the API's check is refused at publish, naming the route's field", async () => {
  const { call, store } = await setup();
  const svc = (await call("GET", "/v1/upstreams/svc")).body.id as string;
  await store.insertResource("routes", "bad-id", "legacy", {
    name: "legacy",
    upstream: svc,
    paths: ["/a"],
    headers: [{ name: "x-v", regex: "(?<=a)b" }],
  });
  const res = await call("POST", "/v1/config/versions", {});
  assert.deepEqual(
    [res.status, res.body.error.code, res.body.error.field],
    [400, "VALIDATION_FAILED", "routes.legacy.headers.0.regex"],
    JSON.stringify(res.body),
  );
  assert.match(res.body.error.message, /linear-time/);
});
