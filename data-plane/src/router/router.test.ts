import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { normalizeHost, parseHostPattern } from "./host.js";
import { compileRegexPath, compileTemplate } from "./path-pattern.js";
import { EMPTY_REQUEST, FieldCondition, type MatchRequest, RouteConditions } from "./route-conditions.js";
import { type PathSpec, Router, type RouteSpec } from "./router.js";

/** Routes are objects (the router keys them weakly); tests compare their names. */
interface R {
  readonly name: string;
}

function spec(
  name: string,
  paths: readonly string[],
  more: Partial<Omit<RouteSpec<R>, "route" | "paths">> = {},
): RouteSpec<R> {
  const ps: PathSpec[] = paths.map((p) =>
    p.startsWith("=") ? { kind: "exact", value: p.slice(1) } : { kind: "prefix", value: p },
  );
  return { route: { name }, key: name, paths: ps, hosts: [], methods: [], priority: 0, ...more };
}

const match = (r: Router<R>, path: string, host = "", method = "GET") => r.match(method, host, path)?.route.name;

test("prefix matches at a segment boundary only", () => {
  const r = new Router([spec("echo", ["/echo"])]);
  assert.equal(match(r, "/echo"), "echo");
  assert.equal(match(r, "/echo/"), "echo");
  assert.equal(match(r, "/echo/x/y"), "echo");
  assert.equal(match(r, "/echoes"), undefined);
  assert.equal(match(r, "/ech"), undefined);
  assert.equal(match(r, "/"), undefined);
});

test("a prefix ending in / matches below it; / matches everything", () => {
  const r = new Router([spec("dir", ["/api/"], { strictTrailingSlash: true }), spec("all", ["/"])]);
  assert.equal(match(r, "/api/x"), "dir");
  assert.equal(match(r, "/api/"), "dir");
  assert.equal(match(r, "/api"), "all", "strict: /api is not /api/");
  assert.equal(match(r, "/anything/else"), "all");
  const loose = new Router([spec("dir", ["/api/"]), spec("all", ["/"])]);
  assert.equal(match(loose, "/api"), "dir", "by default a prefix /api/ also owns /api");
  assert.equal(match(loose, "/apix"), "all");
});

test("a route without paths matches every path", () => {
  const r = new Router([spec("any", [])]);
  assert.equal(match(r, "/x/y"), "any");
});

test("exact path matches only itself (strict), or itself and its trailing-slash spelling (default)", () => {
  const r = new Router([spec("exact", ["=/status"], { strictTrailingSlash: true })]);
  assert.equal(match(r, "/status"), "exact");
  assert.equal(match(r, "/status/"), undefined);
  assert.equal(match(r, "/status/x"), undefined);
  const loose = new Router([spec("exact", ["=/status"]), spec("slash", ["=/dir/"])]);
  assert.equal(match(loose, "/status"), "exact");
  assert.equal(match(loose, "/status/"), "exact");
  assert.equal(match(loose, "/status/x"), undefined);
  assert.equal(match(loose, "/status//"), undefined);
  assert.equal(match(loose, "/dir/"), "slash");
  assert.equal(match(loose, "/dir"), "slash", "and the reverse");
});

test("an exact route's trailing-slash spelling never falls through to an open catch-all (issue 13 point 2)", () => {
  const r = new Router([
    spec("open", ["/"]),
    spec("admin-users", ["=/admin/users"]),
    spec("Login", ["=/Login/"]),
    spec("api", ["/api/"]),
    spec("files", ["/files"]),
  ]);
  for (const p of ["/admin/users", "/admin/users/", "/ADMIN/Users/", "/Admin/users"])
    assert.equal(match(r, p), "admin-users", p);
  for (const p of ["/login", "/LOGIN/", "/Login"]) assert.equal(match(r, p), "Login", p);
  for (const p of ["/api", "/API", "/api/", "/api/x"]) assert.equal(match(r, p), "api", p);
  assert.equal(match(r, "/admin/users/x"), "open", "an exact route owns two spellings, not what is below");
  assert.equal(match(r, "/admin/usersx"), "open");
  assert.equal(r.match("GET", "", "/admin/users/")?.path.value, "/admin/users", "the match names the route's path");
  // Case-sensitive routes own the other spelling in their own case only.
  const cs = new Router([spec("open", ["/"]), spec("cs", ["=/Admin"], { caseSensitive: true })]);
  assert.equal(match(cs, "/Admin/"), "cs");
  assert.equal(match(cs, "/admin/"), "open");
});

test("a route that spells the other form itself wins it; priority still wins over an alias", () => {
  const r = new Router([
    spec("no-slash", ["=/a"]),
    spec("slash", ["=/a/"]),
    spec("prefix-dir", ["/b/"]),
    spec("prefix", ["/b"], { key: "z" }),
    spec("x", ["=/x"]),
    spec("x-dir", ["/x/"]),
  ]);
  assert.equal(match(r, "/a"), "no-slash");
  assert.equal(match(r, "/a/"), "slash");
  assert.equal(match(r, "/b"), "prefix", "a prefix spelling /b itself beats the alias of prefix /b/");
  assert.equal(match(r, "/b/x"), "prefix-dir");
  assert.equal(match(r, "/x/"), "x", "an exact route's alias ranks as exact: before a prefix /x/");
  assert.equal(match(r, "/x/y"), "x-dir");
  const p = new Router([spec("low", ["=/p"]), spec("high", ["/p/"], { priority: 1 })]);
  assert.equal(match(p, "/p/"), "high");
  assert.equal(match(p, "/p"), "high", "its own alias too, with its priority");
});

test("strict routes and the updated router keep aliases in step", () => {
  const a = spec("a", ["=/a"]);
  const b = spec("b", ["/"]);
  let r = new Router([a, b]);
  assert.equal(match(r, "/a/"), "a");
  const a2 = spec("a", ["=/a"], { strictTrailingSlash: true });
  r = Router.update(r, new Set([a.route]), [a2]);
  assert.equal(match(r, "/a/"), "b");
  assert.equal(match(r, "/a"), "a");
  assert.equal(r.size, 2, "aliases are not rows");
  r = Router.update(r, new Set([a2.route]), [spec("a", ["=/a"])]);
  assert.equal(match(r, "/a/"), "a");
});

test("higher priority wins over a longer or exact path", () => {
  const r = new Router([spec("long", ["=/a/b/c"]), spec("short", ["/a"], { priority: 10 })]);
  assert.equal(match(r, "/a/b/c"), "short");
});

test("at equal priority: exact before prefix, then the longest prefix", () => {
  const r = new Router([spec("root", ["/"]), spec("a", ["/a"]), spec("ab", ["/a/b"]), spec("exact", ["=/a/b"])]);
  assert.equal(match(r, "/a/b"), "exact");
  assert.equal(match(r, "/a/b/c"), "ab");
  assert.equal(match(r, "/a/x"), "a");
  assert.equal(match(r, "/z"), "root");
});

test("ties keep config order", () => {
  const r = new Router([spec("first", ["/x"]), spec("second", ["/x"])]);
  assert.equal(match(r, "/x"), "first");
});

test("methods: empty matches any, otherwise only the listed ones", () => {
  const r = new Router([spec("get", ["/m"], { methods: ["GET", "HEAD"] }), spec("other", ["/m"], { priority: -1 })]);
  assert.equal(match(r, "/m", "", "GET"), "get");
  assert.equal(match(r, "/m", "", "HEAD"), "get");
  assert.equal(match(r, "/m", "", "POST"), "other");
});

test("hosts: exact, wildcard, any; the more specific host breaks ties", () => {
  const r = new Router([
    spec("any", ["/"]),
    spec("wild", ["/"], { hosts: ["*.example.com"] }),
    spec("exact", ["/"], { hosts: ["API.example.com"] }),
  ]);
  assert.equal(match(r, "/", "api.example.com"), "exact");
  assert.equal(match(r, "/", "www.example.com"), "wild");
  assert.equal(match(r, "/", "a.b.example.com"), "wild");
  assert.equal(match(r, "/", "example.com"), "any", "a wildcard does not match the apex");
  assert.equal(match(r, "/", "other.org"), "any");
});

test("a host-bound route does not match other hosts", () => {
  const r = new Router([spec("only", ["/"], { hosts: ["a.test"] })]);
  assert.equal(match(r, "/", "a.test"), "only");
  assert.equal(match(r, "/", "b.test"), undefined);
  assert.equal(match(r, "/", ""), undefined);
});

test("priority beats host specificity", () => {
  const r = new Router([spec("exact-host", ["/"], { hosts: ["a.test"] }), spec("any-high", ["/"], { priority: 5 })]);
  assert.equal(match(r, "/", "a.test"), "any-high");
});

test("the match reports which path matched (for strip_prefix)", () => {
  const r = new Router([spec("multi", ["/v1", "/v2/api"])]);
  assert.deepEqual(r.match("GET", "", "/v2/api/x")?.path, { kind: "prefix", value: "/v2/api" });
});

test("normalizeHost lower-cases and strips port and trailing dot", () => {
  assert.equal(normalizeHost("API.Example.com:8000"), "api.example.com");
  assert.equal(normalizeHost("example.com."), "example.com");
  assert.equal(normalizeHost("[::1]:8000"), "[::1]");
  assert.equal(normalizeHost(undefined), "");
});

test("parseHostPattern accepts names, IPs, leading wildcards; refuses the rest", () => {
  assert.deepEqual(parseHostPattern("*.Example.com"), { kind: "wildcard", suffix: ".example.com" });
  assert.deepEqual(parseHostPattern("10.0.0.1"), { kind: "exact", host: "10.0.0.1" });
  assert.deepEqual(parseHostPattern("[::1]"), { kind: "exact", host: "[::1]" });
  for (const bad of ["", "a.*.com", "example.*", "host:80", "a b", "*"]) {
    assert.equal(parseHostPattern(bad), undefined, bad);
  }
});

test("an invalid host pattern is refused at build", () => {
  assert.throws(() => new Router([spec("bad", ["/"], { hosts: ["x:80"] })]), TypeError);
});

test("paths match regardless of ASCII case, so a spelling cannot fall through to a weaker route (C05)", () => {
  const r = new Router([spec("admin", ["/admin"]), spec("exact", ["=/Login"]), spec("open", ["/"])]);
  for (const p of ["/ADMIN/users", "/Admin/Users", "/aDmIn/users", "/admin"]) assert.equal(match(r, p), "admin", p);
  assert.equal(match(r, "/login"), "exact");
  assert.equal(match(r, "/LOGIN"), "exact");
  assert.equal(r.match("GET", "", "/ADMIN/x")?.path.value, "/admin", "the matched spec keeps its spelling");
});

test("an updated router answers like one built from scratch", () => {
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const hosts = ["a.test", "b.test", "*.test", "*.b.test"];
  const make = (i: number, gen: number): RouteSpec<R> =>
    spec(`r${String(i).padStart(3, "0")}-${gen}`, [`/p${rand(6)}`, `=/p${rand(6)}/x`].slice(0, 1 + rand(2)), {
      key: `r${String(i).padStart(3, "0")}`,
      hosts: rand(3) === 0 ? [] : [hosts[rand(4)]!],
      methods: rand(2) === 0 ? [] : ["GET"],
      priority: rand(3),
    });
  const current = new Map(Array.from({ length: 200 }, (_, i) => make(i, 0)).map((s) => [s.key, s]));
  let router = new Router([...current.values()]);
  for (let round = 1; round <= 20; round++) {
    const removed = new Set<R>();
    const added: RouteSpec<R>[] = [];
    const touched = new Set<number>();
    for (let k = 0; k < 5; k++) {
      const i = rand(260);
      if (touched.has(i)) continue;
      touched.add(i);
      const key = `r${String(i).padStart(3, "0")}`;
      const old = current.get(key);
      if (old) {
        removed.add(old.route);
        current.delete(key);
      }
      if (rand(3) !== 0) {
        const s = make(i, round);
        added.push(s);
        current.set(key, s);
      }
    }
    router = Router.update(router, removed, added);
    const specs = [...current.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
    const fresh = new Router(specs);
    assert.equal(router.size, fresh.size, `round ${round}: size`);
    for (const host of ["a.test", "b.test", "x.b.test", "c.test", "other"])
      for (let p = 0; p < 6; p++)
        for (const path of [`/p${p}`, `/p${p}/x`, `/p${p}/y`])
          for (const method of ["GET", "POST"])
            assert.equal(
              match(router, path, host, method),
              match(fresh, path, host, method),
              `${round} ${host}${path}`,
            );
  }
});

/**
 * The router's documented semantics as a brute-force reference: among every (route, path) row
 * whose host pattern, method and path match — a path, or its other trailing-slash spelling when
 * the route is not strict — the one that wins by precedence (priority, exact before prefix,
 * longer value, as written before an alias, host specificity, config order, path position).
 */
function referenceMatch(
  specs: readonly RouteSpec<R>[],
  method: string,
  host: string,
  path: string,
  req: MatchRequest = EMPTY_REQUEST,
): string | undefined {
  let best: Candidate | undefined;
  for (const s of specs) {
    let hostRank = -1;
    if (s.hosts.length === 0) hostRank = 0;
    for (const h of s.hosts) {
      if (h === host) hostRank = Math.max(hostRank, 2);
      else if (h.startsWith("*.") && host.endsWith(h.slice(1))) hostRank = Math.max(hostRank, 1);
    }
    if (hostRank < 0) continue;
    if (s.methods.length > 0 && !s.methods.includes(method)) continue;
    if (s.conditions !== undefined && !s.conditions.test(req)) continue;
    const matchers = (s.methods.length > 0 ? 1 : 0) + (s.conditions?.count ?? 0);
    for (const [i, p] of s.paths.entries()) {
      const key = `${s.key}\u0000${String(i).padStart(3, "0")}`;
      if (p.pattern !== undefined) {
        // Template and regex paths: the whole path, no trailing-slash alias.
        if (!p.pattern.test(path, path.toLowerCase())) continue;
        const kindRank = p.kind === "template" ? 1 : 3;
        const rank = [-s.priority, kindRank, -p.pattern.literalLength, 0, -matchers, -hostRank];
        const cand = { name: s.route.name, rank, key };
        if (best === undefined || cmpRank(cand, best) < 0) best = cand;
        continue;
      }
      const cmp = s.caseSensitive ? path : path.toLowerCase();
      const v = s.caseSensitive ? p.value : p.value.toLowerCase();
      const ok =
        p.kind === "exact"
          ? cmp === v
          : cmp.startsWith(v) && (cmp.length === v.length || v.endsWith("/") || cmp[v.length] === "/");
      // The other trailing-slash spelling (non-strict routes): the whole path only, ranked as the
      // route's kind with its own length, after a route that spells it.
      let alias: string | undefined;
      if (!s.strictTrailingSlash && v !== "/") {
        if (v.endsWith("/")) alias = v.slice(0, -1);
        else if (p.kind === "exact") alias = `${v}/`;
      }
      const rows: Array<[string, number]> = [];
      if (ok) rows.push([v, 0]);
      if (alias !== undefined && cmp === alias) rows.push([alias, 1]);
      for (const [value, isAlias] of rows) {
        const rank = [-s.priority, p.kind === "exact" ? 0 : 2, -value.length, isAlias, -matchers, -hostRank];
        const cand = { name: s.route.name, rank, key };
        if (best === undefined || cmpRank(cand, best) < 0) best = cand;
      }
    }
  }
  return best?.name;
}

interface Candidate {
  readonly name: string;
  readonly rank: number[];
  readonly key: string;
}

function cmpRank(a: Candidate, b: Candidate): number {
  for (let k = 0; k < a.rank.length; k++) if (a.rank[k] !== b.rank[k]) return a.rank[k]! - b.rank[k]!;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

test("large buckets (looked up through their index) answer exactly as a scan of every route would, trailing-slash aliases too", () => {
  const seg = fc.constantFrom("a", "B", "repos", "x", "Orgs", "");
  const arbPathValue = fc.array(seg, { minLength: 1, maxLength: 4 }).map((p) => `/${p.join("/")}`.replace(/\/+/g, "/"));
  const arbSpec = fc.record({
    exact: fc.boolean(),
    path: arbPathValue,
    trailing: fc.boolean(),
    hosts: fc.constantFrom([], ["api.test"], ["*.test"], ["api.test", "*.test"], ["other.test"]),
    methods: fc.constantFrom([], ["GET"], ["POST"], ["GET", "PUT"]),
    priority: fc.constantFrom(0, 0, 0, 1, 2),
    caseSensitive: fc.boolean(),
    strictTrailingSlash: fc.boolean(),
  });
  const arbRequest = fc.record({
    path: arbPathValue,
    trailing: fc.boolean(),
    host: fc.constantFrom("api.test", "v.test", "other.test", "none.example"),
    method: fc.constantFrom("GET", "POST", "PUT"),
  });
  fc.assert(
    fc.property(
      fc.array(arbSpec, { minLength: 20, maxLength: 80 }),
      fc.array(arbRequest, { maxLength: 40 }),
      (raw, reqs) => {
        const specs: RouteSpec<R>[] = raw.map((r, i) => ({
          route: { name: `r${i}` },
          key: `k${String(i).padStart(3, "0")}`,
          hosts: r.hosts,
          paths: [{ kind: r.exact ? "exact" : "prefix", value: r.trailing && r.path !== "/" ? `${r.path}/` : r.path }],
          methods: r.methods,
          priority: r.priority,
          caseSensitive: r.caseSensitive,
          strictTrailingSlash: r.strictTrailingSlash,
        }));
        const router = new Router(specs);
        for (const q of reqs) {
          const path = q.trailing && q.path !== "/" ? `${q.path}/` : q.path;
          assert.equal(
            router.match(q.method, q.host, path)?.route.name,
            referenceMatch(specs, q.method, q.host, path),
            `${q.method} ${q.host}${path}`,
          );
        }
      },
    ),
    { numRuns: 300 },
  );
});

test("large buckets answer as a scan with template, regex, header, query and cookie matchers (issue 22)", () => {
  const seg = fc.constantFrom("a", "B", "repos", "x", "Orgs");
  const arbPathValue = fc.array(seg, { minLength: 1, maxLength: 4 }).map((p) => `/${p.join("/")}`);
  const arbPath = fc.oneof(
    fc.record({ kind: fc.constantFrom("exact" as const, "prefix" as const), value: arbPathValue }),
    // A template: some segments of a path turned into variables.
    fc.tuple(fc.array(fc.oneof(seg, fc.constant("{v}")), { minLength: 1, maxLength: 4 }), fc.nat()).map(([segs, n]) => {
      let k = 0;
      const named = segs.map((x) => (x === "{v}" ? `{v${k++}}` : x));
      if (k === 0) named[n % named.length] = "{v0}";
      return { kind: "template" as const, value: `/${named.join("/")}` };
    }),
    fc.record({
      kind: fc.constant("regex" as const),
      value: fc.constantFrom("/a/[a-z]+", "/repos/.*", "/(a|x)/B", "/[A-Za-z]+", "^/Orgs/[0-9a-z]*", ".*"),
    }),
  );
  const arbCondition = fc.record({
    source: fc.constantFrom("header" as const, "query" as const, "cookie" as const),
    name: fc.constantFrom("v", "w"),
    kind: fc.constantFrom("exact" as const, "prefix" as const, "regex" as const, "present" as const, "absent" as const),
    value: fc.constantFrom("1", "2", "1[0-9]"),
  });
  const arbSpec = fc.record({
    path: arbPath,
    hosts: fc.constantFrom([], ["api.test"], ["*.test"]),
    methods: fc.constantFrom([], ["GET"], ["POST"]),
    priority: fc.constantFrom(0, 0, 0, 1),
    caseSensitive: fc.boolean(),
    conditions: fc.array(arbCondition, { maxLength: 2 }),
  });
  const arbFields = fc.dictionary(fc.constantFrom("v", "w"), fc.constantFrom("1", "2", "12", "21"), { maxKeys: 2 });
  const arbRequest = fc.record({
    path: arbPathValue,
    host: fc.constantFrom("api.test", "v.test", "none.example"),
    method: fc.constantFrom("GET", "POST"),
    headers: arbFields,
    query: arbFields,
    cookies: arbFields,
  });
  fc.assert(
    fc.property(
      fc.array(arbSpec, { minLength: 20, maxLength: 60 }),
      fc.array(arbRequest, { maxLength: 30 }),
      (raw, reqs) => {
        const specs: RouteSpec<R>[] = raw.map((r, i) => {
          const pattern =
            r.path.kind === "template"
              ? compileTemplate(r.path.value, r.caseSensitive)
              : r.path.kind === "regex"
                ? compileRegexPath(r.path.value, r.caseSensitive)
                : undefined;
          return {
            route: { name: `r${i}` },
            key: `k${String(i).padStart(3, "0")}`,
            hosts: r.hosts,
            paths: [pattern === undefined ? r.path : { ...r.path, pattern }],
            methods: r.methods,
            priority: r.priority,
            caseSensitive: r.caseSensitive,
            conditions: new RouteConditions(r.conditions.map((c) => new FieldCondition(c))),
          };
        });
        const router = new Router(specs);
        for (const q of reqs) {
          const req: MatchRequest = {
            header: (n) => q.headers[n],
            query: (n) => q.query[n],
            cookie: (n) => q.cookies[n],
          };
          assert.equal(
            router.match(q.method, q.host, q.path, req)?.route.name,
            referenceMatch(specs, q.method, q.host, q.path, req),
            `${q.method} ${q.host}${q.path} ${JSON.stringify(q)}`,
          );
        }
      },
    ),
    { numRuns: 200 },
  );
});
