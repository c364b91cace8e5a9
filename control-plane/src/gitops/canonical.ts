import { resolvePolicyUpstreams } from "../config/upstream-refs.js";

/**
 * The canonical form of a resource for `dump`, `diff` and `sync` (issue 18): what two spellings
 * of the same configuration share, so that a dump applied back — or a file that spells a default
 * out — shows no difference (decK's most-reported problem is phantom diffs caused by server-side
 * defaults). The rules:
 * - references are names (the API stores ids);
 * - fields the server adds (`id`, timestamps, a certificate's subject/issuer/validity/fingerprint)
 *   are dropped;
 * - a field equal to its documented default is dropped (an absent field is sent to nodes unset
 *   and the node applies the same default), and so is an empty list or map;
 * - lists whose order means nothing (methods, hosts, SNI names, tags) are sorted; methods upper-case;
 * - a route path `{prefix: "/a"}` is written `"/a"` (the same match).
 */

/** A body as the API takes it, `name` included. */
export type Body = Record<string, unknown>;

/** Maps ids of upstreams and policies to names (references as a file writes them). */
export interface NameOf {
  upstream(idOrName: string): string;
  policy(idOrName: string): string;
}

/** Documented defaults, by dotted path below the body (`[]` matches every list item). */
const DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  upstreams: {
    scheme: "http",
    load_balancing: "round_robin",
    "targets.[].weight": 100,
    "tls.verify": true,
    "health_check.passive.enabled": true,
  },
  routes: {
    strip_prefix: false,
    preserve_host: false,
    case_sensitive: false,
    strict_trailing_slash: false,
    allow_encoded_slashes: false,
    priority: 0,
  },
  consumers: { disabled: false },
  settings: { merge_slashes: false },
};

/** Documented defaults of policy configs, by type (control-plane/README.md "Policies…"). */
const POLICY_DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  jwt: {
    leeway_s: 60,
    cache: true,
    exp_optional: false,
    require_consumer: false,
    unsafe_identity: "refuse",
    keys_unavailable_status: 401,
  },
  "api-key": { header: "X-Api-Key" },
  mtls: { require_consumer: false, unsafe_identity: "refuse" },
  introspection: {
    auth_method: "client_secret_basic",
    cache: true,
    require_consumer: false,
    unsafe_identity: "refuse",
  },
  "rate-limit": {
    scope: "local",
    failure_mode: "open",
    hide_client_headers: false,
    ipv6_prefix_length: 64,
    "redis.timeout_ms": 200,
    "redis.key_prefix": "palisade:rl:",
  },
  mirror: { max_body_bytes: 65_536, timeout_ms: 5_000, max_in_flight: 100 },
};

/** Lists of these names are sets: sorted in the canonical form. */
const SET_FIELDS = new Set(["methods", "hosts", "snis", "tags"]);

/** Fields the API adds to what it shows; never part of a file. */
const SERVER_FIELDS: Readonly<Record<string, readonly string[]>> = {
  certificates: ["subject", "issuer", "not_before", "not_after", "fingerprint_sha256"],
  consumers: [],
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deletes `path` (dotted, `[]` = every item) from `obj` where it equals `value`. */
function dropDefault(obj: unknown, path: readonly string[], value: unknown): void {
  if (path.length === 0 || obj === null || typeof obj !== "object") return;
  const [head, ...rest] = path as [string, ...string[]];
  if (head === "[]") {
    if (Array.isArray(obj)) for (const item of obj) dropDefault(item, rest, value);
    return;
  }
  const o = obj as Record<string, unknown>;
  if (rest.length === 0) {
    if (head in o && JSON.stringify(o[head]) === JSON.stringify(value)) delete o[head];
    return;
  }
  dropDefault(o[head], rest, value);
}

/** Removes empty lists, empty maps and undefined members at every depth, except list items. */
function dropEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropEmpty);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = dropEmpty(v[k]);
    if (x === undefined) continue;
    if (Array.isArray(x) && x.length === 0) continue;
    if (isPlainObject(x) && Object.keys(x).length === 0) continue;
    out[k] = x;
  }
  return out;
}

/** A route path as the canonical form writes it. */
function canonicalPath(p: unknown): unknown {
  if (isPlainObject(p) && typeof p.prefix === "string" && Object.keys(p).length === 1) return p.prefix;
  return p;
}

/**
 * The canonical form of one resource body (see the module comment).
 * @param kind `upstreams`, `routes`, `policies`, `consumers`, `certificates` or `settings`
 * @param body the body with `name` (settings: without), references by id or by name
 */
export function canonicalBody(kind: string, body: Readonly<Body>, names: NameOf): Body {
  const out = structuredClone(body) as Body;
  delete out.id;
  delete out.created_at;
  delete out.updated_at;
  for (const f of SERVER_FIELDS[kind] ?? []) delete out[f];
  if (kind === "routes") {
    if (typeof out.upstream === "string") out.upstream = names.upstream(out.upstream);
    if (Array.isArray(out.policies)) out.policies = out.policies.map((p: string) => names.policy(p));
    if (Array.isArray(out.paths)) out.paths = out.paths.map(canonicalPath);
    if (Array.isArray(out.methods)) out.methods = out.methods.map((m: string) => m.toUpperCase());
  }
  if (kind === "settings" && Array.isArray(out.global_policies))
    out.global_policies = out.global_policies.map((p: string) => names.policy(p));
  if (kind === "policies" && isPlainObject(out.config)) {
    const type = String(out.type);
    let config = resolvePolicyUpstreams(type, out.config, (ref) => names.upstream(ref));
    if (type === "auth-any" && Array.isArray(config.policies))
      config = { ...config, policies: config.policies.map((p: string) => names.policy(p)) };
    config = structuredClone(config);
    for (const [path, value] of Object.entries(POLICY_DEFAULTS[type] ?? {}))
      dropDefault(config, path.split("."), value);
    out.config = config;
  }
  for (const [path, value] of Object.entries(DEFAULTS[kind] ?? {})) dropDefault(out, path.split("."), value);
  for (const f of SET_FIELDS) if (Array.isArray(out[f])) out[f] = [...new Set(out[f] as string[])].sort();
  const canonical = dropEmpty(out) as Body;
  // `config: {}` is a policy's config, never left out (the schema requires it).
  if (kind === "policies" && canonical.config === undefined) canonical.config = {};
  return canonical;
}

/** Stable JSON of a canonical body (member order is already sorted), for equality. */
export function sameBody(a: Readonly<Body>, b: Readonly<Body>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
