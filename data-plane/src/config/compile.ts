import type { Policy, Route, Snapshot } from "@palisade/proto";
import { ConsumerIndex, ConsumerIndexError } from "../policies/auth/consumers.js";
import {
  AUTHENTICATION_POLICY_TYPES,
  createPolicy,
  createPolicyResources,
  type PolicyResources,
  policyDependencies,
  policyTypeOf,
} from "../policies/registry.js";
import { PolicyConfigError, type PolicyContext, type PolicyInstance } from "../policies/types.js";
import { parseHostPattern } from "../router/host.js";
import { normalizePath } from "../router/path.js";
import { type PathSpec, Router, type RouteSpec } from "../router/router.js";
import { compileCertificates, SecureContextCache } from "../tls/compile-certificates.js";
import { overrideTimeouts } from "../upstream/timeouts.js";
import { UpstreamRuntime } from "../upstream/upstream-runtime.js";
import { CompileError } from "./compile-error.js";
import { compileUpstream, withConnectTimeout } from "./compile-upstream.js";
import { HostPolicies } from "./host-policies.js";
import type { CompiledRoute, CompiledUpstream, RuntimeTable } from "./runtime-table.js";

/** Inputs of {@link compile} besides the snapshot. */
export interface CompileOptions {
  /** Policy types this node enforces (`--policies`); any other type refuses the snapshot. */
  readonly policyTypes: ReadonlySet<string>;
  /** Long-lived resources policies share across compiles (remote JWKS fetchers). Default: fresh. */
  readonly resources?: PolicyResources;
  /** Warn sink handed to policies (e.g. JWKS fetch failures at request time). Default: none. */
  readonly warn?: PolicyContext["warn"];
  /** TLS contexts reused across compiles (certificates that did not change). Default: fresh. */
  readonly tlsContexts?: SecureContextCache;
  /** Upstream state that outlives tables (target health, in-flight counters). Default: fresh. */
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
 * (every one, used or not; `auth-any` after its members), the global policies, routes (each
 * chain: the global policies, then the route's own; a CORS preflight chain beside it),
 * certificates. The table also
 * lists every identity header a policy asserts, which the proxy removes from client requests on
 * every route, and the host names that require a client certificate (host-policies.ts), which
 * every route serving them enforces.
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
  const upstreams = new Map<string, CompiledUpstream>();
  for (const u of snapshot.upstreams) {
    checkId(u.id, "upstream", upstreams);
    upstreams.set(u.id, compileUpstream(u, runtime));
  }

  let consumers: ConsumerIndex;
  try {
    consumers = new ConsumerIndex(snapshot.consumers);
  } catch (err) {
    if (err instanceof ConsumerIndexError) throw new CompileError("RESOURCE_INVALID", err.message, err.resource);
    throw err;
  }

  const policies = new Map<string, PolicyInstance>();
  const byId = new Map<string, Policy>();
  for (const p of snapshot.policies) {
    checkId(p.id, "policy", byId);
    byId.set(p.id, p);
  }
  // Policies built from others (auth-any) come after every plain one.
  const ordered = [
    ...snapshot.policies.filter((p) => policyDependencies(p).length === 0),
    ...snapshot.policies.filter((p) => policyDependencies(p).length > 0),
  ];
  for (const p of ordered) {
    for (const dep of policyDependencies(p)) {
      const target = byId.get(dep);
      if (target === undefined) {
        throw new CompileError("REFERENCE_MISSING", `policy "${dep}" does not exist`, `policy/${p.name || p.id}`);
      }
      if (policyDependencies(target).length > 0) {
        throw new CompileError("POLICY_INVALID", `member "${dep}" is itself a combination`, `policy/${p.name || p.id}`);
      }
    }
    policies.set(p.id, compilePolicy(p, opts.policyTypes, resources, warn, consumers, policies));
  }
  const identityHeaders = new Set<string>();
  for (const p of policies.values()) for (const h of p.identityHeaders ?? []) identityHeaders.add(h);

  const global: PolicyInstance[] = [];
  for (const id of snapshot.globalPolicyIds) {
    const p = policies.get(id);
    if (p === undefined)
      throw new CompileError("REFERENCE_MISSING", `policy "${id}" does not exist`, "global_policies");
    if (global.includes(p))
      throw new CompileError("RESOURCE_INVALID", `policy "${id}" is listed twice`, "global_policies");
    global.push(p);
  }
  const mergeSlashesDefault = snapshot.requestSettings?.mergeSlashes ?? false;

  const routes = new Map<string, CompiledRoute>();
  const specs: RouteSpec<CompiledRoute>[] = [];
  let anyMerge = false;
  let anyEncoded = false;
  for (const r of snapshot.routes) {
    checkId(r.id, "route", routes);
    const spec = compileRoute(r, upstreams, policies, global, mergeSlashesDefault);
    routes.set(r.id, spec.route);
    specs.push(spec);
    anyMerge ||= spec.route.mergeSlashes;
    anyEncoded ||= spec.route.allowEncodedSlashes;
  }

  // Names whose routes require a client certificate: enforced per request by the policy chain
  // and asked for at the handshake by the SNI table.
  const hostPolicies = HostPolicies.build(specs.map((s) => ({ hosts: s.hosts, policies: s.route.policies })));
  const tls = compileCertificates(snapshot.certificates, opts.tlsContexts ?? new SecureContextCache(), hostPolicies);

  const poolKeys = new Set<string>();
  for (const u of upstreams.values()) for (const t of u.targets) poolKeys.add(t.pool.key);
  for (const r of routes.values()) for (const p of r.poolSpecs ?? []) poolKeys.add(p.key);

  return Object.freeze({
    version: snapshot.version,
    hash: snapshot.hash,
    router: new Router(specs),
    routes,
    upstreams,
    policies,
    consumers,
    globalResponsePolicies: Object.freeze(global.filter((p) => p.filterResponse !== undefined)),
    pathOptions: Object.freeze({ mergeSlashes: anyMerge, allowEncodedSlashes: anyEncoded }),
    identityHeaders: Object.freeze([...identityHeaders]),
    hostPolicies,
    poolKeys,
    sni: tls.sni,
    tlsContextKeys: tls.contextKeys,
  });
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
    return createPolicy(p, { id: p.id, warn, consumers }, resources, built);
  } catch (err) {
    if (err instanceof PolicyConfigError) throw new CompileError("POLICY_INVALID", err.message, resource);
    throw err;
  }
}

function compileRoute(
  r: Route,
  upstreams: ReadonlyMap<string, CompiledUpstream>,
  policies: ReadonlyMap<string, PolicyInstance>,
  global: readonly PolicyInstance[],
  mergeSlashesDefault: boolean,
): RouteSpec<CompiledRoute> {
  const resource = `route/${r.name || r.id}`;
  const bad = (msg: string) => new CompileError("RESOURCE_INVALID", msg, resource);
  if (r.upstreamId === "") throw bad("upstream_id is required");
  const upstream = upstreams.get(r.upstreamId);
  if (upstream === undefined) {
    throw new CompileError("REFERENCE_MISSING", `upstream "${r.upstreamId}" does not exist`, resource);
  }
  const own: PolicyInstance[] = [];
  for (const id of r.policyIds) {
    const p = policies.get(id);
    if (p === undefined) throw new CompileError("REFERENCE_MISSING", `policy "${id}" does not exist`, resource);
    if (own.includes(p)) throw bad(`policy "${id}" is listed twice`);
    own.push(p);
  }
  // Global policies run first; a route listing a global policy again does not run it twice.
  const chain = [...global, ...own.filter((p) => !global.includes(p))];
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
  const timeouts = overrideTimeouts(upstream.timeouts, r.timeouts);
  const poolSpecs =
    timeouts.connectMs === upstream.timeouts.connectMs
      ? null
      : Object.freeze(upstream.targets.map((t) => withConnectTimeout(t.pool, timeouts.connectMs)));
  const route: CompiledRoute = Object.freeze({
    id: r.id,
    name: r.name,
    resource,
    upstream,
    policies: Object.freeze(chain),
    preflight: preflightChain(chain),
    responsePolicies: Object.freeze(chain.filter((p) => p.filterResponse !== undefined)),
    stripPrefix: r.stripPrefix,
    prefixRewrite,
    preserveHost: r.preserveHost,
    timeouts,
    poolSpecs,
    mergeSlashes: r.mergeSlashes ?? mergeSlashesDefault,
    allowEncodedSlashes: r.allowEncodedSlashes,
  });
  return { route, hosts: r.hosts, paths, methods, priority: r.priority, caseSensitive: r.caseSensitive };
}

/** The chain a CORS preflight runs (see CompiledRoute.preflight). */
function preflightChain(chain: readonly PolicyInstance[]): readonly PolicyInstance[] | null {
  const at = chain.findIndex((p) => p.type === "cors");
  if (at === -1) return null;
  return Object.freeze(
    chain.slice(0, at + 1).filter((p) => p.authenticates !== true && !AUTHENTICATION_POLICY_TYPES.has(p.type)),
  );
}
