import assert from "node:assert/strict";
import { test } from "node:test";
import { type ConditionView, findShadowedRoutes, type PathView, type RouteView } from "./route-shadowing.js";

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
    protections: new Map(),
    ...extra,
  };
}
const jwt = new Map([["admin-jwt", "jwt"]]);
const prefix = (value: string): PathView => ({ kind: "prefix", value });
const exact = (value: string): PathView => ({ kind: "exact", value });
const template = (value: string): PathView => ({ kind: "template", value });
const regex = (value: string): PathView => ({ kind: "regex", value });
const header = (name: string, exactValue?: string): ConditionView => ({
  field: `header:${name}`,
  ...(exactValue !== undefined ? { exact: exactValue } : {}),
  text: `header ${name}: ${exactValue ?? "x"}`,
});
const pairs = (routes: RouteView[]) =>
  findShadowedRoutes(routes).warnings.map((w) => [w.route, w.shadowed_route, w.example]);

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
      missing_policies: ["admin-jwt"],
      message: undefined,
    },
  );
  assert.match(
    warnings[0]!.message,
    /tenant-users outranks route admin on GET \/admin\/users without its policy admin-jwt \(jwt\)/,
  );
});

test("a header-matched twin without the protection: the example carries the header the client must send", () => {
  assert.deepEqual(
    pairs([
      route("orders", [prefix("/orders")], {
        protections: new Map([
          ["keys", "api-key"],
          ["waf", "waf"],
        ]),
      }),
      route("orders-beta", [prefix("/orders")], { conditions: [header("x-beta", "1")] }),
    ]),
    [["orders-beta", "orders", "GET /orders with header x-beta: 1"]],
  );
});

test("protections compare by policy: a weaker policy of the same type is reported", () => {
  const { warnings } = findShadowedRoutes([
    route("admin", [prefix("/admin")], { protections: jwt }),
    route("users", [template("/{t}/users")], { protections: new Map([["user-jwt", "jwt"]]) }),
  ]);
  assert.deepEqual(
    warnings.map((w) => [w.route, w.missing_policies]),
    [["users", ["admin-jwt"]]],
  );
});

test("a higher priority catch-all shadows every protected route", () => {
  assert.deepEqual(
    pairs([route("admin", [prefix("/admin")], { protections: jwt }), route("maintenance", [], { priority: 10 })]),
    [["maintenance", "admin", "GET /admin"]],
  );
});

test("regex paths: an open / outranks a protected regex; a higher-priority open regex outranks a prefix", () => {
  assert.deepEqual(pairs([route("secret", [regex("/secret/.*")], { protections: jwt }), route("all", [prefix("/")])]), [
    ["all", "secret", "GET /secret/"],
  ]);
  assert.deepEqual(
    pairs([route("admin", [prefix("/admin")], { protections: jwt }), route("adm", [regex("/adm.*")], { priority: 1 })]),
    [["adm", "admin", "GET /admin"]],
  );
  // A protected regex that outranks nothing open, and an open regex that cannot match.
  assert.deepEqual(
    pairs([route("secret", [regex("/secret/.*")], { protections: jwt }), route("other", [regex("/other/.*")])]),
    [],
  );
});

test("trailing-slash aliases: an open path's alias and a protected path's alias are both seen", () => {
  // A prefix /admin/ owns /admin (its alias); an open template /{section} takes /admin.
  assert.deepEqual(
    pairs([route("admin", [prefix("/admin/")], { protections: jwt }), route("section", [template("/{section}")])]),
    [["section", "admin", "GET /admin"]],
  );
  // An exact /admin owns /admin/ as an alias, which ranks below an open exact /admin/.
  assert.deepEqual(
    pairs([route("admin", [exact("/admin")], { protections: jwt }), route("slash", [exact("/admin/")])]),
    [["slash", "admin", "GET /admin/"]],
  );
  // strict_trailing_slash: no alias, no overlap.
  assert.deepEqual(
    pairs([
      route("admin", [exact("/admin")], { protections: jwt, strictTrailingSlash: true }),
      route("slash", [exact("/admin/")]),
    ]),
    [],
  );
});

test("no warning when the protected route wins, the protection is the same, or the requests cannot overlap", () => {
  const none = (routes: RouteView[]) => assert.deepEqual(findShadowedRoutes(routes).warnings, []);
  none([route("admin", [prefix("/admin")], { protections: jwt }), route("all", [prefix("/")])]);
  none([
    route("admin", [prefix("/admin")], { protections: jwt }),
    route("t", [template("/{x}/users")], { protections: jwt }),
  ]);
  none([
    route("admin", [prefix("/admin")], { protections: jwt, hosts: ["admin.example.com"] }),
    route("t", [template("/{x}/users")], { hosts: ["api.example.com"] }),
  ]);
  none([
    route("admin", [prefix("/admin")], { protections: jwt, methods: ["POST"] }),
    route("t", [template("/{x}/users")], { methods: ["GET"] }),
  ]);
  none([
    route("a", [prefix("/a")], { protections: jwt, conditions: [header("x-v", "2")] }),
    route("b", [prefix("/a")], { conditions: [header("x-v", "1")] }),
  ]);
  none([
    route("admin", [prefix("/admin")], { protections: jwt }),
    route("r", [template("/{x}/users")], { proxies: false }),
  ]);
  none([
    route("admin", [exact("/Admin/users")], { protections: jwt, caseSensitive: true }),
    route("t", [template("/{x}/Users")], { priority: 1, caseSensitive: true }),
  ]);
  none([route("a", [template("/{x}/users/{id}")], { protections: jwt }), route("b", [template("/{x}/{y}")])]);
});

test("an open exact path inside a protected prefix (a login page) is reported: deliberate, but visible", () => {
  assert.deepEqual(
    pairs([route("admin", [prefix("/admin/")], { protections: jwt }), route("login", [exact("/admin/login")])]),
    [["login", "admin", "GET /admin/login"]],
  );
});

test("wildcard and exact hosts meet on an example host", () => {
  assert.deepEqual(
    pairs([
      route("admin", [prefix("/admin")], { protections: jwt, hosts: ["api.example.com"] }),
      route("t", [template("/{x}/users")], { hosts: ["*.example.com"] }),
    ]),
    [["t", "admin", "GET api.example.com/admin/users"]],
  );
});

test("thousands of routes on one path: the analysis stops at its limits and says so", () => {
  const routes: RouteView[] = [];
  for (let i = 0; i < 600; i++)
    routes.push(route(`r${i}`, [prefix("/orgs")], { protections: i % 2 === 0 ? jwt : new Map() }));
  const { warnings, total, complete } = findShadowedRoutes(routes);
  assert.equal(complete, false, "300 × 300 candidate pairs exceed the check budget");
  assert.equal(warnings.length, 100);
  assert.ok(total >= 100);
  const few = findShadowedRoutes(routes.slice(0, 4));
  assert.deepEqual([few.complete, few.total], [true, 1], "r1 (open) outranks r2 (protected): ids decide the tie");
});
