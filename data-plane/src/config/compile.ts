import type { Policy, Route, Snapshot } from "@palisade/proto";
import { FieldNameSet } from "../http/bytes.js";
import { HOP_BY_HOP_FIELDS } from "../http/headers.js";
import { ConsumerIndex, ConsumerIndexError } from "../policies/auth/consumers.js";
import type { Policy as PolicyInstance } from "../policies/contract.js";
import { PolicyConfigError, type PolicyContext } from "../policies/factory.js";
import {
  createPolicy,
  createPolicyResources,
  type PolicyResources,
  policyDependencies,
  policyTypeOf,
  policyUpstreamIds,
} from "../policies/registry.js";
import type { WafPolicies } from "../policies/waf/waf-instances.js";
import { parseHostPattern } from "../router/host.js";
import { normalizePath } from "../router/path.js";
import { type PathSpec, Router, type RouteSpec } from "../router/router.js";
import { compileCertificates, SecureContextCache } from "../tls/compile-certificates.js";
import { overrideTimeouts } from "../upstream/timeouts.js";
import { UpstreamRuntime } from "../upstream/upstream-runtime.js";
import { compileAnomaly } from "./compile-anomaly.js";
import { CompileError } from "./compile-error.js";
import { compilePathRules, routeBodyLimit } from "./compile-path-rules.js";
import { compileTelemetry } from "./compile-telemetry.js";
import { compileUpstream, withConnectTimeout } from "./compile-upstream.js";
import { type CompiledWaf, compileRuleSets, compileWaf, type RouteWaf, WafCache } from "./compile-waf.js";
import { HostPolicies } from "./host-policies.js";
import type { CompiledRoute, CompiledUpstream, RouteHooks, RouteUpstream, RuntimeTable } from "./runtime-table.js";

/** Inputs of {@link compile} besides the snapshot. */
export interface CompileOptions {
  /** Policy types this node enforces (`--policies`); any other type refuses the snapshot. */
  readonly policyTypes: ReadonlySet<string>;
  /** Long-lived resources policies share across compiles (remote JWKS fetchers). Default: fresh. */
  readonly resources?: PolicyResources;
  /** Warn sink handed to policies (e.g. JWKS fetch failures at request time). Default: none. */
  readonly warn?: PolicyContext["warn"];
  /**
   * The table compiled from the previous config. Resources whose message object is the same as
   * the one that table was compiled from (a delta keeps unchanged resources' messages) are
   * reused instead of compiled again, with the routes that depend on them, and the router is
   * updated bucket by bucket. The result equals a compile from scratch.
   */
  readonly previous?: RuntimeTable;
  /**
   * With `previous`: the ids of the routes added, changed or removed since the config it was
   * compiled from, when the caller knows them (a delta; `ConfigState.touched(4)`). The caller
   * asserts that every other route is the same message object as before and that both route
   * lists are ordered by id; compile then touches only these routes instead of walking all of
   * them. Ignored when an upstream, policy or consumer changed.
   */
  readonly changedRoutes?: ReadonlySet<string>;
  /**
   * Compiled policies to use for these policy ids instead of building them from their config:
   * policies written against the contract (policies/contract.ts) outside the registry — the
   * reference policies of the loop's tests. The snapshot's policy of that id is still checked
   * (type known and enabled). Default: none.
   */
  readonly instances?: ReadonlyMap<string, PolicyInstance>;
  /** TLS contexts reused across compiles (certificates that did not change). Default: fresh. */
  readonly tlsContexts?: SecureContextCache;
  /** WAF rule sets parsed and compiled by content hash and settings, reused across compiles. Default: fresh. */
  readonly waf?: WafCache;
  /**
   * Upstream state that outlives tables (target health, in-flight counters). Default: fresh.
   * With `previous`, pass the runtime that table was compiled with (reused upstreams keep it).
   */
  readonly upstreams?: UpstreamRuntime;
}

// RFC 9110 §9.1 method = token; configured methods are upper case.
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Z]+$/;

const noWarn: PolicyContext["warn"] = () => {};

/**
 * Compiles a snapshot into the table a node serves from: the router, each route's policy chain
 * and the upstream pool descriptors. Pure: no I/O (a `jwks_url` is fetched at request time) and
 * no pools are opened (the PoolManager opens them lazily); certificates are parsed into TLS
 * contexts (CPU only). All or nothing: any error refuses the whole snapshot. Checks, in order:
 * upstreams, consumers (credentials indexed; an identity owned twice is refused), policies
 * (every one, used or not; `auth-any` after its members), routes, certificates. Route ties after
 * priority, match kind, path length and host go to the smaller route id (snapshots list routes
 * by id). The table also lists every identity header a policy asserts, which the proxy removes
 * from client requests on every route, and the host names that require a client certificate
 * (host-policies.ts), which every route serving them enforces and the SNI table asks for at the
 * handshake. With `previous`, only what changed is compiled (see
 * {@link CompileOptions.previous}); every check still covers the whole snapshot. Policies hold
 * the consumer index, so a change to any consumer recompiles every policy (and the routes using
 * them). Each route's chain is the global policies, then the route's own (a CORS
 * preflight chain beside it); a change to the global policies or the request settings recompiles
 * every route.
 *
 * @returns a frozen {@link RuntimeTable}
 * @throws CompileError with `code` POLICY_TYPE_UNKNOWN (policy oneof unset: version skew),
 *   POLICY_TYPE_UNSUPPORTED (type not enabled on this node), REFERENCE_MISSING (a route names a
 *   missing upstream or policy), POLICY_INVALID (bad policy config) or RESOURCE_INVALID (bad or
 *   duplicate route/upstream, a certificate whose key does not fit or whose SNI names are bad or
 *   taken twice), and `resource` like `route/echo`, `policy/jwt-demo` or `certificate/api`
 */
export function compile(snapshot: Snapshot, opts: CompileOptions): RuntimeTable {
  const resources = opts.resources ?? createPolicyResources();
  const warn = opts.warn ?? noWarn;

  const runtime = opts.upstreams ?? new UpstreamRuntime();
  const prev = opts.previous;
  // Whether any upstream or policy differs from the previous table's (else reused routes keep theirs).
  let depsChanged = prev === undefined;
  const upstreams = new Map<string, CompiledUpstream>();
  for (const u of snapshot.upstreams) {
    checkId(u.id, "upstream", upstreams);
    const old = prev?.upstreams.get(u.id);
    const reuse = old !== undefined && old.source === u;
    if (!reuse) depsChanged = true;
    upstreams.set(u.id, reuse ? old : compileUpstream(u, runtime));
  }
  if (prev !== undefined && prev.upstreams.size !== upstreams.size) depsChanged = true;

  // The consumer index is kept when every consumer is the same message object as before.
  const consumersSame = prev !== undefined && sameList(prev.consumerSources, snapshot.consumers);
  let consumers: ConsumerIndex;
  if (consumersSame) consumers = prev.consumers;
  else {
    try {
      consumers = new ConsumerIndex(snapshot.consumers);
    } catch (err) {
      if (err instanceof ConsumerIndexError) throw new CompileError("RESOURCE_INVALID", err.message, err.resource);
      throw err;
    }
  }

  const policies = new Map<string, PolicyInstance>();
  const policySources = new Map<string, Policy>();
  for (const p of snapshot.policies) {
    checkId(p.id, "policy", policySources);
    policySources.set(p.id, p);
  }
  // WAF (issue 14): rule sets and waf policies, compiled once per content hash and settings.
  const wafCache = opts.waf ?? new WafCache();
  const ruleSets = compileRuleSets(snapshot.ruleSets, prev?.ruleSets, wafCache);
  const wafPolicies = new Map<string, CompiledWaf>();
  for (const p of snapshot.policies) {
    if (p.config.case !== "waf") continue;
    if (!opts.policyTypes.has("waf"))
      throw new CompileError(
        "POLICY_TYPE_UNSUPPORTED",
        'policy type "waf" is not enabled on this node',
        `policy/${p.name || p.id}`,
      );
    const old = prev?.wafPolicies.get(p.id);
    const reuse = old !== undefined && old.source === p && old.ruleSet === ruleSets.get(p.config.value.ruleSetId);
    if (!reuse) depsChanged = true;
    wafPolicies.set(p.id, reuse ? old : compileWaf(p, ruleSets, wafCache));
  }
  if (prev !== undefined && prev.wafPolicies.size !== wafPolicies.size) depsChanged = true;
  // Policies built from others (auth-any) come after every plain one; waf policies are compiled above.
  const requestPolicies = snapshot.policies.filter((p) => p.config.case !== "waf");
  const ordered = [
    ...requestPolicies.filter((p) => policyDependencies(p).length === 0),
    ...requestPolicies.filter((p) => policyDependencies(p).length > 0),
  ];
  for (const p of ordered) {
    const deps = policyDependencies(p);
    for (const dep of deps) {
      const target = policySources.get(dep);
      if (target === undefined) {
        throw new CompileError("REFERENCE_MISSING", `policy "${dep}" does not exist`, `policy/${p.name || p.id}`);
      }
      if (policyDependencies(target).length > 0) {
        throw new CompileError("POLICY_INVALID", `member "${dep}" is itself a combination`, `policy/${p.name || p.id}`);
      }
    }
    const routed = policyUpstreamIds(p);
    for (const u of routed)
      if (!upstreams.has(u))
        throw new CompileError("REFERENCE_MISSING", `upstream "${u}" does not exist`, `policy/${p.name || p.id}`);
    // Reused when its message, the consumers, (auth-any) every member instance and (canary,
    // mirror) every upstream it sends to are unchanged.
    const old =
      consumersSame &&
      prev.policySources.get(p.id) === p &&
      deps.every((d) => policies.get(d) === prev.policies.get(d)) &&
      routed.every((u) => upstreams.get(u) === prev.upstreams.get(u))
        ? prev.policies.get(p.id)
        : undefined;
    if (old === undefined) depsChanged = true;
    const built = old ?? compilePolicy(p, opts.policyTypes, resources, warn, consumers, policies, upstreams);
    policies.set(p.id, opts.instances?.get(p.id) ?? built);
  }
  if (prev !== undefined && prev.policies.size !== policies.size) depsChanged = true;
  const identityHeaders = new Set<string>();
  for (const p of policies.values()) for (const h of p.traits.identityHeaders ?? []) identityHeaders.add(h);
  const requestDrop =
    prev !== undefined && sameList(prev.identityHeaders, [...identityHeaders])
      ? prev.requestDrop
      : new FieldNameSet([...REQUEST_DROP, ...identityHeaders]);

  // Settings travel as the `settings` resource (field 11) over fleet sync; fields 9 and 10 are
  // the same values in snapshots built whole (config files, tests).
  const carried = snapshot.settings[0];
  const global: PolicyInstance[] = [];
  let globalWaf: CompiledWaf | null = null;
  for (const id of carried ? carried.globalPolicyIds : snapshot.globalPolicyIds) {
    const waf = wafPolicies.get(id);
    if (waf !== undefined) {
      if (globalWaf !== null)
        throw new CompileError(
          "RESOURCE_INVALID",
          `policy "${id}": the global policies take one waf policy`,
          "global_policies",
        );
      globalWaf = waf;
      continue;
    }
    const p = policies.get(id);
    if (p === undefined)
      throw new CompileError("REFERENCE_MISSING", `policy "${id}" does not exist`, "global_policies");
    if (global.includes(p))
      throw new CompileError("RESOURCE_INVALID", `policy "${id}" is listed twice`, "global_policies");
    if (p.traits.routeOnly === true)
      throw new CompileError("RESOURCE_INVALID", `policy "${id}" (${p.type}) is route-level`, "global_policies");
    global.push(p);
  }
  const mergeSlashesDefault = (carried ? carried.requestSettings : snapshot.requestSettings)?.mergeSlashes ?? false;
  // Every route's chain starts with the global policies: when the list or the default changes,
  // no route is reused.
  const settingsChanged =
    prev !== undefined &&
    (prev.mergeSlashesDefault !== mergeSlashesDefault ||
      !sameList(prev.globalPolicies, global) ||
      prev.globalWaf !== globalWaf);
  const routePrev = settingsChanged ? undefined : prev;
  const ctx: RouteContext = {
    upstreams,
    policies,
    global,
    mergeSlashesDefault,
    wafPolicies,
    globalWaf,
    wafInstances: resources.waf,
  };

  const hinted =
    routePrev !== undefined && opts.changedRoutes !== undefined && !depsChanged
      ? compileChangedRoutes(snapshot.routes, routePrev, opts.changedRoutes, ctx)
      : undefined;
  const { routeList, added, removed } = hinted ?? compileRoutes(snapshot.routes, routePrev, ctx, depsChanged);
  const router =
    routePrev === undefined || removed === undefined
      ? new Router(added)
      : Router.update(routePrev.router, removed, added);
  let anyMerge = false;
  let anyEncoded = false;
  const allowEncoded = new Set<number>();
  for (const r of routeList) {
    anyMerge ||= r.mergeSlashes;
    anyEncoded ||= r.allowEncodedSlashes;
    for (const b of r.allowEncoded) allowEncoded.add(b);
  }
  const settings = carried ? carried.requestSettings : snapshot.requestSettings;
  const maxBodyBytes = routeBodyLimit(settings?.maxBodyBytes, "max_body_bytes", (msg) => {
    return new CompileError("RESOURCE_INVALID", msg, "settings/global");
  });

  // mTLS host names come from every route; they are rebuilt only when a policy changed or a
  // route with an mtls policy came or went (otherwise the previous table's are still exact).
  const hostPolicies =
    prev !== undefined &&
    !depsChanged &&
    removed !== undefined &&
    !added.some((s) => hasMtls(s.route)) &&
    ![...removed].some(hasMtls)
      ? prev.hostPolicies
      : HostPolicies.build(routeList.map((r) => ({ hosts: r.source.hosts, policies: r.policies })));

  // The SNI table asks for a client certificate at the handshake for these names.
  const tls = compileCertificates(snapshot.certificates, opts.tlsContexts ?? new SecureContextCache(), hostPolicies);

  const poolKeys = new Set<string>();
  for (const u of upstreams.values()) for (const t of u.targets) poolKeys.add(t.pool.key);
  for (const r of routeList) {
    for (const p of r.poolSpecs ?? []) poolKeys.add(p.key);
    for (const a of r.alternates.values()) for (const p of a.poolSpecs ?? []) poolKeys.add(p.key);
  }

  const telemetry = compileTelemetry(snapshot.telemetry[0], prev?.telemetry);
  const anomaly = compileAnomaly(snapshot.anomaly[0], prev?.anomaly);
  const wafKeys = new Set<string>();
  for (const w of wafPolicies.values()) for (const k of w.keys) wafKeys.add(k);

  let byId: Map<string, CompiledRoute> | undefined;
  return Object.freeze({
    version: snapshot.version,
    hash: snapshot.hash,
    router,
    get routes(): ReadonlyMap<string, CompiledRoute> {
      byId ??= new Map(routeList.map((r) => [r.id, r]));
      return byId;
    },
    routeList,
    upstreams,
    policies,
    policySources,
    consumers,
    consumerSources: snapshot.consumers,
    globalPolicies: Object.freeze(global),
    mergeSlashesDefault,
    globalHooks: hooksOf(global),
    pathOptions: Object.freeze({
      mergeSlashes: anyMerge,
      allowEncodedSlashes: anyEncoded,
      ...(allowEncoded.size > 0 ? { allowEncoded: Object.freeze(allowEncoded) } : {}),
    }),
    maxBodyBytes,
    identityHeaders: Object.freeze([...identityHeaders]),
    requestDrop,
    hostPolicies,
    poolKeys,
    sni: tls.sni,
    tlsContextKeys: tls.contextKeys,
    telemetry,
    anomaly,
    ruleSets,
    wafPolicies,
    globalWaf,
    wafKeys,
  });
}

/** Whether two lists hold the same objects in the same order. */
function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether a route's chain requires a client certificate (it makes its hosts mTLS names). */
function hasMtls(r: CompiledRoute): boolean {
  return r.policies.some((p) => p.traits.clientCertificate !== undefined);
}

/**
 * The client's fields the node never forwards upstream: hop-by-hop (RFC 9110 §7.6.1), `Host`
 * (the target's, or the checked authority with `preserve_host`), `Expect` (answered here), and
 * the forwarding and consumer headers the node sets itself from the canonical view, and the trace
 * context it re-writes.
 */
export const REQUEST_DROP: readonly string[] = Object.freeze([
  ...HOP_BY_HOP_FIELDS,
  "host",
  "expect",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "x-forwarded-port",
  "x-forwarded-prefix",
  "x-real-ip",
  "x-request-id",
  "x-consumer-id",
  "x-consumer-name",
  "via",
  // W3C Trace Context: the node sends its own (same trace, its span as the parent; a client's
  // invalid one never reaches the upstream), telemetry/trace-context.ts.
  "traceparent",
  "tracestate",
]);

const NO_POLICIES: readonly PolicyInstance[] = Object.freeze([]);

/** The policies of a chain that have each hook, in chain order (the loop walks only these). */
function hooksOf(chain: readonly PolicyInstance[]): RouteHooks {
  const having = (has: (p: PolicyInstance) => boolean) => {
    const list = chain.filter(has);
    return list.length === 0 ? NO_POLICIES : Object.freeze(list);
  };
  let inspectRequestBytes = 0;
  let inspectResponseBytes = 0;
  for (const p of chain) {
    const req = p.traits.inspectsRequestBody?.maxBytes ?? 0;
    if (p.requestBody !== undefined && req > inspectRequestBytes) inspectRequestBytes = req;
    const res = p.traits.inspectsResponseBody?.maxBytes ?? 0;
    if (p.responseBody !== undefined && res > inspectResponseBytes) inspectResponseBytes = res;
  }
  return Object.freeze({
    requestHeaders: having((p) => p.requestHeaders !== undefined),
    requestBody: having((p) => p.requestBody !== undefined && p.traits.inspectsRequestBody !== undefined),
    upstreamRequest: having((p) => p.upstreamRequest !== undefined),
    responseHeaders: having((p) => p.responseHeaders !== undefined),
    responseBody: having((p) => p.responseBody !== undefined && p.traits.inspectsResponseBody !== undefined),
    log: having((p) => p.log !== undefined),
    inspectRequestBytes,
    inspectResponseBytes,
  });
}

/**
 * A route's body limit from its policies' `maxRequestBodyBytes` (the smallest) and its own
 * `max_body_bytes` (see CompiledRoute.bodyLimit): -1 none, `null` to follow the table's default.
 */
function routeBodyLimitOf(chain: readonly PolicyInstance[], own: number | null): number | null {
  let limit = -1;
  for (const p of chain) {
    const m = p.traits.maxRequestBodyBytes;
    if (m !== undefined && (limit < 0 || m < limit)) limit = m;
  }
  if (own !== null) return own > 0 && (limit < 0 || own < limit) ? own : limit;
  return limit >= 0 ? limit : null;
}

/**
 * Compiles the routes. With a previous table whose routes and the new ones are both ordered by id
 * (a ConfigState's snapshot), the two lists are walked side by side: a route whose message object
 * is unchanged, with the same compiled upstream and policies, is reused; the others are compiled
 * and the replaced or gone ones are returned as `removed` (no map of all routes is built).
 * Otherwise every route is compiled and duplicates are found with a set.
 * @returns the compiled routes in snapshot order, the specs of those compiled now (sparse,
 *   indexed like the snapshot), and the previous routes that are gone (undefined: no reuse)
 */
function compileRoutes(
  list: readonly Route[],
  prev: RuntimeTable | undefined,
  ctx: RouteContext,
  depsChanged: boolean,
): { routeList: CompiledRoute[]; added: RouteSpec<CompiledRoute>[]; removed: Set<CompiledRoute> | undefined } {
  // Sized once: a delta at 10,000 routes must not regrow an array of all routes.
  const routeList: CompiledRoute[] = new Array(list.length);
  const added: RouteSpec<CompiledRoute>[] = [];
  const fresh = (r: Route, i: number) => {
    const spec = compileRoute(r, ctx);
    routeList[i] = spec.route;
    added.push(spec);
  };
  if (prev === undefined || !sortedById(list)) {
    const seen = new Set<string>();
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!;
      checkRouteId(r.id, seen.has(r.id));
      seen.add(r.id);
      fresh(r, i);
    }
    return { routeList, added, removed: undefined };
  }
  const old = prev.routeList;
  const removed = new Set<CompiledRoute>();
  let j = 0;
  for (let i = 0; i < list.length; i++) {
    const r = list[i]!;
    let o = old[j];
    // The common case: the same message at the next position, nothing it depends on changed.
    if (o !== undefined && o.source === r) {
      j++;
      if (!depsChanged || sameDeps(o, r, ctx)) {
        routeList[i] = o;
        continue;
      }
      removed.add(o);
      fresh(r, i);
      continue;
    }
    if (r.id === "" || (i > 0 && list[i - 1]!.id === r.id)) checkRouteId(r.id, true);
    // Previous routes with smaller ids are gone.
    while (o !== undefined && o.id < r.id) {
      removed.add(o);
      o = old[++j];
    }
    if (o !== undefined && o.id === r.id) {
      j++;
      removed.add(o);
    }
    fresh(r, i);
  }
  while (j < old.length) removed.add(old[j++]!);
  return { routeList, added, removed };
}

/**
 * The `changedRoutes` path: the previous route list copied (a pointer copy), then each changed
 * id found by binary search and replaced, inserted or removed.
 * @returns undefined when the hint does not fit the snapshot (the caller walks instead)
 */
function compileChangedRoutes(
  list: readonly Route[],
  prev: RuntimeTable,
  changed: ReadonlySet<string>,
  ctx: RouteContext,
): { routeList: CompiledRoute[]; added: RouteSpec<CompiledRoute>[]; removed: Set<CompiledRoute> } | undefined {
  const routeList = prev.routeList.slice();
  const added: RouteSpec<CompiledRoute>[] = [];
  const removed = new Set<CompiledRoute>();
  for (const id of [...changed].sort()) {
    const at = search(list, id);
    const r = list[at]?.id === id ? list[at] : undefined;
    if (r !== undefined) checkRouteId(id, list[at - 1]?.id === id || list[at + 1]?.id === id);
    const k = search(routeList, id);
    const old = routeList[k]?.id === id ? routeList[k] : undefined;
    if (old !== undefined) removed.add(old);
    if (r === undefined) {
      if (old !== undefined) routeList.splice(k, 1);
      continue;
    }
    const spec = compileRoute(r, ctx);
    added.push(spec);
    if (old !== undefined) routeList[k] = spec.route;
    else routeList.splice(k, 0, spec.route);
  }
  if (routeList.length !== list.length) return undefined;
  return { routeList, added, removed };
}

/** Binary search by id in a list ordered by id: the index of `id`, or where it would go. */
function search(list: readonly { readonly id: string }[], id: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sortedById(list: readonly Route[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i - 1]!.id > list[i]!.id) return false;
  return true;
}

function checkRouteId(id: string, duplicate: boolean): void {
  if (id === "") throw new CompileError("RESOURCE_INVALID", "route without an id", "route/");
  if (duplicate) throw new CompileError("RESOURCE_INVALID", `duplicate route id "${id}"`, `route/${id}`);
}

/** Whether a reused route still points at the same compiled upstream, policies and WAF. */
function sameDeps(old: CompiledRoute, r: Route, ctx: RouteContext): boolean {
  if (old.upstream !== ctx.upstreams.get(r.upstreamId)) return false;
  if (old.waf !== routeWaf(r, ctx)) return false;
  const chain = chainOf(r, ctx);
  if (chain === undefined || chain.length !== old.policies.length) return false;
  for (let i = 0; i < chain.length; i++) if (old.policies[i] !== chain[i]) return false;
  return true;
}

/** What compiling a route needs besides the route. */
interface RouteContext {
  readonly upstreams: ReadonlyMap<string, CompiledUpstream>;
  readonly policies: ReadonlyMap<string, PolicyInstance>;
  /** The global policies, in order (they run before every route's own). */
  readonly global: readonly PolicyInstance[];
  /** `RequestSettings.merge_slashes`: a route without its own `merge_slashes` follows it. */
  readonly mergeSlashesDefault: boolean;
  /** Waf policies by id, and the global one (a route's own replaces it). */
  readonly wafPolicies: ReadonlyMap<string, CompiledWaf>;
  readonly globalWaf: CompiledWaf | null;
  /** The waf policy instance of each compiled route WAF (the last link of a chain that runs one). */
  readonly wafInstances: WafPolicies;
}

/** The WAF route `r` runs: its own waf policy's (the first listed), else the global one's; null without. */
function routeWaf(r: Route, ctx: RouteContext): RouteWaf | null {
  for (const id of r.policyIds) {
    const w = ctx.wafPolicies.get(id);
    if (w !== undefined) return w.forRoute(r.id);
  }
  return ctx.globalWaf?.forRoute(r.id) ?? null;
}

/**
 * A route's chain (global policies, then its own not already global, then its WAF's instance);
 * undefined when a policy is missing.
 */
function chainOf(r: Route, ctx: RouteContext): PolicyInstance[] | undefined {
  const chain = [...ctx.global];
  for (const id of r.policyIds) {
    if (ctx.wafPolicies.has(id)) continue;
    const p = ctx.policies.get(id);
    if (p === undefined) return undefined;
    if (!ctx.global.includes(p)) chain.push(p);
  }
  const waf = routeWaf(r, ctx);
  if (waf !== null) chain.push(ctx.wafInstances.instance(waf));
  return chain;
}

function checkId(id: string, kind: string, seen: ReadonlyMap<string, unknown>): void {
  if (id === "") throw new CompileError("RESOURCE_INVALID", `${kind} without an id`, `${kind}/`);
  if (seen.has(id)) throw new CompileError("RESOURCE_INVALID", `duplicate ${kind} id "${id}"`, `${kind}/${id}`);
}

function compilePolicy(
  p: Policy,
  enabled: ReadonlySet<string>,
  resources: PolicyResources,
  warn: PolicyContext["warn"],
  consumers: ConsumerIndex,
  built: ReadonlyMap<string, PolicyInstance>,
  upstreams: ReadonlyMap<string, CompiledUpstream>,
): PolicyInstance {
  const resource = `policy/${p.name || p.id}`;
  const type = policyTypeOf(p);
  if (type === undefined) {
    throw new CompileError(
      "POLICY_TYPE_UNKNOWN",
      "policy type not known to this node's build (newer control plane?)",
      resource,
    );
  }
  if (!enabled.has(type)) {
    throw new CompileError("POLICY_TYPE_UNSUPPORTED", `policy type "${type}" is not enabled on this node`, resource);
  }
  try {
    return createPolicy(p, { id: p.id, warn, consumers, upstreams }, resources, built);
  } catch (err) {
    if (err instanceof PolicyConfigError) throw new CompileError("POLICY_INVALID", err.message, resource);
    throw err;
  }
}

function compileRoute(r: Route, ctx: RouteContext): RouteSpec<CompiledRoute> {
  const { upstreams, policies, global, mergeSlashesDefault } = ctx;
  const resource = `route/${r.name || r.id}`;
  const bad = (msg: string) => new CompileError("RESOURCE_INVALID", msg, resource);
  if (r.upstreamId === "") throw bad("upstream_id is required");
  const upstream = upstreams.get(r.upstreamId);
  if (upstream === undefined) {
    throw new CompileError("REFERENCE_MISSING", `upstream "${r.upstreamId}" does not exist`, resource);
  }
  const own: PolicyInstance[] = [];
  let ownWaf = false;
  for (const id of r.policyIds) {
    if (ctx.wafPolicies.has(id)) {
      if (ownWaf) throw bad(`policy "${id}": a route takes one waf policy`);
      ownWaf = true;
      continue;
    }
    const p = policies.get(id);
    if (p === undefined) throw new CompileError("REFERENCE_MISSING", `policy "${id}" does not exist`, resource);
    if (own.includes(p)) throw bad(`policy "${id}" is listed twice`);
    if (p.traits.routeOnly === true && own.some((o) => o.type === p.type))
      throw bad(`a route takes one ${p.type} policy`);
    own.push(p);
  }
  // Global policies run first; a route listing a global policy again does not run it twice. The
  // route's WAF runs last (issue 14): the cheap refusals (addresses, rate limits, credentials)
  // come first, so the rule set's CPU is spent only on requests that would reach the upstream.
  const waf = routeWaf(r, ctx);
  const chain = [...global, ...own.filter((p) => !global.includes(p))];
  if (waf !== null) chain.push(ctx.wafInstances.instance(waf));
  for (const h of r.hosts)
    if (parseHostPattern(h) === undefined) throw bad(`hosts: "${h}" is not a valid host pattern`);
  const methods = r.methods.map((m) => m.toUpperCase());
  for (const m of methods) if (!METHOD.test(m)) throw bad(`methods: "${m}" is not an HTTP method`);
  const paths: PathSpec[] = r.paths.map((p, i) => {
    if (p.kind.case === undefined) throw bad(`paths[${i}]: neither exact nor prefix is set`);
    const value = normalizePath(p.kind.value);
    if (value === undefined) {
      throw bad(`paths[${i}]: "${p.kind.value}" must start with "/" and have no dot or empty segment`);
    }
    return Object.freeze({ kind: p.kind.case, value });
  });
  let prefixRewrite: string | null = null;
  if (r.prefixRewrite !== "") {
    if (r.stripPrefix) throw bad('prefix_rewrite: not with strip_prefix (strip_prefix is prefix_rewrite "/")');
    const value = normalizePath(r.prefixRewrite);
    if (value === undefined) {
      throw bad(`prefix_rewrite: "${r.prefixRewrite}" must start with "/" and have no dot or empty segment`);
    }
    prefixRewrite = value;
  }
  const rules = compilePathRules(r, bad);
  const maxBodyBytes = routeBodyLimit(r.maxBodyBytes, "max_body_bytes", bad);
  const { timeouts, poolSpecs } = routeUpstream(upstream, r);
  const alternates = new Map<string, RouteUpstream>();
  for (const p of own)
    for (const id of p.traits.routesTo ?? []) {
      const u = upstreams.get(id);
      if (u === undefined) throw new CompileError("REFERENCE_MISSING", `upstream "${id}" does not exist`, resource);
      if (u !== upstream && !alternates.has(u.id)) alternates.set(u.id, routeUpstream(u, r));
    }
  const route: CompiledRoute = Object.freeze({
    id: r.id,
    name: r.name,
    resource,
    upstream,
    policies: Object.freeze(chain),
    preflight: preflightChain(chain),
    hooks: hooksOf(chain),
    bodyLimit: routeBodyLimitOf(chain, maxBodyBytes),
    stripPrefix: r.stripPrefix,
    source: r,
    prefixRewrite,
    preserveHost: r.preserveHost,
    timeouts,
    poolSpecs,
    mergeSlashes: r.mergeSlashes ?? mergeSlashesDefault,
    allowEncodedSlashes: r.allowEncodedSlashes,
    allowEncoded: rules.allowEncoded,
    refuseEncoded: rules.refuseEncoded,
    maxBodyBytes,
    alternates,
    waf,
  });
  return {
    route,
    key: r.id,
    hosts: r.hosts,
    paths,
    methods,
    priority: r.priority,
    caseSensitive: r.caseSensitive,
    strictTrailingSlash: r.strictTrailingSlash,
  };
}

/**
 * An upstream as route `r` uses it: its timeouts with the route's overrides, and pool specs with
 * the route's connect timeout when that differs from the upstream's (else `null`: the targets' own).
 */
function routeUpstream(u: CompiledUpstream, r: Route): RouteUpstream {
  const timeouts = overrideTimeouts(u.timeouts, r.timeouts);
  const poolSpecs =
    timeouts.connectMs === u.timeouts.connectMs
      ? null
      : Object.freeze(u.targets.map((t) => withConnectTimeout(t.pool, timeouts.connectMs)));
  return Object.freeze({ upstream: u, timeouts, poolSpecs });
}

/** The chain a CORS preflight runs (see CompiledRoute.preflight). */
function preflightChain(chain: readonly PolicyInstance[]): readonly PolicyInstance[] | null {
  const at = chain.findIndex((p) => p.traits.answersPreflight === true);
  if (at === -1) return null;
  return Object.freeze(
    chain.slice(0, at + 1).filter((p) => p.traits.authenticates === undefined && p.requestHeaders !== undefined),
  );
}
