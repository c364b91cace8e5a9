import RE2 from "re2";
import { SECURITY_POLICY_TYPES } from "../rbac/permissions.js";

/**
 * Publish-time warnings for a route that takes requests another route protects.
 *
 * The node picks one route per request by precedence (data-plane/src/router/router.ts
 * `compareEntries`: priority, then path kind exact > template > prefix > regex, then the longer
 * path, then a path as written before another route's trailing-slash alias of it, then more
 * matchers, then the more specific host, then config order — Envoy's and Kong's order). That
 * order is right for routing but can skip a protection: a template `/{tenant}/users` without
 * authentication outranks a prefix `/admin` that requires a JWT, so `GET /admin/users` reaches
 * the upstream unauthenticated; a route matched on a header the client chooses outranks the
 * plain route of the same path; an open `/` outranks a protected regex path. Neither Kong nor
 * Envoy says so. Palisade keeps the order (a change would reroute existing configs on upgrade)
 * and warns at publish: for every pair where a route A outranks a route B on some request both
 * match, and B carries a protecting policy (authentication, IP rules, WAF) that A does not, one
 * warning with an example request.
 *
 * Pure: no I/O. The ranking mirrors the node's router. Exact, prefix and template paths (and
 * their trailing-slash aliases) are compared exactly; a regex path is compared through example
 * paths built from both sides' literals and tested with RE2, so a regex overlap without such an
 * example is missed. Conditions are the client's to choose: they never prevent an overlap except
 * two different exact values of one field. Protections compare by policy, not by type: a route
 * with a weaker JWT policy than the route it outranks is reported.
 */

/**
 * Policy types that protect a route: authentication, address rules and the WAF (the `security`
 * role's policy types; `anomaly` there is a config section, not a route's policy).
 */
export const PROTECTION_TYPES: ReadonlySet<string> = new Set(SECURITY_POLICY_TYPES.filter((t) => t !== "anomaly"));

/** One path matcher of a route (the proto's PathMatch oneof). */
export interface PathView {
  readonly kind: "exact" | "prefix" | "template" | "regex";
  readonly value: string;
}

/** One `headers`/`query`/`cookies` condition. */
export interface ConditionView {
  /** `header:<lower-cased name>`, `query:<name>`, `cookie:<name>`. */
  readonly field: string;
  /** The value an `exact` condition asks for (the overlap test). */
  readonly exact?: string;
  /** How the example request shows it: `header x-debug: 1`, `cookie canary present`. */
  readonly text: string;
}

/** What the analysis reads of a route. */
export interface RouteView {
  readonly id: string;
  readonly name: string;
  readonly hosts: readonly string[];
  /** Empty: the route matches every path (the router's `prefix /`). */
  readonly paths: readonly PathView[];
  readonly methods: readonly string[];
  readonly priority: number;
  readonly caseSensitive: boolean;
  /** Match each path only as written (no trailing-slash alias). */
  readonly strictTrailingSlash?: boolean;
  readonly conditions: readonly ConditionView[];
  /** Proxies to an upstream (false: a redirect or fixed response, which exposes no upstream). */
  readonly proxies: boolean;
  /** Its protecting policies: policy name → type (a type in {@link PROTECTION_TYPES}). */
  readonly protections: ReadonlyMap<string, string>;
}

/** One warning: `route` takes `example` from `shadowed_route`, whose `missing_policies` it lacks. */
export interface RouteShadowWarning {
  readonly code: "ROUTE_SHADOWS_PROTECTION";
  /** The route that wins (by name). */
  readonly route: string;
  /** The protected route it outranks (by name). */
  readonly shadowed_route: string;
  /** A request both match that goes to `route`: `GET api.example.com/admin/users with header x-debug: x`. */
  readonly example: string;
  /** The types of the shadowed route's policies the winner lacks, sorted. */
  readonly missing: readonly string[];
  /** Those policies by name, sorted. */
  readonly missing_policies: readonly string[];
  readonly message: string;
}

/** The node's path-kind ranks (router.ts KIND_RANK). */
const KIND_RANK = { exact: 3, template: 2, prefix: 1, regex: 0 } as const;
const MATCH_ALL: PathView = { kind: "prefix", value: "/" };
/** The warnings returned at most (the count of all is returned too). */
export const MAX_WARNINGS = 100;
/** The analysis stops once it has found this many pairs (`complete: false`). */
export const MAX_FOUND = 1_000;
/**
 * Candidate pairs examined at most (~1–7 µs each on this machine), so that a configuration
 * where thousands of routes share one path (a generated one) cannot hold the control plane's
 * event loop: past it the analysis stops with `complete: false`.
 */
export const MAX_CHECKS = 50_000;

/** One (route, path matcher or its trailing-slash alias) with what matching and ranking need. */
interface PathEntry {
  readonly route: RouteView;
  /** The matcher: an alias is the exact other spelling of its route's path. */
  readonly match: PathView;
  /** The kind it ranks as (an alias ranks like its route's path). */
  readonly rankKind: PathView["kind"];
  /** Ranks longer first (a template's literal characters, 0 for a regex). */
  readonly length: number;
  readonly alias: boolean;
  readonly index: number;
  /** Lower-cased segments; a prefix without its trailing slash (`/` has none); none for a regex. */
  readonly segs: readonly (string | null)[];
  /** The same segments as written (for a case-sensitive route's example). */
  readonly raw: readonly (string | null)[];
  readonly open: boolean;
  /** A regex path compiled as the node runs it (`^(?:…)$`, `i` unless case-sensitive). */
  readonly re: RE2 | null;
}

/** A segment trie of the non-regex paths that may shadow (the candidates' index). */
interface TrieNode {
  readonly lit: Map<string, TrieNode>;
  vari: TrieNode | null;
  /** Exact and template paths with exactly this many segments. */
  readonly ends: PathEntry[];
  /** Prefix paths: anything at or below this node. */
  readonly prefixes: PathEntry[];
}

const newNode = (): TrieNode => ({ lit: new Map(), vari: null, ends: [], prefixes: [] });

/**
 * The other trailing-slash spelling a path owns unless its route is strict (router.ts
 * `otherSpelling`): an exact `/a` owns `/a/` and `/a/` owns `/a`; a prefix `/a/` owns `/a`.
 */
function otherSpelling(p: PathView): string | undefined {
  const v = p.value;
  if (v === "/" || p.kind === "regex" || p.kind === "template") return undefined;
  if (v.endsWith("/")) return v.slice(0, -1);
  return p.kind === "exact" ? `${v}/` : undefined;
}

function entryOf(route: RouteView, path: PathView, index: number, alias = false): PathEntry {
  const match: PathView = alias ? { kind: "exact", value: otherSpelling(path)! } : path;
  let re: RE2 | null = null;
  if (match.kind === "regex") {
    try {
      re = new RE2(`^(?:${match.value})$`, route.caseSensitive ? "" : "i");
    } catch {
      re = null; // refused at publish already; never matches here
    }
  }
  let v = match.kind === "regex" ? "" : match.value;
  if (match.kind === "prefix" && v.endsWith("/")) v = v.slice(0, -1);
  const raw =
    v === ""
      ? []
      : v
          .split("/")
          .slice(1)
          .map((s) => (match.kind === "template" && s.startsWith("{") ? null : s));
  const segs = raw.map((s) => (s === null ? null : s.toLowerCase()));
  return {
    route,
    match,
    rankKind: path.kind,
    length: pathLength(match),
    alias,
    index,
    segs,
    raw,
    open: match.kind === "prefix",
    re,
  };
}

/** Entries by route view: a caller that keeps its views across publishes builds each once. */
const ENTRIES = new WeakMap<RouteView, readonly PathEntry[]>();

/** Every entry of a route: its paths (all paths when it has none) and their aliases. */
function entriesOf(route: RouteView): readonly PathEntry[] {
  const held = ENTRIES.get(route);
  if (held !== undefined) return held;
  const out: PathEntry[] = [];
  const paths = route.paths.length > 0 ? route.paths : [MATCH_ALL];
  paths.forEach((p, i) => {
    out.push(entryOf(route, p, i));
    if (route.strictTrailingSlash !== true && otherSpelling(p) !== undefined) out.push(entryOf(route, p, i, true));
  });
  ENTRIES.set(route, out);
  return out;
}

function insert(root: TrieNode, e: PathEntry): void {
  let node = root;
  for (const s of e.segs) {
    if (s === null) {
      node.vari ??= newNode();
      node = node.vari;
    } else {
      let next = node.lit.get(s);
      if (next === undefined) {
        next = newNode();
        node.lit.set(s, next);
      }
      node = next;
    }
  }
  (e.open ? node.prefixes : node.ends).push(e);
}

/** Every entry of the trie whose paths could match a request that `b`'s path matches. */
function candidates(node: TrieNode, b: PathEntry, i: number, out: PathEntry[]): void {
  for (const e of node.prefixes) out.push(e);
  if (i === b.segs.length) {
    if (b.open) collectBelow(node, out, false);
    else for (const e of node.ends) out.push(e);
    return;
  }
  const s = b.segs[i]!;
  if (s === null) for (const child of node.lit.values()) candidates(child, b, i + 1, out);
  else {
    const child = node.lit.get(s);
    if (child) candidates(child, b, i + 1, out);
  }
  if (node.vari) candidates(node.vari, b, i + 1, out);
}

function collectBelow(node: TrieNode, out: PathEntry[], withPrefixes: boolean): void {
  if (withPrefixes) for (const e of node.prefixes) out.push(e);
  for (const e of node.ends) out.push(e);
  for (const child of node.lit.values()) collectBelow(child, out, true);
  if (node.vari) collectBelow(node.vari, out, true);
}

/**
 * Every pair where a route outranks a protected route on a request both match, without one of
 * its protecting policies. Candidates come from a segment trie of the proxying routes' paths, so
 * the cost follows the pairs that overlap, not the square of the route count (regex paths are
 * compared with every candidate, within the budget).
 * @returns up to {@link MAX_WARNINGS} warnings, ordered by shadowed route then route name, the
 *   number found, and whether the analysis ran to its end ({@link MAX_FOUND}, {@link MAX_CHECKS})
 */
export function findShadowedRoutes(routes: readonly RouteView[]): {
  warnings: RouteShadowWarning[];
  total: number;
  complete: boolean;
} {
  const root = newNode();
  const regexes: PathEntry[] = [];
  const all: PathEntry[] = [];
  for (const route of routes) {
    if (!route.proxies) continue;
    for (const e of entriesOf(route)) {
      all.push(e);
      if (e.re !== null) regexes.push(e);
      else if (e.match.kind !== "regex") insert(root, e);
    }
  }
  const seen = new Set<string>();
  const found: RouteShadowWarning[] = [];
  const list: PathEntry[] = [];
  let checks = 0;
  let complete = true;
  search: for (const b of routes) {
    if (b.protections.size === 0) continue;
    for (const be of entriesOf(b)) {
      list.length = 0;
      if (be.match.kind === "regex") {
        if (be.re === null) continue;
        list.push(...all);
      } else {
        candidates(root, be, 0, list);
        list.push(...regexes);
      }
      for (const ae of list) {
        const a = ae.route;
        if (a.id === b.id || a.priority < b.priority || seen.has(`${a.id} ${b.id}`)) continue;
        const missing: string[] = [];
        for (const name of b.protections.keys()) if (!a.protections.has(name)) missing.push(name);
        if (missing.length === 0) continue;
        if (++checks > MAX_CHECKS || found.length >= MAX_FOUND) {
          complete = false;
          break search;
        }
        const example = witness(ae, be);
        if (example === undefined) continue;
        if (compare(ae, be, example.host) >= 0) continue;
        seen.add(`${a.id} ${b.id}`);
        missing.sort();
        const types = [...new Set(missing.map((n) => b.protections.get(n)!))].sort();
        const request = exampleText(example);
        const policies = missing.map((n) => `${n} (${b.protections.get(n)})`).join(", ");
        found.push({
          code: "ROUTE_SHADOWS_PROTECTION",
          route: a.name,
          shadowed_route: b.name,
          example: request,
          missing: types,
          missing_policies: missing,
          message:
            `route ${a.name} outranks route ${b.name} on ${request} without its ` +
            `polic${missing.length === 1 ? "y" : "ies"} ${policies}: give ${a.name} the same policies, ` +
            `narrow it, or raise ${b.name}'s priority`,
        });
      }
    }
  }
  found.sort((x, y) => x.shadowed_route.localeCompare(y.shadowed_route) || x.route.localeCompare(y.route));
  return { warnings: found.slice(0, MAX_WARNINGS), total: found.length, complete };
}

function splitSegments(v: string): string[] {
  return v.split("/").slice(1);
}

/** Whether `path` matches the matcher (the node's semantics for exact, prefix and template). */
function pathMatches(p: PathView, path: string, caseSensitive: boolean): boolean {
  const v = caseSensitive ? p.value : p.value.toLowerCase();
  const x = caseSensitive ? path : path.toLowerCase();
  switch (p.kind) {
    case "exact":
      return x === v;
    case "prefix":
      return x.startsWith(v) && (x.length === v.length || v.endsWith("/") || x.charCodeAt(v.length) === 0x2f);
    case "template": {
      const ts = splitSegments(v);
      const xs = splitSegments(x);
      if (ts.length !== xs.length) return false;
      return ts.every((t, i) => (t.startsWith("{") && t.endsWith("}") ? xs[i] !== "" : t === xs[i]));
    }
    default:
      return false;
  }
}

function entryMatches(e: PathEntry, path: string): boolean {
  return e.re !== null ? e.re.test(path) : pathMatches(e.match, path, e.route.caseSensitive);
}

/**
 * A path both entries match: their segments merged (a variable takes the other side's literal,
 * else `x`), one more segment when both are prefixes, or `undefined` when they cannot overlap.
 */
function witnessPath(a: PathEntry, b: PathEntry): string | undefined {
  if (a.re !== null || b.re !== null || a.match.kind === "regex" || b.match.kind === "regex") return regexWitness(a, b);
  const n = Math.max(a.segs.length, b.segs.length);
  if ((!a.open && a.segs.length !== n) || (!b.open && b.segs.length !== n)) return undefined;
  // Spelled as the case-sensitive side writes it (either side's spelling otherwise).
  const spell = b.route.caseSensitive ? b.raw : a.raw;
  const other = spell === a.raw ? b.raw : a.raw;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = a.segs[i];
    const y = b.segs[i];
    if (typeof x === "string" && typeof y === "string" && x !== y) return undefined;
    out.push(spell[i] ?? other[i] ?? "x");
  }
  let path = `/${out.join("/")}`;
  // Two prefixes meet below the longer one when one ends with a slash (`/a/` and `/a`).
  if (a.open && b.open && !(entryMatches(a, path) && entryMatches(b, path))) path = `${path === "/" ? "" : path}/x`;
  return entryMatches(a, path) && entryMatches(b, path) ? path : undefined;
}

/** The literal start of a regex path (`/secret/.*` → `/secret/`), as far as no operator applies to it. */
function literalStart(source: string): string {
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (".[](){}*+?|^$\\".includes(c)) {
      // A quantifier applies to the character before it: drop that one too.
      if ("*?{".includes(c) && out.length > 0) out = out.slice(0, -1);
      break;
    }
    out += c;
  }
  return out;
}

/** Example paths from one side's literals: the path itself, below it, a template filled in. */
function examplesOf(e: PathEntry): string[] {
  if (e.match.kind === "regex") {
    const start = literalStart(e.match.value);
    return [start, `${start}x`, `${start.replace(/\/$/, "")}/x`, `${start}1`];
  }
  const v = e.match.value;
  if (e.match.kind === "template")
    return [`/${e.raw.map((s) => s ?? "x").join("/")}`, `/${e.raw.map((s) => s ?? "1").join("/")}`];
  if (e.match.kind === "prefix") return [v, `${v.replace(/\/$/, "")}/x`];
  return [v];
}

/** A path a regex entry and another entry both match, tried on examples from both (RE2). */
function regexWitness(a: PathEntry, b: PathEntry): string | undefined {
  for (const path of [...examplesOf(b), ...examplesOf(a)])
    if (path.startsWith("/") && entryMatches(a, path) && entryMatches(b, path)) return path;
  return undefined;
}

interface Example {
  readonly method: string;
  readonly host: string | undefined;
  readonly path: string;
  /** The conditions of both routes the request carries. */
  readonly conditions: readonly string[];
}

function exampleText(e: Example): string {
  const withs = e.conditions.length > 0 ? ` with ${e.conditions.join(", ")}` : "";
  return `${e.method} ${e.host ?? ""}${e.path}${withs}`;
}

/** A request the entries' routes both match, or `undefined`. */
function witness(ae: PathEntry, be: PathEntry): Example | undefined {
  const path = witnessPath(ae, be);
  if (path === undefined) return undefined;
  const a = ae.route;
  const b = be.route;
  const host = witnessHost(a.hosts, b.hosts);
  if (host === null) return undefined;
  const method =
    a.methods.length === 0
      ? (b.methods[0] ?? "GET")
      : b.methods.length === 0
        ? a.methods[0]!
        : a.methods.find((m) => b.methods.includes(m));
  if (method === undefined) return undefined;
  for (const c of a.conditions)
    if (
      c.exact !== undefined &&
      b.conditions.some((d) => d.field === c.field && d.exact !== undefined && d.exact !== c.exact)
    )
      return undefined;
  const conditions = [...new Set([...a.conditions, ...b.conditions].map((c) => c.text))];
  return { method, host, path, conditions };
}

/** A host both host lists accept (`undefined`: any host; `null`: none). */
function witnessHost(a: readonly string[], b: readonly string[]): string | undefined | null {
  if (a.length === 0 && b.length === 0) return undefined;
  const example = (h: string) => (h.startsWith("*.") ? `x${h.slice(1)}` : h);
  if (a.length === 0) return example(b[0]!);
  if (b.length === 0) return example(a[0]!);
  for (const x of a)
    for (const y of b) {
      const h = example(x.length >= y.length ? x : y);
      if (hostAccepts(x, h) && hostAccepts(y, h)) return h;
    }
  return null;
}

function hostAccepts(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  return p.startsWith("*.") ? h.endsWith(p.slice(1)) && h.length > p.length - 1 : p === h;
}

function hostRank(hosts: readonly string[], host: string | undefined): number {
  if (hosts.length === 0 || host === undefined) return 0;
  let rank = 0;
  for (const h of hosts) {
    if (!hostAccepts(h, host)) continue;
    rank = Math.max(rank, h.startsWith("*.") ? 1 : 2);
  }
  return rank;
}

/** The node's rank length: a template's literal characters (1 + each literal segment and its slash), 0 for a regex. */
function pathLength(p: PathView): number {
  if (p.kind === "regex") return 0;
  if (p.kind !== "template") return p.value.length;
  let n = 1;
  for (const s of splitSegments(p.value)) if (!(s.startsWith("{") && s.endsWith("}"))) n += s.length + 1;
  return n;
}

/** Negative when `a` ranks before `b` for a request to `host` (router.ts compareEntries). */
function compare(a: PathEntry, b: PathEntry, host: string | undefined): number {
  const matchers = (r: RouteView) => (r.methods.length > 0 ? 1 : 0) + r.conditions.length;
  const ra = a.route;
  const rb = b.route;
  return (
    rb.priority - ra.priority ||
    KIND_RANK[b.rankKind] - KIND_RANK[a.rankKind] ||
    b.length - a.length ||
    Number(a.alias) - Number(b.alias) ||
    matchers(rb) - matchers(ra) ||
    hostRank(rb.hosts, host) - hostRank(ra.hosts, host) ||
    (ra.id < rb.id ? -1 : ra.id > rb.id ? 1 : 0) ||
    a.index - b.index
  );
}
