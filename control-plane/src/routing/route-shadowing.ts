/**
 * Publish-time warnings for a route that takes requests another route protects.
 *
 * The node picks one route per request by precedence (data-plane/src/router/router.ts
 * `compareEntries`: priority, then path kind exact > template > prefix > regex, then the longer
 * path, then more matchers, then the more specific host, then config order — Envoy's and Kong's
 * order). That order is right for routing but can skip a protection: a template `/{tenant}/users`
 * without authentication outranks a prefix `/admin` that requires a JWT, so `GET /admin/users`
 * reaches the upstream unauthenticated; a route matched on a header the client chooses outranks
 * the plain route of the same path. Neither Kong nor Envoy says so. Palisade keeps the order (a
 * change would reroute existing configs on upgrade) and warns at publish: for every pair where a
 * route A outranks a route B on some request both match, and B carries a security policy type A
 * lacks, one warning with an example request.
 *
 * Pure: no I/O. The ranking mirrors the node's router; what cannot be decided cheaply is left
 * out and documented (regex paths; conditions beyond "two different exact values of one field").
 */

/** Policy types that protect a route: authentication, address rules and the WAF. */
export const PROTECTION_TYPES: ReadonlySet<string> = new Set([
  "jwt",
  "api-key",
  "mtls",
  "introspection",
  "auth-any",
  "ip-restriction",
  "waf",
]);

/** One path matcher of a route (the proto's PathMatch oneof). */
export interface PathView {
  readonly kind: "exact" | "prefix" | "template" | "regex";
  readonly value: string;
}

/** One `headers`/`query`/`cookies` condition; only `exact` values take part in the overlap test. */
export interface ConditionView {
  readonly field: string;
  readonly exact?: string;
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
  readonly conditions: readonly ConditionView[];
  /** Proxies to an upstream (false: a redirect or fixed response, which exposes no upstream). */
  readonly proxies: boolean;
  /** Its policies' types that are in {@link PROTECTION_TYPES}. */
  readonly protections: ReadonlySet<string>;
}

/** One warning: `route` takes `example` from `shadowed_route`, which `missing` protect. */
export interface RouteShadowWarning {
  readonly code: "ROUTE_SHADOWS_PROTECTION";
  /** The route that wins (by name). */
  readonly route: string;
  /** The protected route it outranks (by name). */
  readonly shadowed_route: string;
  /** A request both match that goes to `route`: `GET api.example.com/admin/users`. */
  readonly example: string;
  /** Protection types the shadowed route has and the winner lacks, sorted. */
  readonly missing: readonly string[];
  readonly message: string;
}

const KIND_RANK = { exact: 3, template: 2, prefix: 1, regex: 0 } as const;
const MATCH_ALL: PathView = { kind: "prefix", value: "/" };
/** The warnings returned at most (the count of all is returned too). */
export const MAX_WARNINGS = 50;
/** The analysis stops once it has found this many pairs (`complete: false`). */
export const MAX_FOUND = 1_000;
/**
 * Candidate pairs examined at most (~1–7 µs each on this machine), so that a configuration
 * where thousands of routes share one path (a generated one) cannot hold the control plane's
 * event loop: past it the analysis stops with `complete: false`.
 */
export const MAX_CHECKS = 50_000;

/** One (route, path) with its path split once: lower-cased segments, variables as `null`. */
interface PathEntry {
  readonly route: RouteView;
  readonly path: PathView;
  readonly index: number;
  /** Lower-cased segments; a prefix without its trailing slash (`/` has none). */
  readonly segs: readonly (string | null)[];
  /** The same segments as written (for a case-sensitive route's example). */
  readonly raw: readonly (string | null)[];
  readonly open: boolean;
}

/** A segment trie of the paths that may shadow (the candidates' index). */
interface TrieNode {
  readonly lit: Map<string, TrieNode>;
  vari: TrieNode | null;
  /** Exact and template paths with exactly this many segments. */
  readonly ends: PathEntry[];
  /** Prefix paths: anything at or below this node. */
  readonly prefixes: PathEntry[];
}

const newNode = (): TrieNode => ({ lit: new Map(), vari: null, ends: [], prefixes: [] });

function entryOf(route: RouteView, path: PathView, index: number): PathEntry {
  let v = path.value;
  if (path.kind === "prefix" && v.endsWith("/")) v = v.slice(0, -1);
  const raw =
    v === ""
      ? []
      : v
          .split("/")
          .slice(1)
          .map((s) => (path.kind === "template" && s.startsWith("{") ? null : s));
  const segs = raw.map((s) => (s === null ? null : s.toLowerCase()));
  return { route, path, index, segs, raw, open: path.kind === "prefix" };
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
 * Every pair where an unprotected (or less protected) route outranks a protected one on a request
 * both match. Candidates come from a segment trie of the proxying routes' paths, so the cost
 * follows the pairs that overlap, not the square of the route count.
 * @returns up to {@link MAX_WARNINGS} warnings, ordered by shadowed route then route name, the
 *   number found, and whether the analysis ran to its end ({@link MAX_FOUND}, {@link MAX_CHECKS})
 */
export function findShadowedRoutes(routes: readonly RouteView[]): {
  warnings: RouteShadowWarning[];
  total: number;
  complete: boolean;
} {
  const root = newNode();
  for (const route of routes) {
    if (!route.proxies) continue;
    const paths = route.paths.length > 0 ? route.paths : [MATCH_ALL];
    paths.forEach((path, index) => {
      if (path.kind !== "regex") insert(root, entryOf(route, path, index));
    });
  }
  const seen = new Set<string>();
  const found: RouteShadowWarning[] = [];
  const list: PathEntry[] = [];
  let checks = 0;
  let complete = true;
  search: for (const b of routes) {
    if (b.protections.size === 0) continue;
    const paths = b.paths.length > 0 ? b.paths : [MATCH_ALL];
    for (let bi = 0; bi < paths.length; bi++) {
      const bp = paths[bi]!;
      if (bp.kind === "regex") continue;
      const be = entryOf(b, bp, bi);
      list.length = 0;
      candidates(root, be, 0, list);
      for (const a of list) {
        if (++checks > MAX_CHECKS || found.length >= MAX_FOUND) {
          complete = false;
          break search;
        }
        if (a.route.id === b.id || seen.has(`${a.route.id} ${b.id}`)) continue;
        if (a.route.priority < b.priority) continue;
        let missing: string[] | undefined;
        for (const t of b.protections)
          if (!a.route.protections.has(t)) {
            missing ??= [];
            missing.push(t);
          }
        if (missing === undefined) continue;
        const example = witness(a, be);
        if (example === undefined) continue;
        if (compare(a.route, a.path, a.index, b, bp, bi, example.host) >= 0) continue;
        seen.add(`${a.route.id} ${b.id}`);
        missing.sort();
        const request = `${example.method} ${example.host ?? ""}${example.path}`;
        found.push({
          code: "ROUTE_SHADOWS_PROTECTION",
          route: a.route.name,
          shadowed_route: b.name,
          example: request,
          missing,
          message:
            `route ${a.route.name} outranks route ${b.name} on ${request} without its ${missing.join(", ")} ` +
            `polic${missing.length === 1 ? "y" : "ies"}: give ${a.route.name} the same policies, narrow it, or raise ${b.name}'s priority`,
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
export function pathMatches(p: PathView, path: string, caseSensitive: boolean): boolean {
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

/**
 * A path both entries match: their segments merged (a variable takes the other side's literal,
 * else `x`), one more segment when both are prefixes, or `undefined` when they cannot overlap.
 */
function witnessPath(a: PathEntry, b: PathEntry): string | undefined {
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
  const ok = (e: PathEntry, path: string) => pathMatches(e.path, path, e.route.caseSensitive);
  let path = `/${out.join("/")}`;
  // Two prefixes meet below the longer one when one ends with a slash (`/a/` and `/a`).
  if (a.open && b.open && !(ok(a, path) && ok(b, path))) path = `${path === "/" ? "" : path}/x`;
  return ok(a, path) && ok(b, path) ? path : undefined;
}

/** A request (method, host, path) the entries' routes both match, or `undefined`. */
function witness(ae: PathEntry, be: PathEntry): { method: string; host: string | undefined; path: string } | undefined {
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
  return { method, host, path };
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

function pathLength(p: PathView): number {
  if (p.kind !== "template") return p.value.length;
  // The node's literalLength: 1 + each literal segment and its slash.
  let n = 1;
  for (const s of splitSegments(p.value)) if (!(s.startsWith("{") && s.endsWith("}"))) n += s.length + 1;
  return n;
}

/** Negative when (a, ap) ranks before (b, bp) for a request to `host` (router.ts compareEntries). */
function compare(
  a: RouteView,
  ap: PathView,
  ai: number,
  b: RouteView,
  bp: PathView,
  bi: number,
  host: string | undefined,
): number {
  const matchers = (r: RouteView) => (r.methods.length > 0 ? 1 : 0) + r.conditions.length;
  return (
    b.priority - a.priority ||
    KIND_RANK[bp.kind] - KIND_RANK[ap.kind] ||
    pathLength(bp) - pathLength(ap) ||
    matchers(b) - matchers(a) ||
    hostRank(b.hosts, host) - hostRank(a.hosts, host) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) ||
    ai - bi
  );
}
