import { type HostPattern, parseHostPattern } from "./host.js";

/** A path matcher (RFC 3986 path, no query). */
export interface PathSpec {
  readonly kind: "exact" | "prefix";
  /** Starts with "/". */
  readonly value: string;
}

/** What the router needs to know of a route. `route` is returned on a match. */
export interface RouteSpec<R> {
  readonly route: R;
  /** Exact or `*.` wildcard host patterns; empty matches any host. */
  readonly hosts: readonly string[];
  /** Empty matches every path. */
  readonly paths: readonly PathSpec[];
  /** Upper-case methods; empty matches every method. */
  readonly methods: readonly string[];
  /** Higher wins. */
  readonly priority: number;
  /** Match paths exactly as spelt (default: ignore ASCII case). */
  readonly caseSensitive?: boolean;
}

/** A match: the route, and which of its path matchers matched (for `strip_prefix`). */
export interface RouteMatch<R> {
  readonly route: R;
  readonly path: PathSpec;
}

// Host specificity, the last tie-breaker before config order.
const HOST_EXACT = 2;
const HOST_WILDCARD = 1;
const HOST_ANY = 0;

/** One (route, path matcher, host kind) row of a bucket. Frozen. */
class Entry<R> implements RouteMatch<R> {
  readonly route: R;
  readonly path: PathSpec;
  readonly exact: boolean;
  readonly caseSensitive: boolean;
  readonly value: string;
  readonly methods: ReadonlySet<string> | null;
  readonly priority: number;
  readonly hostRank: number;
  readonly order: number;

  constructor(spec: RouteSpec<R>, path: PathSpec, hostRank: number, order: number) {
    this.route = spec.route;
    this.path = path;
    this.exact = path.kind === "exact";
    // Matching ignores ASCII case unless the route asks otherwise (see Router.match).
    this.caseSensitive = spec.caseSensitive === true;
    this.value = this.caseSensitive ? path.value : path.value.toLowerCase();
    this.methods = spec.methods.length > 0 ? new Set(spec.methods) : null;
    this.priority = spec.priority;
    this.hostRank = hostRank;
    this.order = order;
    Object.freeze(this);
  }

  /** Path and method test; the host was tested by the bucket. `lower` is `path` in lower case. */
  matches(method: string, path: string, lower: string): boolean {
    if (this.methods !== null && !this.methods.has(method)) return false;
    const v = this.value;
    if (!this.caseSensitive) path = lower;
    if (this.exact) return path === v;
    // Prefix at a segment boundary: "/echo" matches "/echo", "/echo/", "/echo/x", not "/echoes".
    if (!path.startsWith(v)) return false;
    return path.length === v.length || v.charCodeAt(v.length - 1) === 0x2f || path.charCodeAt(v.length) === 0x2f;
  }
}

/**
 * Order of precedence: higher priority, then exact before prefix, then the longer path, then the
 * more specific host (exact > wildcard > any), then config order. Negative when `a` wins.
 */
function compareEntries<R>(a: Entry<R>, b: Entry<R>): number {
  return (
    b.priority - a.priority ||
    Number(b.exact) - Number(a.exact) ||
    b.value.length - a.value.length ||
    b.hostRank - a.hostRank ||
    a.order - b.order
  );
}

const MATCH_ALL: PathSpec = Object.freeze({ kind: "prefix", value: "/" });

/**
 * The compiled router: routes bucketed by host (exact map, wildcard-suffix map, any-host list),
 * each bucket sorted by precedence so a lookup returns the first hit of each candidate bucket and
 * keeps the best. Immutable once built.
 */
export class Router<R> {
  #exact = new Map<string, readonly Entry<R>[]>();
  #wildcard = new Map<string, readonly Entry<R>[]>();
  #any: readonly Entry<R>[];
  #size: number;

  /**
   * Builds the router. Host patterns must be valid (see {@link parseHostPattern}).
   * @throws TypeError on an invalid host pattern
   */
  constructor(specs: readonly RouteSpec<R>[]) {
    const exact = new Map<string, Entry<R>[]>();
    const wildcard = new Map<string, Entry<R>[]>();
    const any: Entry<R>[] = [];
    let order = 0;
    for (const spec of specs) {
      const paths = spec.paths.length > 0 ? spec.paths : [MATCH_ALL];
      const patterns: HostPattern[] = spec.hosts.map((h) => {
        const p = parseHostPattern(h);
        if (p === undefined) throw new TypeError(`invalid host pattern "${h}"`);
        return p;
      });
      for (const path of paths) {
        order++;
        if (patterns.length === 0) {
          any.push(new Entry(spec, path, HOST_ANY, order));
          continue;
        }
        // One entry per host kind, shared by all buckets of that kind.
        let exactEntry: Entry<R> | undefined;
        let wildEntry: Entry<R> | undefined;
        for (const p of patterns) {
          if (p.kind === "exact") {
            exactEntry ??= new Entry(spec, path, HOST_EXACT, order);
            push(exact, p.host, exactEntry);
          } else {
            wildEntry ??= new Entry(spec, path, HOST_WILDCARD, order);
            push(wildcard, p.suffix, wildEntry);
          }
        }
      }
    }
    for (const [k, list] of exact) this.#exact.set(k, Object.freeze(dedupe(list).sort(compareEntries)));
    for (const [k, list] of wildcard) this.#wildcard.set(k, Object.freeze(dedupe(list).sort(compareEntries)));
    this.#any = Object.freeze(any.sort(compareEntries));
    this.#size = order;
    Object.freeze(this);
  }

  /** Number of (route, path) rows. */
  get size(): number {
    return this.#size;
  }

  /**
   * Finds the route for a request.
   * @param method upper-case method
   * @param host normalized host (see normalizeHost): lower-case, no port
   * @param path canonical match path without the query (ASCII)
   */
  match(method: string, host: string, path: string): RouteMatch<R> | undefined {
    // Paths match without regard to ASCII case unless a route is case-sensitive: many upstream
    // routers (Express, ASP.NET, IIS) ignore case, so `/ADMIN/x` must meet the `/admin` route's
    // policies rather than fall through to a less protected one (case C05). Canonical paths are
    // ASCII, so lengths are unchanged.
    const lower = hasUpper(path) ? path.toLowerCase() : path;
    let best: Entry<R> | undefined;
    const exact = this.#exact.get(host);
    if (exact !== undefined) best = firstMatch(exact, method, path, lower);
    if (this.#wildcard.size > 0) {
      // Every suffix starting at a dot: "a.b.example.com" → ".b.example.com", ".example.com", ".com".
      for (let i = host.indexOf(".", 1); i !== -1; i = host.indexOf(".", i + 1)) {
        const list = this.#wildcard.get(host.slice(i));
        if (list === undefined) continue;
        const m = firstMatch(list, method, path, lower);
        if (m !== undefined && (best === undefined || compareEntries(m, best) < 0)) best = m;
      }
    }
    const m = firstMatch(this.#any, method, path, lower);
    if (m !== undefined && (best === undefined || compareEntries(m, best) < 0)) best = m;
    return best;
  }
}

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return true;
  }
  return false;
}

function firstMatch<R>(list: readonly Entry<R>[], method: string, path: string, lower: string): Entry<R> | undefined {
  for (const e of list) if (e.matches(method, path, lower)) return e;
  return undefined;
}

function push<R>(map: Map<string, Entry<R>[]>, key: string, e: Entry<R>): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [e]);
  else list.push(e);
}

// A route listing the same host twice would otherwise appear twice in that bucket.
function dedupe<R>(list: Entry<R>[]): Entry<R>[] {
  return [...new Set(list)];
}
