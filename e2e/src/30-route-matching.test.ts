/**
 * Issue 22 end to end with real processes — a control plane, one node, two recording upstreams:
 * what an operator coming from Kong or Envoy checks first. A route matched on a header (and one
 * on a query parameter, one on a cookie) takes the requests that carry it while the plain route
 * of the same path keeps the others; a template path routes `/users/{id}`; a regex path routes
 * what it matches and nothing else; a regex that is not linear-time is refused with the field
 * at fault, and the node keeps serving the version it had. Routes that answer themselves: a
 * redirect (301 with its Location, an HTTPS upgrade, a template value carried over) and a fixed
 * 503 maintenance page, each behind the route's policies (no key: 401, never the answer).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess, http } from "./harness/fleet.js";
import { RecordingUpstream } from "./harness/upstream.js";

describe("route matching on headers, query, cookies, templates and regexes; redirects and direct responses", () => {
  let key: string;
  let stable: RecordingUpstream;
  let beta: RecordingUpstream;
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;

  /** The upstream that answered `path` with `headers`, or the status when the node answered itself. */
  async function via(path: string, headers: Record<string, string> = {}): Promise<string> {
    const r = await http(dp.proxyPort, path, { headers });
    return r.status === 200 ? String(r.headers["x-upstream"]) : String(r.status);
  }

  before(async () => {
    stable = await new RecordingUpstream("stable").start();
    beta = await new RecordingUpstream("beta").start();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "stable", targets: [{ host: "127.0.0.1", port: stable.port }] });
    await cp.ok("POST", "/v1/upstreams", { name: "beta", targets: [{ host: "127.0.0.1", port: beta.port }] });
    await cp.ok("POST", "/v1/routes", { name: "api", paths: ["/api"], upstream: "stable" });
    await cp.ok("POST", "/v1/routes", {
      name: "api-v2",
      paths: ["/api"],
      headers: [{ name: "X-Api-Version", exact: "2" }],
      upstream: "beta",
    });
    await cp.ok("POST", "/v1/routes", {
      name: "api-csv",
      paths: ["/api/export"],
      query: [{ name: "format", regex: "csv|tsv" }],
      upstream: "beta",
    });
    await cp.ok("POST", "/v1/routes", {
      name: "api-canary",
      paths: ["/api/orders"],
      cookies: [{ name: "canary", exact: "on" }],
      upstream: "beta",
    });
    await cp.ok("POST", "/v1/routes", { name: "user", paths: [{ template: "/users/{id}" }], upstream: "beta" });
    await cp.ok("POST", "/v1/routes", { name: "items", paths: [{ regex: "/items/[0-9]+" }], upstream: "stable" });
    await cp.ok("POST", "/v1/policies", { name: "keys", type: "api-key", config: {} });
    await cp.ok("POST", "/v1/consumers", { name: "alice" });
    key = (await cp.ok("POST", "/v1/consumers/alice/credentials", { type: "api-key" })).key as string;
    await cp.ok("POST", "/v1/routes", {
      name: "moved",
      paths: ["/docs"],
      redirect: { status: 301, host: "docs.example.com", prefix_rewrite: "/v2" },
    });
    await cp.ok("POST", "/v1/routes", {
      name: "secure-users",
      paths: [{ template: "/profile/{id}" }],
      redirect: { status: 308, scheme: "https", path: "/users/{id}", strip_query: true },
    });
    await cp.ok("POST", "/v1/routes", {
      name: "maintenance",
      paths: ["/shop"],
      policies: ["keys"],
      direct_response: {
        status: 503,
        headers: { "Retry-After": "120", "Content-Type": "text/html; charset=utf-8" },
        body: "<h1>Back soon</h1>",
      },
    });
    await cp.ok("POST", "/v1/config/versions", {});
    dp = await new DataPlaneProcess("node-routing", cp.syncPort).start();
    await cp.waitForNodes([dp.nodeId], 1);
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await stable?.stop();
    await beta?.stop();
  });

  test("the header-matched route takes the requests that carry the header; the plain route keeps the rest", async () => {
    assert.equal(await via("/api/orders/7", { "x-api-version": "2" }), "beta");
    assert.equal(await via("/api/orders/7", { "X-API-VERSION": "2" }), "beta", "header names ignore case");
    assert.equal(await via("/api/orders/7", { "x-api-version": "1" }), "stable");
    assert.equal(await via("/api/orders/7"), "stable");
    const seen = beta.seen.at(-2)!;
    assert.equal(seen.url, "/api/orders/7", "forwarded as asked");
  });

  test("query and cookie conditions; a parameter sent twice picks no route by its value", async () => {
    assert.equal(await via("/api/export?format=csv"), "beta");
    assert.equal(await via("/api/export?format=tsv&x=1"), "beta");
    assert.equal(await via("/api/export?format=json"), "stable");
    assert.equal(await via("/api/export?format=csv&format=json"), "stable");
    assert.equal(await via("/api/orders", { cookie: "theme=dark; canary=on" }), "beta");
    assert.equal(await via("/api/orders", { cookie: "canary=off" }), "stable");
  });

  test("a template path routes one segment per variable; a regex path matches the whole path", async () => {
    assert.equal(await via("/users/42"), "beta");
    assert.equal(await via("/users/42/posts"), "404");
    assert.equal(await via("/items/123"), "stable");
    assert.equal(await via("/items/12a"), "404");
  });

  test("a redirect answers 301 with its Location; an HTTPS upgrade keeps a template's value", async () => {
    const before = stable.seen.length + beta.seen.length;
    const r = await http(dp.proxyPort, "/docs/guide/intro?lang=en", { headers: { host: "example.com" } });
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, "http://docs.example.com/v2/guide/intro?lang=en");
    const up = await http(dp.proxyPort, "/profile/ada?tab=1", { headers: { host: "example.com:8080" } });
    assert.equal(up.status, 308);
    assert.equal(up.headers.location, "https://example.com/users/ada");
    assert.equal(stable.seen.length + beta.seen.length, before, "no upstream was asked");
  });

  test("a fixed 503 maintenance page, after the route's policies: no key is a 401, never the page", async () => {
    const page = await http(dp.proxyPort, "/shop/cart", { headers: { "x-api-key": key } });
    assert.equal(page.status, 503);
    assert.equal(page.text, "<h1>Back soon</h1>");
    assert.equal(page.headers["retry-after"], "120");
    assert.equal(page.headers["content-type"], "text/html; charset=utf-8");
    const refused = await http(dp.proxyPort, "/shop/cart");
    assert.equal(refused.status, 401);
    assert.doesNotMatch(refused.text, /Back soon/);
  });

  test("a regex that is not linear-time is refused with the field at fault; the node keeps its version", async () => {
    const refused = await cp.api("POST", "/v1/routes", {
      name: "slow",
      paths: ["/slow"],
      headers: [
        { name: "x-a", exact: "1" },
        { name: "x-b", regex: "(a+)+(?=b)" },
      ],
      upstream: "stable",
    });
    assert.equal(refused.status, 400);
    const err = refused.json().error;
    assert.deepEqual([err.code, err.field], ["VALIDATION_FAILED", "headers.1.regex"]);
    assert.match(err.message, /linear-time/);
    const path = await cp.api("POST", "/v1/routes", {
      name: "slow",
      paths: [{ regex: "/(x)\\1" }],
      upstream: "stable",
    });
    assert.deepEqual([path.status, path.json().error.field], [400, "paths.0.regex"]);
    // Nothing was written: publishing makes no new version and the node still answers as before.
    const pub = await cp.api("POST", "/v1/config/versions", {});
    assert.deepEqual([pub.status, pub.json().version, pub.json().created], [200, 1, false], pub.text);
    assert.equal(await via("/api/orders/7", { "x-api-version": "2" }), "beta");
  });

  test("a publish warns when an open route outranks a protected one, and the example it gives is true", async () => {
    // Precedence puts a template before a prefix (Envoy's and Kong's order), so an open
    // `/{tenant}/users` takes `/admin/users` from an `/admin` that requires a key.
    await cp.ok("POST", "/v1/routes", { name: "admin", paths: ["/admin"], policies: ["keys"], upstream: "stable" });
    await cp.ok("POST", "/v1/routes", {
      name: "tenant-users",
      paths: [{ template: "/{tenant}/users" }],
      upstream: "beta",
    });
    const pub = await cp.ok("POST", "/v1/config/versions", { message: "admin" });
    // It takes `/shop/users` from the keyed maintenance page too.
    assert.deepEqual(
      pub.warnings.map((w: Record<string, unknown>) => [w.code, w.route, w.shadowed_route, w.example, w.missing]),
      [
        ["ROUTE_SHADOWS_PROTECTION", "tenant-users", "admin", "GET /admin/users", ["api-key"]],
        ["ROUTE_SHADOWS_PROTECTION", "tenant-users", "maintenance", "GET /shop/users", ["api-key"]],
      ],
    );
    assert.equal(pub.warnings_total, 2);
    await cp.waitForNodes([dp.nodeId], pub.version);
    assert.equal(await via("/admin/users"), "beta", "the example reaches the open route's upstream without a key");
    assert.equal(await via("/shop/users"), "beta");
    assert.equal(await via("/admin/settings"), "401", "the rest of /admin keeps its key");
    // Given the same protection, the warning goes.
    await cp.ok("PUT", "/v1/routes/tenant-users", {
      name: "tenant-users",
      paths: [{ template: "/{tenant}/users" }],
      policies: ["keys"],
      upstream: "beta",
    });
    const fixed = await cp.ok("POST", "/v1/config/versions", { message: "tenant-users keyed" });
    assert.deepEqual(
      fixed.warnings.filter((w: { route: string }) => w.route === "tenant-users"),
      [],
    );
  });
});
