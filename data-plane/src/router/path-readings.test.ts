import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { canonicalizePath, type PathOptions, STRICT_PATHS } from "./path.js";
import { checkOtherReadings, otherReadings } from "./path-readings.js";
import { type PathSpec, Router } from "./router.js";

test("the other readings: path parameters cut, decoded and parsed again, decoded twice", () => {
  assert.deepEqual(otherReadings("/plain/path"), []);
  assert.deepEqual(otherReadings("/admin;jsessionid=1/users"), ["/admin/users"]);
  assert.deepEqual(otherReadings("/admin%3B/users"), ["/admin/users"]);
  assert.deepEqual(otherReadings("/public/..;/admin"), ["/public/../admin"]);
  assert.deepEqual(otherReadings("/admin%3F/users"), ["/admin"]);
  assert.deepEqual(otherReadings("/admin%23/users"), ["/admin"]);
  assert.deepEqual(otherReadings("/%23fragment"), ["/"]);
  assert.deepEqual(otherReadings("/public/%252e%252e/admin"), ["/public/%2e%2e/admin"]);
  assert.deepEqual(otherReadings("/admin%252Fusers"), ["/admin%2Fusers"]);
  assert.deepEqual(otherReadings("/100%25"), [], "a %25 that decodes into no escape reads one way");
  assert.deepEqual(
    otherReadings("/x%2523/y%3F/z"),
    ["/x%23/y%3F/z", "/x%23/y", "/x"],
    "once: %2523 is text; twice: a fragment",
  );
  assert.deepEqual(otherReadings("/a%253fb"), ["/a%3fb", "/a"]);
});

interface R {
  readonly name: string;
}
const routes: Array<[string, PathSpec[]]> = [
  ["open", [{ kind: "prefix", value: "/" }]],
  ["admin", [{ kind: "prefix", value: "/admin" }]],
  ["admin-users", [{ kind: "exact", value: "/admin/users" }]],
  ["files", [{ kind: "prefix", value: "/files/" }]],
  ["api", [{ kind: "prefix", value: "/api" }]],
];
const router = new Router<R>(
  routes.map(([name, paths]) => ({ route: { name }, key: name, paths, hosts: [], methods: [], priority: 0 })),
);

/** What the node does with a raw path in this topology: the route's name, or the refusal. */
function decide(raw: string, opts: PathOptions = STRICT_PATHS): string {
  const c = canonicalizePath(raw, opts);
  if (typeof c === "string") return c;
  const route = router.match("GET", "api.test", c.match)?.route;
  if (route === undefined) return "no route";
  if (!c.delimiters) return route.name;
  return checkOtherReadings(c.path, opts, (m) => router.match("GET", "api.test", m)?.route === route) ?? route.name;
}

test("C03 and its variants never reach the open catch-all; legal escapes within one route are forwarded", () => {
  for (const raw of [
    "/admin%3B/users",
    "/admin;/users",
    "/admin%3F/users",
    "/admin%23/users",
    "/admin;jsessionid=1/users",
    "/admin%3busers",
  ])
    assert.equal(decide(raw), "path_delimiter_reroutes", raw);
  for (const [raw, why] of [
    ["/admin%2Fusers", "path_encoded_slash"],
    ["/admin%5Cusers", "path_encoded_delimiter"],
    ["/admin%00/users", "path_encoded_delimiter"],
    ["/public/..;/admin/users", "path_dot_segment"],
    ["/public/%252e%252e/admin/users", "path_dot_segment"],
    ["/files/%252e%252e/x", "path_dot_segment"],
    ["/x%252Fy", "path_encoded_slash"],
    ["/admin%25%32%46users", "path_encoded_slash"],
  ])
    assert.equal(decide(raw!), why, raw);
  for (const [raw, route] of [
    ["/%23fragment", "open"],
    ["/tags/C%23", "open"],
    ["/files/report%3Fv2.pdf", "files"],
    ["/files/100%25", "files"],
    ["/files/%2541", "files"],
    ["/api/cars;color=red", "api"],
    ["/api/a%3Bb/c", "api"],
    ["/admin/x%23y", "admin"],
  ])
    assert.equal(decide(raw!), route, raw);
});

test("an encoded slash that a route allows is matched as / in every reading", () => {
  const opts: PathOptions = { mergeSlashes: false, allowEncodedSlashes: true };
  assert.equal(decide("/admin%2Fusers", opts), "admin-users");
  assert.equal(decide("/x%252Fadmin", opts), "open", "/x/admin: still the catch-all");
  assert.equal(decide("/admin%252Fusers", opts), "path_delimiter_reroutes", "/admin/users when decoded twice");
});

// Models of upstreams that read the forwarded path their own way. For every path the node
// accepts, each model's reading must be one the node would route to the same route: then no
// upstream can serve, through this route, what another route guards.
const ASCII_ESCAPE = /%([0-7][0-9A-Fa-f])/g;
const decodeAscii = (p: string) =>
  p.replace(ASCII_ESCAPE, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
/** A decoded path (text) written as a path again: `%`, `?` and `#` are characters, not syntax. */
const asText = (decoded: string) =>
  new URL(
    decoded.replace(/[%?#]/g, (c) => encodeURIComponent(c)),
    "http://u",
  ).pathname;
const MODELS: Record<string, (p: string) => string> = {
  // Decodes the path, then parses it again as a URL (WHATWG: cut at ? and #).
  "decode then parse": (p) => new URL(decodeAscii(p), "http://upstream.test").pathname,
  // Tomcat: path parameters removed from the raw path, then decoded (the result is text, not a URL).
  tomcat: (p) => asText(decodeAscii(p.replace(/;[^/]*/g, ""))),
  // Spring (older UrlPathHelper): decoded, then path parameters removed.
  "decode then strip ;": (p) => asText(decodeAscii(p).replace(/;[^/]*/g, "")),
  // Decodes twice (IIS before CVE-2001-0333, some frameworks behind a decoding proxy).
  "decode twice": (p) => new URL(decodeAscii(decodeAscii(p)), "http://upstream.test").pathname,
};

test("property: whatever the node forwards, every upstream model reads a path of the same route", () => {
  const seg = fc.constantFrom(
    "admin",
    "users",
    "files",
    "api",
    "x",
    "%23",
    "%3F",
    "%3B",
    ";",
    ";v=1",
    "%25",
    "%2523",
    "%253F",
    "%252F",
    "%252e",
    "%2e",
    ".",
    "a%23b",
    "c%3Fd",
  );
  const arbPath = fc
    .array(fc.array(seg, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 })
    .chain((segs) => fc.boolean().map((slash) => `/${segs.map((s) => s.join("")).join("/")}${slash ? "/" : ""}`));
  fc.assert(
    fc.property(arbPath, (raw) => {
      const verdict = decide(raw);
      if (!routes.some(([name]) => name === verdict)) return true;
      const forwarded = (canonicalizePath(raw, STRICT_PATHS) as { path: string }).path;
      for (const [model, read] of Object.entries(MODELS)) {
        // A "%" the model left without two hex digits after it is a literal percent sign.
        const seen = read(forwarded).replace(/%(?![0-9A-Fa-f]{2})/g, "%25");
        const c = canonicalizePath(seen, STRICT_PATHS);
        const route = typeof c === "string" ? c : (router.match("GET", "api.test", c.match)?.route.name ?? "no route");
        assert.equal(route, verdict, `${model}: ${raw} forwarded as ${forwarded} is read as ${seen}`);
      }
      return true;
    }),
    { numRuns: 4000 },
  );
});
