import assert from "node:assert/strict";
import { test } from "node:test";
import { testAdminApi } from "../test/admin-app.js";

const up = (name: string, port = 9080) => ({ name, targets: [{ host: "127.0.0.1", port }] });

test("GET answers an ETag; PUT and DELETE with a stale If-Match answer 412 and write nothing", async () => {
  const { call } = await testAdminApi();
  await call("POST", "/v1/upstreams", up("a"));
  const read = await call("GET", "/v1/upstreams/a");
  const etag = read.headers.etag as string;
  assert.match(etag, /^"[A-Za-z0-9_-]{27}"$/);
  // Another operator writes first.
  const other = await call("PUT", "/v1/upstreams/a", up("a", 9081), { headers: { "if-match": etag } });
  assert.equal(other.status, 200);
  assert.notEqual(other.headers.etag, etag);
  const stale = await call("PUT", "/v1/upstreams/a", up("a", 9082), { headers: { "if-match": etag } });
  assert.equal(stale.status, 412);
  assert.equal(stale.body.error.code, "PRECONDITION_FAILED");
  assert.equal(stale.body.error.etag, other.headers.etag);
  assert.equal((await call("GET", "/v1/upstreams/a")).body.targets[0].port, 9081);
  assert.equal((await call("DELETE", "/v1/upstreams/a", undefined, { headers: { "if-match": etag } })).status, 412);
  assert.equal(
    (await call("DELETE", "/v1/upstreams/a", undefined, { headers: { "if-match": '"nope", *' } })).status,
    204,
  );

  const settings = await call("GET", "/v1/settings");
  assert.equal(
    (
      await call(
        "PUT",
        "/v1/settings",
        { merge_slashes: true },
        { headers: { "if-match": settings.headers.etag as string } },
      )
    ).status,
    200,
  );
  assert.equal(
    (await call("PUT", "/v1/settings", {}, { headers: { "if-match": settings.headers.etag as string } })).status,
    412,
  );
  assert.equal((await call("GET", "/v1/settings")).body.merge_slashes, true);
  // Without If-Match a write goes ahead, as before.
  assert.equal((await call("PUT", "/v1/settings", {})).status, 200);
});

test("custom roles and credentials: an ETag on GET; a stale If-Match answers 412 and writes nothing", async () => {
  const { call } = await testAdminApi();
  const role = { name: "editors", permissions: ["routes:read", "routes:write"] };
  assert.equal((await call("PUT", "/v1/roles/editors", role)).status, 200);
  const read = await call("GET", "/v1/roles/editors");
  const etag = read.headers.etag as string;
  assert.deepEqual(read.body.permissions, ["routes:read", "routes:write"]);
  const newer = { ...role, permissions: ["routes:read"] };
  assert.equal((await call("PUT", "/v1/roles/editors", newer, { headers: { "if-match": etag } })).status, 200);
  const stale = await call("PUT", "/v1/roles/editors", role, { headers: { "if-match": etag } });
  assert.deepEqual([stale.status, stale.body.error.code], [412, "PRECONDITION_FAILED"]);
  assert.equal((await call("DELETE", "/v1/roles/editors", undefined, { headers: { "if-match": etag } })).status, 412);
  assert.deepEqual((await call("GET", "/v1/roles/editors")).body.permissions, ["routes:read"]);
  const absent = await call("PUT", "/v1/roles/nobody", { ...role, name: "nobody" }, { headers: { "if-match": etag } });
  assert.equal(absent.status, 412, "If-Match on a role that does not exist matches nothing");
  assert.equal((await call("GET", "/v1/roles/nobody")).status, 404);

  await call("POST", "/v1/consumers", { name: "alice" });
  const cred = (
    await call("POST", "/v1/consumers/alice/credentials", { type: "jwt", issuer: "https://idp", subject: "a" })
  ).body;
  const one = await call("GET", `/v1/consumers/alice/credentials/${cred.id}`);
  assert.match(one.headers.etag as string, /^"[A-Za-z0-9_-]{27}"$/);
  const wrong = await call("DELETE", `/v1/consumers/alice/credentials/${cred.id}`, undefined, {
    headers: { "if-match": '"not-it"' },
  });
  assert.equal(wrong.status, 412);
  const right = await call("DELETE", `/v1/consumers/alice/credentials/${cred.id}`, undefined, {
    headers: { "if-match": one.headers.etag as string },
  });
  assert.equal(right.status, 204);
});

test("the telemetry and anomaly configs: an ETag on GET; a stale If-Match answers 412 and writes nothing", async () => {
  const { call } = await testAdminApi();
  for (const [url, first, second] of [
    ["/v1/telemetry", { secret_headers: ["x-a"] }, { secret_headers: ["x-b"] }],
    ["/v1/anomalies/config", { enabled: true }, { enabled: true, mode: "enforce" }],
  ] as const) {
    const read = await call("GET", url);
    const etag = read.headers.etag as string;
    assert.match(etag, /^"[A-Za-z0-9_-]{27}"$/, url);
    const put = await call("PUT", url, first, { headers: { "if-match": etag } });
    assert.equal(put.status, 200, `${url} ${put.text}`);
    assert.notEqual(put.headers.etag, etag);
    const stale = await call("PUT", url, second, { headers: { "if-match": etag } });
    assert.deepEqual([stale.status, stale.body.error.code], [412, "PRECONDITION_FAILED"], url);
    assert.deepEqual((await call("GET", url)).headers.etag, put.headers.etag, `${url}: nothing was written`);
  }
});

test("lists page by a stable order with a next link, and filter", async () => {
  const { call } = await testAdminApi();
  for (const n of ["e", "a", "d", "b", "c"]) await call("POST", "/v1/upstreams", up(n, n === "c" ? 7000 : 9080));
  await call("POST", "/v1/routes", { name: "r1", paths: ["/orders/x"], upstream: "a" });
  await call("POST", "/v1/routes", { name: "r2", paths: [{ exact: "/users" }], upstream: "b", hosts: ["h.example"] });
  const all = await call("GET", "/v1/upstreams");
  assert.deepEqual(
    all.body.items.map((u: { name: string }) => u.name),
    ["a", "b", "c", "d", "e"],
  );
  assert.equal(all.body.next, null);
  const names: string[] = [];
  let url: string | null = "/v1/upstreams?limit=2";
  while (url) {
    const page = await call("GET", url);
    names.push(...page.body.items.map((u: { name: string }) => u.name));
    url = page.body.next;
  }
  assert.deepEqual(names, ["a", "b", "c", "d", "e"]);
  assert.equal((await call("GET", "/v1/upstreams?limit=2&after=b")).body.next, "/v1/upstreams?limit=2&after=d");
  assert.deepEqual(
    (await call("GET", "/v1/routes?upstream=a")).body.items.map((r: { name: string }) => r.name),
    ["r1"],
  );
  assert.deepEqual(
    (await call("GET", "/v1/routes?path=/orders")).body.items.map((r: { name: string }) => r.name),
    ["r1"],
  );
  assert.deepEqual(
    (await call("GET", "/v1/routes?host=h.example")).body.items.map((r: { name: string }) => r.name),
    ["r2"],
  );
  assert.equal((await call("GET", "/v1/upstreams?host=127.0.0.1&name=c")).body.items.length, 1);
  const bad = await call("GET", "/v1/upstreams?limit=0");
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, "limit");
  assert.equal((await call("GET", "/v1/routes?colour=red")).body.error.code, "VALIDATION_FAILED");
});

test("roles page like every list: limit, a next link with the after cursor, 400 for a bad limit", async () => {
  const { call } = await testAdminApi();
  const all = (await call("GET", "/v1/roles")).body;
  assert.equal(all.next, null);
  assert.ok(all.items.length >= 4);
  const first = await call("GET", "/v1/roles?limit=2");
  assert.deepEqual(
    first.body.items.map((r: { name: string }) => r.name),
    all.items.slice(0, 2).map((r: { name: string }) => r.name),
  );
  assert.equal(first.body.next, `/v1/roles?limit=2&after=${all.items[1].name}`);
  const second = await call("GET", first.body.next);
  assert.deepEqual(
    second.body.items.map((r: { name: string }) => r.name),
    all.items.slice(2, 4).map((r: { name: string }) => r.name),
  );
  const bad = await call("GET", "/v1/roles?limit=0");
  assert.deepEqual([bad.status, bad.body.error.field], [400, "limit"]);
});
