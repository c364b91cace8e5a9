import { resolvePolicyUpstreams } from "../config/policies/upstream-refs.js";
import { ruleSetHashOf } from "../config/rule-sets.js";

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
 * - a route path `{prefix: "/a"}` is written `"/a"` (the same match);
 * - a rule set is `{name, description?, content_hash}`: its files are compared by the hash they
 *   would be stored under (a file gives `files`, or `content_hash` alone to keep the stored files).
 */

/** A body as the API takes it, `name` included. */
export type Body = Record<string, unknown>;

/** Maps ids of referenced resources to names (references as a file writes them). */
export interface NameOf {
  upstream(idOrName: string): string;
  policy(idOrName: string): string;
  route(idOrName: string): string;
  ruleSet(idOrName: string): string;
  /** The name of the rule set a waf policy runs when it names none (the bundled one). */
  readonly defaultRuleSet: string | undefined;
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
  telemetry: { "siem_sinks.[].disabled": false, "siem_overrides.[].disabled": false },
  anomaly: { enabled: false, mode: "detect" },
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
  waf: {
    mode: "block",
    paranoia_level: 1,
    inbound_anomaly_threshold: 5,
    outbound_anomaly_threshold: 4,
    request_body_limit_action: "reject",
    response_inspection: false,
    sample_percent: 100,
    error_action: "fail_closed",
  },
};

/** Lists of these names are sets: sorted in the canonical form. */
const SET_FIELDS = new Set(["methods", "hosts", "snis", "tags"]);

/** Fields the API adds to what it shows; never part of a file. */
const SERVER_FIELDS: Readonly<Record<string, readonly string[]>> = {
  certificates: ["subject", "issuer", "not_before", "not_after", "fingerprint_sha256"],
  consumers: [],
  "rule-sets": ["bytes", "crs_version", "bundled", "default", "rules", "used_by"],
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Defaults by dotted path from the body's root (`config.` prefixed for a policy's config). */
type DefaultPaths = ReadonlyMap<string, unknown>;

const defaultPaths = new Map<string, DefaultPaths>();
/** The default paths of a kind (and policy type), built once. */
function defaultsOf(kind: string, policyType: string | undefined): DefaultPaths {
  const key = `${kind}/${policyType ?? ""}`;
  let m = defaultPaths.get(key);
  if (!m) {
    m = new Map<string, unknown>([
      ...Object.entries(DEFAULTS[kind] ?? {}),
      ...Object.entries(policyType ? (POLICY_DEFAULTS[policyType] ?? {}) : {}).map(([k, v]): [string, unknown] => [
        `config.${k}`,
        v,
      ]),
    ]);
    defaultPaths.set(key, m);
  }
  return m;
}

/**
 * A canonical copy of `v` (never mutating it): members sorted; members equal to their default
 * (by path, `[]` for list items), empty lists and maps, and undefined left out; list items kept.
 */
function build(v: unknown, path: string, defaults: DefaultPaths): unknown {
  if (Array.isArray(v)) {
    const itemPath = `${path}.[]`;
    return v.map((x) => build(x, itemPath, defaults));
  }
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const childPath = path === "" ? k : `${path}.${k}`;
    const raw = v[k];
    if (raw === undefined) continue;
    if (defaults.size > 0 && defaults.has(childPath) && defaults.get(childPath) === raw) continue;
    const x = build(raw, childPath, defaults);
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

/** Members never part of a file, whatever the kind. */
const STAMPS = new Set(["id", "created_at", "updated_at"]);

/**
 * The canonical form of one resource body (see the module comment).
 * @param kind `rule-sets`, `upstreams`, `routes`, `policies`, `consumers`, `certificates`, or a
 *   mapping section (`settings`, `telemetry`, `anomaly`)
 * @param body the body with `name` (a section: without), references by id or by name
 */
export function canonicalBody(kind: string, body: Readonly<Body>, names: NameOf): Body {
  const dropped = SERVER_FIELDS[kind] ?? [];
  const top: Body = {};
  for (const k of Object.keys(body)) if (!STAMPS.has(k) && !dropped.includes(k)) top[k] = body[k];
  if (kind === "routes") {
    if (typeof top.upstream === "string") top.upstream = names.upstream(top.upstream);
    if (Array.isArray(top.policies)) top.policies = top.policies.map((p: string) => names.policy(p));
    if (Array.isArray(top.paths)) top.paths = top.paths.map(canonicalPath);
    if (Array.isArray(top.methods)) top.methods = top.methods.map((m: string) => m.toUpperCase());
  }
  if (kind === "rule-sets" && Array.isArray(top.files)) {
    // Files with their contents (a file's rule set) are their hash; as the API lists them
    // (path, bytes, sha256: no contents) they are the stored content_hash.
    const given = top.files as Array<{ path: string; content?: string; content_base64?: string }>;
    if (given.some((f) => f.content !== undefined || f.content_base64 !== undefined))
      top.content_hash = ruleSetHashOf(given);
    delete top.files;
  }
  if (kind === "settings" && Array.isArray(top.global_policies))
    top.global_policies = top.global_policies.map((p: string) => names.policy(p));
  if (kind === "anomaly") top.thresholds = thresholdsByRouteName(top.thresholds, names);
  let policyType: string | undefined;
  if (kind === "policies" && isPlainObject(top.config)) {
    policyType = String(top.type);
    let config = resolvePolicyUpstreams(policyType, top.config, (ref) => names.upstream(ref));
    if (policyType === "auth-any" && Array.isArray(config.policies))
      config = { ...config, policies: config.policies.map((p: string) => names.policy(p)) };
    if (policyType === "waf") config = canonicalWaf(config, names);
    top.config = config;
  }
  for (const f of SET_FIELDS) if (Array.isArray(top[f])) top[f] = [...new Set(top[f] as string[])].sort();
  const canonical = build(top, "", defaultsOf(kind, policyType)) as Body;
  // `config: {}` is a policy's config, never left out (the schema requires it).
  if (kind === "policies" && canonical.config === undefined) canonical.config = {};
  return canonical;
}

/** Anomaly thresholds whose per-route overrides (`routes`, keyed by route id) are keyed by route name. */
function thresholdsByRouteName(thresholds: unknown, names: NameOf): unknown {
  if (!isPlainObject(thresholds) || !isPlainObject(thresholds.routes)) return thresholds;
  const routes = Object.entries(thresholds.routes).map(([k, v]): [string, unknown] => [names.route(k), v]);
  return { ...thresholds, routes: Object.fromEntries(routes) };
}

/**
 * A waf config with names for references: the rule set (left out when it is the default one),
 * exclusion routes (a set: sorted); `detection_paranoia_level` equal to `paranoia_level` (its
 * default) left out.
 */
function canonicalWaf(config: Record<string, unknown>, names: NameOf): Record<string, unknown> {
  const c = { ...config };
  if (typeof c.rule_set === "string") {
    const ruleSet = names.ruleSet(c.rule_set);
    if (ruleSet === names.defaultRuleSet) delete c.rule_set;
    else c.rule_set = ruleSet;
  }
  if ((c.detection_paranoia_level ?? null) === (c.paranoia_level ?? 1)) delete c.detection_paranoia_level;
  if (Array.isArray(c.exclusions))
    c.exclusions = (c.exclusions as Record<string, unknown>[]).map((x) =>
      Array.isArray(x.routes) ? { ...x, routes: [...new Set(x.routes.map((r: string) => names.route(r)))].sort() } : x,
    );
  return c;
}

/** Stable JSON of a canonical body (member order is already sorted), for equality. */
export function sameBody(a: Readonly<Body>, b: Readonly<Body>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
