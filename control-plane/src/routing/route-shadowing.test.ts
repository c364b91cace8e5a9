import assert from "node:assert/strict";
import { test } from "node:test";
import { findShadowedRoutes, type PathView, type RouteView } from "./route-shadowing.js";

let n = 0;
/** A route with defaults: any host, any method, priority 0, proxied, no protection. */
function route(name: string, paths: PathView[], extra: Partial<RouteView> = {}): RouteView {
  n++;
  return {
    id: `id-${String(n).padStart(3, "0")}-${name}`,
    name,
    hosts: [],
    paths,
    methods: [],
    priority: 0,
    caseSensitive: false,
    conditions: [],
    proxies: true,
    protections: new Set(),
    ...extra,
  };
}
const jwt = new Set(["jwt"]);
const prefix = (value: string): PathView => ({ kind: "prefix", value });
const exact = (value: string): PathView => ({ kind: "exact", value });
const template = (value: string): PathView => ({ kind: "template", value });

test("an open template outranks a protected prefix: warned, with the request that proves it", () => {
  const { warnings, total } = findShadowedRoutes([
    route("admin", [prefix("/admin")], { protections: jwt }),
    route("tenant-users", [template("/{tenant}/users")]),
  ]);
  assert.equal(total, 1);
  assert.deepEqual(
    { ...warnings[0], message: undefined },
    {
      code: "ROUTE_SHADOWS_PROTECTION",
      route: "tenant-users",
      shadowed_route: "admin",
      example: "GET /admin/users",
      missing: ["jwt"],
      message: undefined,
    },
  );
  assert.match(warnings[0]!.message, /tenant-users outranks route admin on GET \/admin\/users without its jwt policy/);
});

test("a header-matched route without the protection outranks the plain protected route of its path", () => {
  const { warnings } = findShadowedRoutes([
    route("orders", [prefix("/orders")], { protections: new Set(["api-key", "waf"]) }),
    route("orders-beta", [prefix("/orders")], { conditions: [{ field: "header:x-beta", exact: "1" }] }),
  ]);
  assert.deepEqual(
    warnings.map((w) => [w.route, w.shadowed_route, w.missing]),
    [["orders-beta", "orders", ["api-key", "waf"]]],
  );
});

test("a higher priority catch-all shadows every protected route", () => {
  const { warnings } = findShadowedRoutes([
    route("admin", [prefix("/admin")], { protections: jwt }),
    route("maintenance", [], { priority: 10 }),
  ]);
  assert.deepEqual(
    warnings.map((w) => [w.route, w.example]),
    [["maintenance", "GET /admin"]],
  );
});

test("no warning when the protected route wins, the protection is the same, or the requests cannot overlap", () => {
  const none = (routes: RouteView[]) => assert.deepEqual(findShadowedRoutes(routes).warnings, []);
  // The longer prefix wins; a catch-all below it is fine.
  none([route("admin", [prefix("/admin")], { protections: jwt }), route("all", [prefix("/")])]);
  // Same protection type.
  none([
    route("admin", [prefix("/admin")], { protections: jwt }),
    route("t", [template("/{x}/users")], { protections: jwt }),
  ]);
  // Different hosts, disjoint methods, different exact values of one header.
  none([
    route("admin", [prefix("/admin")], { protections: jwt, hosts: ["admin.example.com"] }),
    route("t", [template("/{x}/users")], { hosts: ["api.example.com"] }),
  ]);
  none([
    route("admin", [prefix("/admin")], { protections: jwt, methods: ["POST"] }),
    route("t", [template("/{x}/users")], { methods: ["GET"] }),
  ]);
  none([
    route("a", [prefix("/a")], { protections: jwt, conditions: [{ field: "header:x-v", exact: "2" }] }),
    route("b", [prefix("/a")], { conditions: [{ field: "header:x-v", exact: "1" }, { field: "query:y" }] }),
  ]);
  // A redirect or fixed response exposes no upstream; regex paths are not analysed.
  none([
    route("admin", [prefix("/admin")], { protections: jwt }),
    route("r", [template("/{x}/users")], { proxies: false }),
  ]);
  none([
    route("admin", [prefix("/admin")], { protections: jwt }),
    route("r", [{ kind: "regex", value: "/.*" }], { priority: 5 }),
  ]);
  // Case-sensitive paths that differ in case never meet.
  none([
    route("admin", [exact("/Admin/users")], { protections: jwt, caseSensitive: true }),
    route("t", [template("/{x}/Users")], { priority: 1, caseSensitive: true }),
  ]);
  // Templates with different segment counts.
  none([route("a", [template("/{x}/users/{id}")], { protections: jwt }), route("b", [template("/{x}/{y}")])]);
});

test("an open exact path inside a protected prefix (a login page) is reported: deliberate, but visible", () => {
  const { warnings } = findShadowedRoutes([
    route("admin", [prefix("/admin/")], { protections: jwt }),
    route("login", [exact("/admin/login")]),
  ]);
  assert.deepEqual(
    warnings.map((w) => [w.route, w.example]),
    [["login", "GET /admin/login"]],
  );
});

test("wildcard and exact hosts meet on an example host", () => {
  const { warnings } = findShadowedRoutes([
    route("admin", [prefix("/admin")], { protections: jwt, hosts: ["api.example.com"] }),
    route("t", [template("/{x}/users")], { hosts: ["*.example.com"] }),
  ]);
  assert.deepEqual(
    warnings.map((w) => w.example),
    ["GET api.example.com/admin/users"],
  );
});

test("thousands of routes on one path: the analysis stops at its limits and says so", () => {
  const routes: RouteView[] = [];
  for (let i = 0; i < 400; i++)
    routes.push(route(`r${i}`, [prefix("/orgs")], { protections: i % 2 === 0 ? jwt : new Set() }));
  const { warnings, total, complete } = findShadowedRoutes(routes);
  assert.equal(complete, false, "200 × 200 candidate pairs exceed the check budget");
  assert.equal(warnings.length, 50);
  assert.ok(total >= 50);
  const few = findShadowedRoutes(routes.slice(0, 4));
  assert.deepEqual([few.complete, few.total], [true, 1], "r1 (open) outranks r2 (protected): ids decide the tie");
});
