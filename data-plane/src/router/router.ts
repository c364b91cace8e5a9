import { type HostPattern, parseHostPattern } from "./host.js";
import type { PathParams, PathPattern } from "./path-pattern.js";
import { RegexGroup, TemplateTrie } from "./pattern-index.js";
import { EMPTY_REQUEST, type MatchRequest, type RouteConditions } from "./route-conditions.js";

/** A path matcher (RFC 3986 path, no query). */
export interface PathSpec {
  readonly kind: "exact" | "prefix" | "regex" | "template";
  /** Starts with "/" (exact, prefix, template); the expression as written (regex). */
  readonly value: string;
  /** The compiled pattern of a regex or template path (path-pattern.ts); absent for exact and prefix. */
  readonly pattern?: PathPattern;
}

/** What the router needs to know of a route. `route` is returned on a match. */
export interface RouteSpec<R> {
  readonly route: R;
  /**
   * Stable identity of the route (its id): the last tie-breaker. Snapshots list routes by id, so
   * this is config order, and it stays the same when other routes are added or removed.
   */
  readonly key: string;
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
  /**
   * Match each path only with the trailing slash it is written with. By default an exact path
   * also owns its other trailing-slash spelling (`/a` and `/a/`) and a prefix path ending in `/`
   * also owns the path without it (`/a/` owns `/a`): see {@link otherSpelling}.
   */
  readonly strictTrailingSlash?: boolean;
  /**
   * Header, query and cookie conditions (all must hold), tested only on the entries the host
   * bucket and path index selected. Each one counts as a matcher in the precedence.
   */
  readonly conditions?: RouteConditions;
}

/**
 * A match: the route, which of its path matchers matched (for `strip_prefix`), and the values a
 * template or regex path captured (absent for exact and prefix paths).
 */
export interface RouteMatch<R> {
  readonly route: R;
  readonly path: PathSpec;
  readonly params?: PathParams;
}

// Path kinds in precedence order (Envoy and Kong rank an exact path before a pattern, a prefix
// after a template, and a regex last).
const KIND_RANK = { exact: 3, template: 2, prefix: 1, regex: 0 } as const;

// Host specificity, the last tie-breaker before config order.
const HOST_EXACT = 2;
const HOST_WILDCARD = 1;
const HOST_ANY = 0;

/**
 * The other trailing-slash spelling a path matcher owns unless its route is strict, or
 * `undefined`. Upstreams that ignore a trailing slash (Express's default, Flask's redirects,
 * most static file servers) serve `/admin/users/` as `/admin/users`, so a route guarding one
 * spelling must guard the other, or its policies are skipped through an open catch-all
 * (issue 13, point 2): an exact `/a` owns `/a/` and an exact `/a/` owns `/a`; a prefix `/a/`
 * owns `/a` (a prefix `/a` already matches `/a/`); `/` has no other spelling.
 */
export function otherSpelling(path: PathSpec): string | undefined {
  const v = path.value;
  if (v === "/" || path.kind === "regex" || path.kind === "template") return undefined;
  if (v.endsWith("/")) return v.slice(0, -1);
  return path.kind === "exact" ? `${v}/` : undefined;
}

/**
 * One (route, path matcher, host kind) row of a bucket, or the row of its other trailing-slash
 * spelling (an alias: `alias` is true and `value` is that spelling). Frozen.
 */
class Entry<R> implements RouteMatch<R> {
  readonly route: R;
  readonly path: PathSpec;
  /** The path kind's rank (KIND_RANK; an alias ranks like its route's path). */
  readonly kindRank: number;
  /** Ranks longer first: the path's length (exact, prefix), a template's literal characters, 0 for a regex. */
  readonly length: number;
  /** The compiled regex or template, or null (exact, prefix). */
  readonly pattern: PathPattern | null;
  /** The header, query and cookie conditions, or null. */
  readonly conditions: RouteConditions | null;
  /** Matchers besides host and path (methods listed: 1, plus each condition): more ranks first. */
  readonly matchers: number;
  /** Matches only the whole path (exact paths and aliases). */
  readonly whole: boolean;
  /** The other trailing-slash spelling of a route's path: ranks below a route that spells it. */
  readonly alias: boolean;
  readonly caseSensitive: boolean;
  readonly value: string;
  readonly methods: ReadonlySet<string> | null;
  readonly priority: number;
  readonly hostRank: number;
  readonly key: string;
  /** Index of the path among its route's paths. */
  readonly pathIndex: number;
  /** The alias entry of this path (sealed into every bucket this entry is in), or null. */
  readonly other: Entry<R> | null;

  constructor(spec: RouteSpec<R>, path: PathSpec, pathIndex: number, hostRank: number, aliasOf?: Entry<R>) {
    this.route = spec.route;
    this.path = path;
    this.kindRank = KIND_RANK[path.kind];
    this.pattern = path.pattern ?? null;
    this.conditions = spec.conditions !== undefined && spec.conditions.count > 0 ? spec.conditions : null;
    this.matchers = (spec.methods.length > 0 ? 1 : 0) + (this.conditions?.count ?? 0);
    // Matching ignores ASCII case unless the route asks otherwise (see Router.match).
    this.caseSensitive = spec.caseSensitive === true;
    this.methods = aliasOf?.methods ?? (spec.methods.length > 0 ? new Set(spec.methods) : null);
    this.priority = spec.priority;
    this.hostRank = hostRank;
    this.key = spec.key;
    this.pathIndex = pathIndex;
    const other = spec.strictTrailingSlash === true || aliasOf !== undefined ? undefined : otherSpelling(path);
    if (aliasOf === undefined) {
      this.value = this.pattern !== null || this.caseSensitive ? path.value : path.value.toLowerCase();
      this.whole = path.kind === "exact";
      this.alias = false;
      this.other = other === undefined ? null : new Entry(spec, path, pathIndex, hostRank, this);
    } else {
      const v = otherSpelling(path)!;
      this.value = this.caseSensitive ? v : v.toLowerCase();
      this.whole = true;
      this.alias = true;
      this.other = null;
    }
    this.length = this.pattern !== null ? this.pattern.literalLength : this.value.length;
    Object.freeze(this);
  }

  /**
   * Method, path and conditions test (in that order: the conditions read headers, the query and
   * cookies, so they run last); the host was tested by the bucket. `lower` is `path` in lower case.
   */
  matches(method: string, path: string, lower: string, req: MatchRequest): boolean {
    if (this.methods !== null && !this.methods.has(method)) return false;
    if (!this.pathMatches(path, lower)) return false;
    return this.conditions === null || this.conditions.test(req);
  }

  /** Method and conditions, for an entry whose path is known to match (a regex set's hit). */
  matchesBesidesPath(method: string, req: MatchRequest): boolean {
    if (this.methods !== null && !this.methods.has(method)) return false;
    return this.conditions === null || this.conditions.test(req);
  }

  pathMatches(path: string, lower: string): boolean {
    if (this.pattern !== null) return this.pattern.test(path, lower);
    const v = this.value;
    if (!this.caseSensitive) path = lower;
    if (this.whole) return path === v;
    // Prefix at a segment boundary: "/echo" matches "/echo", "/echo/", "/echo/x", not "/echoes".
    if (!path.startsWith(v)) return false;
    return path.length === v.length || v.charCodeAt(v.length - 1) === 0x2f || path.charCodeAt(v.length) === 0x2f;
  }
}

/**
 * Order of precedence (data-plane README, "Route precedence"): higher priority, then the path
 * kind (exact > template > prefix > regex), then the longer path (a template's literal
 * characters), then a path as written before another route's trailing-slash alias of it, then
 * more matchers (methods, each header, query and cookie condition), then the more specific host
 * (exact > wildcard > any), then config order (the route key, then the path's position in its
 * route). Negative when `a` wins.
 */
function compareEntries<R>(a: Entry<R>, b: Entry<R>): number {
  return (
    b.priority - a.priority ||
    b.kindRank - a.kindRank ||
    b.length - a.length ||
    Number(a.alias) - Number(b.alias) ||
    b.matchers - a.matchers ||
    b.hostRank - a.hostRank ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) ||
    a.pathIndex - b.pathIndex
  );
}

const MATCH_ALL: PathSpec = Object.freeze({ kind: "prefix", value: "/" });

/** A router's three kinds of host bucket: exact host → list, wildcard suffix → list, any-host list. */
type Buckets<R> = readonly [
  ReadonlyMap<string, readonly Entry<R>[]>,
  ReadonlyMap<string, readonly Entry<R>[]>,
  readonly Entry<R>[],
];

/**
 * The compiled router: routes bucketed by host (exact map, wildcard-suffix map, any-host list),
 * each bucket sorted by precedence so a lookup returns the first hit of each candidate bucket and
 * keeps the best. Immutable once built.
 */
export class Router<R extends object> {
  #exact: ReadonlyMap<string, readonly Entry<R>[]>;
  #wildcard: ReadonlyMap<string, readonly Entry<R>[]>;
  #any: readonly Entry<R>[];
  #size: number;
  /**
   * The buckets each route object was ever added to (`e<host>`, `w<suffix>`, `a`), shared by
   * the routers an update derives from this one, so an update finds the buckets of removed
   * routes without a scan. Only ever grows for a route (see BucketBuilder.add): a superset of
   * where the route sits in any router of the lineage is enough, since removal filters by route.
   */
  #where: WeakMap<R, readonly string[]>;

  /**
   * Builds the router. Host patterns must be valid (see {@link parseHostPattern}).
   * @throws TypeError on an invalid host pattern
   */
  constructor(specs: readonly RouteSpec<R>[], built?: Built<R>) {
    if (built) {
      [this.#exact, this.#wildcard, this.#any] = built.buckets;
      this.#size = built.size;
      this.#where = built.where;
    } else {
      this.#where = new WeakMap();
      const b = new BucketBuilder<R>([new Map(), new Map(), []], this.#where);
      for (const spec of specs) b.add(spec);
      [this.#exact, this.#wildcard, this.#any] = b.finish();
      this.#size = b.rows;
    }
    Object.freeze(this);
  }

  /**
   * A router equal to `new Router(specs)` for `prev`'s routes without `removed` plus `added`,
   * built in time proportional to the buckets they touch: every other host bucket is shared
   * with `prev` (a one-route change at 10,000 routes re-sorts one bucket). `prev` is not changed
   * and stays usable (a compile that is thrown away leaves it as it was).
   * @param removed routes of `prev` that are gone or replaced
   * @param added specs of the new and replaced routes
   * @throws TypeError on an invalid host pattern
   */
  static update<R extends object>(prev: Router<R>, removed: ReadonlySet<R>, added: readonly RouteSpec<R>[]): Router<R> {
    const b = new BucketBuilder<R>([prev.#exact, prev.#wildcard, prev.#any], prev.#where);
    b.remove(removed);
    for (const spec of added) b.add(spec);
    return new Router<R>([], { buckets: b.finish(), size: prev.#size - b.removedRows + b.rows, where: prev.#where });
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
   * @param req headers, query and cookies, read only for routes with conditions (default: none)
   */
  match(method: string, host: string, path: string, req: MatchRequest = EMPTY_REQUEST): RouteMatch<R> | undefined {
    // Paths match without regard to ASCII case unless a route is case-sensitive: many upstream
    // routers (Express, ASP.NET, IIS) ignore case, so `/ADMIN/x` must meet the `/admin` route's
    // policies rather than fall through to a less protected one (case C05). Canonical paths are
    // ASCII, so lengths are unchanged.
    const lower = hasUpper(path) ? path.toLowerCase() : path;
    let best: Entry<R> | undefined;
    const exact = this.#exact.get(host);
    if (exact !== undefined) best = firstMatch(exact, method, path, lower, req);
    if (this.#wildcard.size > 0) {
      // Every suffix starting at a dot: "a.b.example.com" → ".b.example.com", ".example.com", ".com".
      for (let i = host.indexOf(".", 1); i !== -1; i = host.indexOf(".", i + 1)) {
        const list = this.#wildcard.get(host.slice(i));
        if (list === undefined) continue;
        const m = firstMatch(list, method, path, lower, req);
        if (m !== undefined && (best === undefined || compareEntries(m, best) < 0)) best = m;
      }
    }
    const m = firstMatch(this.#any, method, path, lower, req);
    if (m !== undefined && (best === undefined || compareEntries(m, best) < 0)) best = m;
    if (best?.pattern == null) return best;
    return { route: best.route, path: best.path, params: best.pattern.capture(path, lower) };
  }
}

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return true;
  }
  return false;
}

/** Buckets built by {@link Router.update} (internal). */
interface Built<R extends object> {
  readonly buckets: Buckets<R>;
  readonly size: number;
  readonly where: WeakMap<R, readonly string[]>;
}

const NO_ENTRIES: readonly Entry<never>[] = Object.freeze([]);

/**
 * Turns a router's buckets into the next router's: routes come out ({@link remove}) and go in
 * ({@link add}), then {@link finish} seals what changed. One rule holds every bucket: the first
 * touch of a bucket — by a removal or an addition, whether the bucket exists yet or not — makes
 * the builder's own mutable copy of it (empty when it did not exist), and every later touch
 * edits that copy. The maps given are never written (they belong to the previous router); a
 * bucket left empty is dropped only when sealing, so a bucket emptied by removals and refilled
 * by additions in the same update is one copy throughout (issue 13: deleting the emptied bucket
 * early left a touched id with no list to push to, and editing a host's only route crashed).
 */
class BucketBuilder<R extends object> {
  readonly #base: Buckets<R>;
  /** The buckets this update touched, by id (`e<host>`, `w<suffix>`, `a`): the builder's own copies. */
  readonly #own = new Map<string, Entry<R>[]>();
  readonly #where: WeakMap<R, readonly string[]>;
  /** (route, path) rows added. */
  rows = 0;
  /** (route, path) rows removed. */
  removedRows = 0;

  constructor(base: Buckets<R>, where: WeakMap<R, readonly string[]>) {
    this.#base = base;
    this.#where = where;
  }

  /** The builder's own copy of bucket `id`, made on first touch from the base bucket (or empty). */
  #bucket(id: string): Entry<R>[] {
    let list = this.#own.get(id);
    if (list === undefined) {
      const tag = id[0];
      const base =
        tag === "a" ? this.#base[2] : ((tag === "e" ? this.#base[0] : this.#base[1]).get(id.slice(1)) ?? NO_ENTRIES);
      list = base.slice();
      this.#own.set(id, list);
    }
    return list;
  }

  /** Takes every entry of `routes` out of the buckets they sit in. */
  remove(routes: ReadonlySet<R>): void {
    if (routes.size === 0) return;
    const ids = new Set<string>();
    for (const r of routes) for (const id of this.#where.get(r) ?? []) ids.add(id);
    const gone = new Set<Entry<R>>();
    for (const id of ids) {
      const list = this.#bucket(id);
      let kept = 0;
      for (const e of list) {
        if (routes.has(e.route)) gone.add(e);
        else list[kept++] = e;
      }
      list.length = kept;
    }
    this.removedRows += countRows(gone);
  }

  /**
   * Puts a route's entries into its buckets.
   * @throws TypeError on an invalid host pattern
   */
  add(spec: RouteSpec<R>): void {
    const paths = spec.paths.length > 0 ? spec.paths : [MATCH_ALL];
    const patterns: HostPattern[] = spec.hosts.map((h) => {
      const p = parseHostPattern(h);
      if (p === undefined) throw new TypeError(`invalid host pattern "${h}"`);
      return p;
    });
    const ids = new Set<string>(this.#where.get(spec.route));
    for (const [i, path] of paths.entries()) {
      this.rows++;
      if (patterns.length === 0) {
        this.#bucket("a").push(new Entry(spec, path, i, HOST_ANY));
        ids.add("a");
        continue;
      }
      // One entry per host kind, shared by all buckets of that kind.
      let exactEntry: Entry<R> | undefined;
      let wildEntry: Entry<R> | undefined;
      for (const p of patterns) {
        let id: string;
        let entry: Entry<R>;
        if (p.kind === "exact") {
          id = `e${p.host}`;
          exactEntry ??= new Entry(spec, path, i, HOST_EXACT);
          entry = exactEntry;
        } else {
          id = `w${p.suffix}`;
          wildEntry ??= new Entry(spec, path, i, HOST_WILDCARD);
          entry = wildEntry;
        }
        const list = this.#bucket(id);
        // A route listing the same host twice would otherwise appear twice in that bucket.
        if (list.at(-1) !== entry) list.push(entry);
        ids.add(id);
      }
    }
    // Never narrowed: a router this one derives from may still hold the route elsewhere.
    this.#where.set(spec.route, [...ids]);
  }

  /**
   * The next router's buckets: each touched bucket sorted and frozen (dropped when empty), every
   * other one shared with the base as it was.
   */
  finish(): Buckets<R> {
    const exact = new Map(this.#base[0]);
    const wildcard = new Map(this.#base[1]);
    let any = this.#base[2];
    for (const [id, list] of this.#own) {
      if (id === "a") {
        any = seal1(list);
        continue;
      }
      const map = id[0] === "e" ? exact : wildcard;
      const key = id.slice(1);
      if (list.length === 0) map.delete(key);
      else map.set(key, seal1(list));
    }
    return [exact, wildcard, any];
  }
}

/** Distinct (route, path) rows among entries (one row may sit in several host buckets as one entry). */
function countRows<R>(entries: ReadonlySet<Entry<R>>): number {
  const rows = new Set<string>();
  for (const e of entries) rows.add(`${e.key}\u0000${e.pathIndex}`);
  return rows.size;
}

/** Buckets this long or longer are searched through a {@link BucketIndex}; shorter ones are scanned. */
const INDEX_MIN = 16;

/**
 * A bucket's entries by path value (`exact`: the entries that match a whole path, exact paths
 * and trailing-slash aliases; `prefix`: prefix paths by value; `templates`: template paths as a
 * segment trie; `regex`: regex paths grouped by their literal start (PathPattern.indexKey), and
 * `scan`, those without one, tried on every lookup), so a lookup costs a few map reads per path segment instead
 * of a scan of the bucket: a host holding 1,200 routes (GitHub's REST API) took ~14 µs per hit
 * and ~50 µs per miss scanned (bench/micro/route-match.mjs). Each list keeps bucket (precedence)
 * order. Built once per sealed bucket array; arrays are frozen and replaced on change, so the
 * index of an array never goes stale.
 */
class BucketIndex<R> {
  readonly exact = new Map<string, Entry<R>[]>();
  readonly prefix = new Map<string, Entry<R>[]>();
  readonly templates: TemplateTrie<Entry<R>> | null;
  readonly regex = new Map<string, RegexGroup<Entry<R>>>();
  readonly scan: RegexGroup<Entry<R>> | null;

  constructor(list: readonly Entry<R>[]) {
    const templates: Entry<R>[] = [];
    const regex = new Map<string, Entry<R>[]>();
    const scan: Entry<R>[] = [];
    for (const e of list) {
      if (e.pattern?.segments != null) templates.push(e);
      else if (e.pattern !== null) {
        const key = e.pattern.indexKey;
        if (key === null) scan.push(e);
        else add(regex, key, e);
      } else add(e.whole ? this.exact : this.prefix, e.value, e);
    }
    this.templates = templates.length > 0 ? new TemplateTrie(templates) : null;
    for (const [k, group] of regex) this.regex.set(k, new RegexGroup(group));
    this.scan = scan.length > 0 ? new RegexGroup(scan) : null;
  }
}

function add<E>(map: Map<string, E[]>, key: string, e: E): void {
  const same = map.get(key);
  if (same === undefined) map.set(key, [e]);
  else same.push(e);
}

const indexes = new WeakMap<readonly Entry<object>[], BucketIndex<object>>();

/** The index of a sealed bucket (built on first use). */
function indexOf<R>(list: readonly Entry<R>[]): BucketIndex<R> {
  let idx = indexes.get(list as readonly Entry<object>[]) as BucketIndex<R> | undefined;
  if (idx === undefined) {
    idx = new BucketIndex(list);
    indexes.set(list as readonly Entry<object>[], idx as BucketIndex<object>);
  }
  return idx;
}

/** The first entry of `list` (bucket order) that matches, or undefined. */
function firstIn<R>(
  list: readonly Entry<R>[] | undefined,
  method: string,
  path: string,
  lower: string,
  req: MatchRequest,
): Entry<R> | undefined {
  if (list === undefined) return undefined;
  for (const e of list) if (e.matches(method, path, lower, req)) return e;
  return undefined;
}

/** The winner of two candidates by precedence (either may be missing). */
function better<R>(a: Entry<R> | undefined, b: Entry<R> | undefined): Entry<R> | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareEntries(a, b) <= 0 ? a : b;
}

/**
 * The best prefix entry for `cmp` (the path or its lower-case form). A prefix value `v` matches
 * only at a segment boundary (Entry.matches), so `v` is `cmp` itself, or `cmp` cut just before or
 * just after one of its slashes: those are the only keys to read.
 */
function bestPrefix<R>(
  prefix: ReadonlyMap<string, Entry<R>[]>,
  cmp: string,
  method: string,
  path: string,
  lower: string,
  req: MatchRequest,
): Entry<R> | undefined {
  return atBoundaries(cmp, (k) => firstIn(prefix.get(k), method, path, lower, req));
}

/** The best of `at(key)` over `cmp` and `cmp` cut just before or after each of its slashes. */
function atBoundaries<R>(cmp: string, at: (key: string) => Entry<R> | undefined): Entry<R> | undefined {
  let best = at(cmp);
  for (let j = cmp.indexOf("/"); j !== -1; j = cmp.indexOf("/", j + 1)) {
    if (j > 0) best = better(best, at(cmp.slice(0, j)));
    if (j + 1 < cmp.length) best = better(best, at(cmp.slice(0, j + 1)));
  }
  return best;
}

/**
 * The first entry of a sorted bucket that matches: a scan for short buckets, else the best of
 * the index's candidates (every entry that can match is among them: exact values equal to the
 * path or its lower-case form, prefix values at its segment boundaries; Entry.matches decides).
 */
function firstMatch<R>(
  list: readonly Entry<R>[],
  method: string,
  path: string,
  lower: string,
  req: MatchRequest,
): Entry<R> | undefined {
  if (list.length < INDEX_MIN) return firstIn(list, method, path, lower, req);
  const idx = indexOf(list);
  let best = firstIn(idx.exact.get(lower), method, path, lower, req);
  if (path !== lower) best = better(best, firstIn(idx.exact.get(path), method, path, lower, req));
  if (idx.templates !== null) best = better(best, idx.templates.first(method, path, lower, req, better));
  if (idx.scan !== null) best = better(best, idx.scan.first(method, path, lower, req));
  if (idx.regex.size > 0) {
    const at = (k: string) => idx.regex.get(k)?.first(method, path, lower, req);
    best = better(best, atBoundaries(lower, at));
    if (path !== lower) best = better(best, atBoundaries(path, at));
  }
  if (idx.prefix.size === 0) return best;
  best = better(best, bestPrefix(idx.prefix, lower, method, path, lower, req));
  if (path !== lower) best = better(best, bestPrefix(idx.prefix, path, method, path, lower, req));
  return best;
}

/**
 * Sorts and freezes a bucket, and indexes it now (at compile) when it is long enough. Every
 * entry's trailing-slash alias joins the bucket here (once: a bucket copied from a sealed one
 * already holds the aliases of its entries).
 */
function seal1<R>(list: Entry<R>[]): readonly Entry<R>[] {
  let have: Set<Entry<R>> | undefined;
  for (let i = 0, n = list.length; i < n; i++) {
    const other = list[i]!.other;
    if (other === null) continue;
    have ??= new Set(list);
    if (!have.has(other)) {
      have.add(other);
      list.push(other);
    }
  }
  const sealed = Object.freeze(list.sort(compareEntries));
  if (sealed.length >= INDEX_MIN) indexOf(sealed);
  return sealed;
}
