import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type PathSpec, Router, type RouteSpec } from "./router.js";

/**
 * `Router.update` keeps every host bucket the change does not touch and rebuilds the rest; these
 * are the edits an operator makes most (issue 13: editing a host's only route crashed the update
 * with "Cannot read properties of undefined (reading 'push')" and every node NACKed). Each case
 * checks the updated router against one built from scratch from the same routes.
 */

interface R {
  readonly name: string;
}

function spec(
  key: string,
  paths: readonly string[],
  hosts: readonly string[] = [],
  more: Partial<Omit<RouteSpec<R>, "route" | "key" | "paths" | "hosts">> = {},
): RouteSpec<R> {
  const ps: PathSpec[] = paths.map((p) =>
    p.startsWith("=") ? { kind: "exact", value: p.slice(1) } : { kind: "prefix", value: p },
  );
  // A fresh route object per spec: what compile gives a changed route.
  return {
    route: { name: `${key}:${paths.join(",")}@${hosts.join(",")}` },
    key,
    paths: ps,
    hosts,
    methods: [],
    priority: 0,
    ...more,
  };
}

const REQUESTS: readonly (readonly [string, string])[] = [
  ["h.example.test", "/a"],
  ["h.example.test", "/b"],
  ["h.example.test", "/c"],
  ["g.example.test", "/a"],
  ["g.example.test", "/b"],
  ["x.w.test", "/a"],
  ["x.w.test", "/b"],
  ["y.x.w.test", "/a"],
  ["other.test", "/a"],
  ["other.test", "/b"],
];

/** Applies `steps` one after the other, each from the previous router, checking every step. */
function check(initial: readonly RouteSpec<R>[], steps: readonly (readonly RouteSpec<R>[])[]): void {
  let current = new Map(initial.map((s) => [s.key, s]));
  let router = new Router(initial);
  for (const [n, next] of steps.entries()) {
    const nextByKey = new Map(next.map((s) => [s.key, s]));
    const removed = new Set<R>();
    const added: RouteSpec<R>[] = [];
    for (const [key, s] of current) if (nextByKey.get(key) !== s) removed.add(s.route);
    for (const [key, s] of nextByKey) if (current.get(key) !== s) added.push(s);
    router = Router.update(router, removed, added);
    current = nextByKey;
    const fresh = new Router([...next].sort((a, b) => (a.key < b.key ? -1 : 1)));
    assert.equal(router.size, fresh.size, `step ${n}: size`);
    for (const [host, path] of REQUESTS)
      for (const method of ["GET", "POST"])
        assert.equal(
          router.match(method, host, path)?.route.name,
          fresh.match(method, host, path)?.route.name,
          `step ${n}: ${method} ${host}${path}`,
        );
  }
}

test("editing the only route of a host (its bucket is emptied, then refilled)", () => {
  const r1 = spec("r1", ["/a"], ["h.example.test"]);
  check([r1], [[spec("r1", ["/b"], ["h.example.test"])]]);
  // The same with another host beside it, and twice in a row.
  const other = spec("r0", ["/a"], ["g.example.test"]);
  check(
    [other, r1],
    [
      [other, spec("r1", ["/b"], ["h.example.test"])],
      [other, spec("r1", ["/c"], ["h.example.test"])],
    ],
  );
});

test("deleting a host's only route and creating another on the same host in one change", () => {
  const r1 = spec("r1", ["/a"], ["h.example.test"]);
  check([r1], [[spec("r2", ["/b"], ["h.example.test"])]]);
});

test("renaming a host: the old name stops matching, the new one starts", () => {
  const r1 = spec("r1", ["/a"], ["h.example.test"]);
  check([r1], [[spec("r1", ["/a"], ["g.example.test"])], [spec("r1", ["/a"], ["h.example.test"])]]);
});

test("moving a path between hosts", () => {
  const r1 = spec("r1", ["/a"], ["h.example.test"]);
  const r2 = spec("r2", ["/b"], ["g.example.test"]);
  check(
    [r1, r2],
    [
      [spec("r1", [], ["h.example.test"], { methods: ["POST"] }), spec("r2", ["/a", "/b"], ["g.example.test"])],
      [spec("r1", ["/a"], ["h.example.test"]), spec("r2", ["/b"], ["g.example.test"])],
    ],
  );
});

test("wildcard hosts: editing, renaming and emptying a suffix bucket", () => {
  const w = spec("w", ["/a"], ["*.w.test"]);
  check(
    [w],
    [
      [spec("w", ["/b"], ["*.w.test"])],
      [spec("w2", ["/a"], ["*.w.test"])],
      [spec("w2", ["/a"], ["*.x.w.test"])],
      [spec("w2", ["/a"], ["*.x.w.test", "h.example.test"])],
      [spec("w2", ["/b"], ["h.example.test"])],
    ],
  );
});

test("any-host routes: editing the only one, and removing every one", () => {
  const a = spec("a", ["/a"]);
  check([a], [[spec("a", ["/b"])], [spec("a2", ["/b"])], [spec("h", ["/a"], ["h.example.test"])], [spec("a", ["/a"])]]);
});

test("a route listing one host twice, edited", () => {
  const r1 = spec("r1", ["/a"], ["h.example.test", "h.example.test"]);
  check([r1], [[spec("r1", ["/b"], ["h.example.test", "h.example.test"])], []]);
});

// --- property: any sequence of changes -------------------------------------------------------

const HOST_PATTERNS = ["a.test", "b.test", "c.test", "*.test", "*.b.test"] as const;
const SEGMENTS = ["a", "b", "A", "x"] as const;

const arbPath = fc
  .array(fc.constantFrom(...SEGMENTS), { maxLength: 3 })
  .chain((segs) => fc.boolean().map((slash) => `/${segs.join("/")}${slash && segs.length > 0 ? "/" : ""}`));

/** A route's matching fields: the key and the route object are given when it is applied. */
interface Shape {
  readonly hosts: readonly string[];
  readonly paths: readonly PathSpec[];
  readonly methods: readonly string[];
  readonly priority: number;
  readonly caseSensitive: boolean;
  readonly strictTrailingSlash: boolean;
}

const arbShape: fc.Arbitrary<Shape> = fc.record({
  hosts: fc.oneof(
    fc.constant([]),
    fc.subarray([...HOST_PATTERNS], { minLength: 1, maxLength: 3 }),
    // The same host twice, as a config may list it.
    fc.constantFrom(...HOST_PATTERNS).map((h) => [h, h]),
  ),
  paths: fc.array(fc.record({ kind: fc.constantFrom("exact" as const, "prefix" as const), value: arbPath }), {
    maxLength: 3,
  }),
  methods: fc.constantFrom([], ["GET"], ["POST"], ["GET", "PUT"]),
  priority: fc.constantFrom(0, 0, 1, 2),
  caseSensitive: fc.boolean(),
  strictTrailingSlash: fc.boolean(),
});

/**
 * One change: `put` creates or edits route `key` (a new route object, as compile makes for a
 * changed route), `rebucket` gives the same route object another shape, `delete` removes it.
 */
type Op =
  | { readonly op: "put" | "rebucket"; readonly key: number; readonly shape: Shape }
  | { readonly op: "delete"; readonly key: number };

const arbKey = fc.integer({ min: 0, max: 7 });
const arbOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom("put" as const, "rebucket" as const), key: arbKey, shape: arbShape }),
  fc.record({ op: fc.constant("delete" as const), key: arbKey }),
);
const arbOps = fc.array(arbOp, { minLength: 1, maxLength: 4 });

/** A step: the changes of one config apply, and maybe an update built first and thrown away. */
const arbStep = fc.record({ ops: arbOps, discarded: fc.option(arbOps) });

interface Request {
  readonly method: string;
  readonly host: string;
  readonly path: string;
}

const arbRequest: fc.Arbitrary<Request> = fc.record({
  method: fc.constantFrom("GET", "POST", "PUT"),
  host: fc.constantFrom("a.test", "b.test", "c.test", "x.b.test", "y.x.b.test", "z.test", "other.example"),
  path: arbPath,
});

let serial = 0;
function routeSpec(key: number, shape: Shape, route: R = { name: `k${key}#${serial++}` }): RouteSpec<R> {
  return { route, key: `k${key}`, ...shape };
}

/** A step's changes over `current` (by key): the next routes, and what Router.update is given. */
function applyOps(current: ReadonlyMap<string, RouteSpec<R>>, ops: readonly Op[]) {
  const next = new Map(current);
  const removed = new Set<R>();
  const added = new Map<string, RouteSpec<R>>();
  for (const o of ops) {
    const k = `k${o.key}`;
    const old = next.get(k);
    // A route changed twice in one step: its first new version never reached a router.
    if (old !== undefined && !added.has(k)) removed.add(old.route);
    added.delete(k);
    next.delete(k);
    if (o.op === "delete") continue;
    const s = routeSpec(o.key, o.shape, o.op === "rebucket" && old !== undefined ? old.route : undefined);
    next.set(k, s);
    added.set(k, s);
  }
  return { next, removed, added: [...added.values()] };
}

const fresh = (routes: ReadonlyMap<string, RouteSpec<R>>) =>
  new Router([...routes.values()].sort((a, b) => (a.key < b.key ? -1 : 1)));

function sameAnswers(a: Router<R>, b: Router<R>, requests: readonly Request[], at: string): void {
  assert.equal(a.size, b.size, `${at}: size`);
  for (const q of requests) {
    const x = a.match(q.method, q.host, q.path);
    const y = b.match(q.method, q.host, q.path);
    assert.equal(x?.route, y?.route, `${at}: ${q.method} ${q.host}${q.path}`);
    assert.equal(x?.path, y?.path, `${at}: ${q.method} ${q.host}${q.path} (matched path)`);
  }
}

test("property: after any sequence of route creates, edits and deletes, the updated router answers as one built from scratch", () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ key: arbKey, shape: arbShape }), { maxLength: 6 }),
      fc.array(arbStep, { minLength: 1, maxLength: 8 }),
      fc.array(arbRequest, { minLength: 10, maxLength: 40 }),
      (initial, steps, requests) => {
        let current = new Map<string, RouteSpec<R>>();
        for (const i of initial) current.set(`k${i.key}`, routeSpec(i.key, i.shape));
        let router = fresh(current);
        for (const [n, step] of steps.entries()) {
          if (step.discarded !== null) {
            // A compile thrown away (refused further on, or a cluster abort) leaves `router` as it was.
            const other = applyOps(current, step.discarded);
            Router.update(router, other.removed, other.added);
            sameAnswers(router, fresh(current), requests, `step ${n}, after a discarded update`);
          }
          const { next, removed, added } = applyOps(current, step.ops);
          const updated = Router.update(router, removed, added);
          sameAnswers(updated, fresh(next), requests, `step ${n}`);
          sameAnswers(router, fresh(current), requests, `step ${n}: the previous router`);
          router = updated;
          current = next;
        }
      },
    ),
    { numRuns: 500 },
  );
});
