import assert from "node:assert/strict";
import { test } from "node:test";
import { parseQuery } from "./match-request.js";
import { compileRegexPath, compileTemplate, PathPatternError, regexLiteralPrefix } from "./path-pattern.js";
import { FieldCondition, type FieldMatchSpec, type MatchRequest, RouteConditions } from "./route-conditions.js";
import { type PathSpec, Router, type RouteSpec } from "./router.js";

/** Issue 22, point 1: template and regex paths, header/query/cookie conditions, and their precedence. */

interface R {
  readonly name: string;
}

function path(p: string, caseSensitive = false): PathSpec {
  if (p.startsWith("=")) return { kind: "exact", value: p.slice(1) };
  if (p.startsWith("~"))
    return { kind: "regex", value: p.slice(1), pattern: compileRegexPath(p.slice(1), caseSensitive) };
  if (p.includes("{")) return { kind: "template", value: p, pattern: compileTemplate(p, caseSensitive) };
  return { kind: "prefix", value: p };
}

function spec(
  name: string,
  paths: string[],
  more: Partial<RouteSpec<R>> & { when?: FieldMatchSpec[] } = {},
): RouteSpec<R> {
  const { when, ...rest } = more;
  return {
    route: { name },
    key: name,
    hosts: [],
    paths: paths.map((p) => path(p, rest.caseSensitive)),
    methods: [],
    priority: 0,
    ...(when ? { conditions: new RouteConditions(when.map((w) => new FieldCondition(w))) } : {}),
    ...rest,
  };
}

function request(h: Record<string, string> = {}, query = "", cookie = ""): MatchRequest {
  const q = parseQuery(query);
  const c = new Map(cookie.split("; ").map((p) => p.split("=") as [string, string]));
  return { header: (n) => h[n], query: (n) => q.get(n), cookie: (n) => c.get(n) };
}

/** Routes padded past the index threshold, so the index (not a scan) is what answers. */
function padded(specs: RouteSpec<R>[]): Router<R> {
  const pad = Array.from({ length: 40 }, (_, i) => spec(`pad${i}`, [`/pad/${i}`]));
  return new Router([...specs, ...pad]);
}

for (const [label, build] of [
  ["scan", (s: RouteSpec<R>[]) => new Router(s)],
  ["index", padded],
] as const) {
  test(`${label}: a header-matched route wins over the same path without it; without the header the plain one answers`, () => {
    const r = build([
      spec("plain", ["/api"]),
      spec("beta", ["/api"], { when: [{ source: "header", name: "x-version", kind: "exact", value: "2" }] }),
    ]);
    assert.equal(r.match("GET", "h", "/api/x", request({ "x-version": "2" }))?.route.name, "beta");
    assert.equal(r.match("GET", "h", "/api/x", request({ "x-version": "1" }))?.route.name, "plain");
    assert.equal(r.match("GET", "h", "/api/x")?.route.name, "plain");
  });

  test(`${label}: exact > template > prefix > regex, then the longer path, then more matchers, priority first`, () => {
    const r = build([
      spec("regex", ["~/users/[0-9]+"]),
      spec("prefix", ["/users"]),
      spec("template", ["/users/{id}"]),
      spec("exact", ["=/users/me"]),
      spec("urgent", ["~/users/9.*"], { priority: 1 }),
    ]);
    assert.equal(r.match("GET", "h", "/users/me")?.route.name, "exact");
    assert.equal(r.match("GET", "h", "/users/7")?.route.name, "template");
    assert.equal(r.match("GET", "h", "/users/7/posts")?.route.name, "prefix");
    assert.equal(r.match("GET", "h", "/users/9")?.route.name, "urgent", "priority ranks before the path kind");
  });

  test(`${label}: template values are captured with the request's spelling; literals ignore case unless asked`, () => {
    const r = build([spec("t", ["/Orgs/{org}/repos/{repo}"]), spec("cs", ["/CS/{x}"], { caseSensitive: true })]);
    const m = r.match("GET", "h", "/orgs/Acme/REPOS/web");
    assert.equal(m?.route.name, "t");
    assert.deepEqual(m?.params, { org: "Acme", repo: "web" });
    assert.equal(r.match("GET", "h", "/orgs/Acme/repos"), undefined, "a missing segment");
    assert.equal(r.match("GET", "h", "/orgs/Acme/repos/web/x"), undefined, "one segment per variable");
    assert.equal(r.match("GET", "h", "/orgs//repos/web"), undefined, "a variable is never empty");
    assert.deepEqual(r.match("GET", "h", "/CS/1")?.params, { x: "1" });
    assert.equal(r.match("GET", "h", "/cs/1"), undefined);
  });

  test(`${label}: a regex path matches the whole path; named groups are captured`, () => {
    const r = build([spec("re", ["~/items/(?P<id>[0-9]+)"]), spec("any", ["~.*/legacy"])]);
    assert.deepEqual(r.match("GET", "h", "/items/42")?.params, { id: "42" });
    assert.equal(r.match("GET", "h", "/items/42x"), undefined, "anchored at both ends");
    assert.equal(r.match("GET", "h", "/x/items/42"), undefined);
    assert.equal(
      r.match("GET", "h", "/deep/path/legacy")?.route.name,
      "any",
      "a regex without a literal start is still tried",
    );
  });

  test(`${label}: query and cookie conditions; a name sent twice matches no value`, () => {
    const r = build([
      spec("plain", ["/q"]),
      spec("q", ["/q"], { when: [{ source: "query", name: "format", kind: "exact", value: "csv" }] }),
      spec("c", ["/q"], {
        priority: 1,
        when: [{ source: "cookie", name: "canary", kind: "regex", value: "on|yes" }],
      }),
      spec("absent", ["/q/strict"], { when: [{ source: "header", name: "x-debug", kind: "absent", value: "" }] }),
    ]);
    assert.equal(r.match("GET", "h", "/q", request({}, "?format=csv"))?.route.name, "q");
    assert.equal(r.match("GET", "h", "/q", request({}, "?format=c%73v"))?.route.name, "q", "values are decoded");
    assert.equal(r.match("GET", "h", "/q", request({}, "?format=csv&format=csv"))?.route.name, "plain");
    assert.equal(r.match("GET", "h", "/q", request({}, "?format=csv", "canary=yes"))?.route.name, "c");
    assert.equal(r.match("GET", "h", "/q", request({}, "", "canary=maybe"))?.route.name, "plain");
    assert.equal(r.match("GET", "h", "/q/strict")?.route.name, "absent");
    assert.equal(r.match("GET", "h", "/q/strict", request({ "x-debug": "1" }))?.route.name, "plain");
  });
}

test("a template variable must be a whole segment with a name; a template needs one", () => {
  assert.throws(() => compileTemplate("/users/id{id}", false), PathPatternError);
  assert.throws(() => compileTemplate("/users/{1d}", false), PathPatternError);
  assert.throws(() => compileTemplate("/a/{x}/{x}", false), /twice/);
  assert.throws(() => compileTemplate("/users", false), /at least one/);
  assert.equal(compileTemplate("/v1/users/{id}/posts", false).indexKey, "/v1/users/");
  assert.equal(compileTemplate("/{tenant}/x", false).indexKey, "/");
});

test("RE2 refuses what is not linear-time: look-around and back-references, with its reason", () => {
  assert.throws(() => compileRegexPath("/a/(?=b)", false), /linear-time/);
  assert.throws(() => compileRegexPath("/(a)\\1", false), /linear-time/);
  assert.throws(() => compileRegexPath("/a/(", false), /linear-time/);
  assert.throws(
    () => new FieldCondition({ source: "header", name: "x", kind: "regex", value: "(?<!a)b" }),
    PathPatternError,
  );
  // The classic catastrophic pattern is fine under RE2: it runs in time linear in the input.
  assert.equal(compileRegexPath("/(a+)+b", true).test(`/${"a".repeat(5000)}c`, ""), false);
});

test("a regex is indexed by its literal start only when nothing can bypass it", () => {
  assert.equal(regexLiteralPrefix("/api/v[0-9]+/users"), "/api/");
  assert.equal(regexLiteralPrefix("^/api/v1/.*"), "/api/v1/");
  assert.equal(regexLiteralPrefix("/api/v1/?"), "/api/");
  assert.equal(regexLiteralPrefix("/a|/b/c"), null);
  assert.equal(regexLiteralPrefix("(/a)/b"), null);
  assert.equal(regexLiteralPrefix(".*"), null);
});

test("many regex paths under one literal start run as one RE2 set: the first in precedence that matches wins", () => {
  const specs = Array.from({ length: 30 }, (_, i) =>
    spec(`op${String(i).padStart(2, "0")}`, [`~/items/[a-z]+/op${i % 10}`], {
      methods: i < 10 ? ["POST"] : [],
      ...(i >= 20
        ? { caseSensitive: true, when: [{ source: "header", name: "x-v", kind: "present", value: "" }] }
        : {}),
    }),
  );
  const r = padded(specs);
  assert.equal(r.match("POST", "h", "/items/abc/op3")?.route.name, "op03", "the method counts as a matcher");
  assert.equal(r.match("GET", "h", "/items/abc/op3")?.route.name, "op13");
  assert.equal(r.match("GET", "h", "/ITEMS/abc/OP3")?.route.name, "op13", "case-insensitive inside the set");
  assert.equal(r.match("GET", "h", "/items/abc/op3", request({ "x-v": "1" }))?.route.name, "op23", "more matchers");
  assert.equal(r.match("GET", "h", "/ITEMS/abc/op3", request({ "x-v": "1" }))?.route.name, "op13", "case-sensitive");
  assert.equal(r.match("GET", "h", "/items/abc/op3/x"), undefined);
});
