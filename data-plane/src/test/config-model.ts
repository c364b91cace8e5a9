// Test helper: a small model of a whole config (upstreams, consumers, policies, routes,
// certificates, settings) with fast-check arbitraries for random edits of it, the snapshot it
// stands for, and a description of a compiled table by what a client and the proxy can observe.
// Property tests compare a table compiled incrementally (a delta over the previous table) with
// one compiled from scratch through these descriptions.
import { createHash } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import {
  CertificateSchema,
  ConsumerSchema,
  type FieldMatch,
  FieldMatchSchema,
  LoadBalancing,
  PolicySchema,
  type Route,
  RouteSchema,
  RuleSetSchema,
  type Snapshot,
  SnapshotSchema,
  SnapshotSettingsSchema,
  UpstreamSchema,
} from "@palisade/proto";
import { type PemPair, TestCa } from "@palisade/test-support";
import { ruleSetContentHash } from "@palisade/waf";
import fc from "fast-check";
import type { CompiledRoute, CompiledUpstream, RouteUpstream, RuntimeTable } from "../config/runtime-table.js";
import { ResponseFields } from "../http/response-fields.js";
import type { Policy as PolicyInstance } from "../policies/contract.js";
import { type TestRequestInit, testRequest } from "../policies/test-request.js";
import type { MatchRequest } from "../router/route-conditions.js";
import { deltaUpdate, fullUpdate } from "./fixtures.js";

/** Ids the model draws from: a few of each kind, so edits collide and reference each other. */
export const UPSTREAM_IDS = ["u0", "u1", "u2"] as const;
export const CONSUMER_IDS = ["c0", "c1", "c2"] as const;
export const POLICY_IDS = ["p0", "p1", "p2", "p3", "p4", "p5"] as const;
export const ROUTE_IDS = ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"] as const;
export const CERTIFICATE_IDS = ["t0", "t1"] as const;
export const RULE_SET_IDS = ["s0", "s1"] as const;
/** API keys consumers may hold (two consumers holding one key is a config error). */
export const API_KEYS = ["key-0", "key-1", "key-2"] as const;

export interface UpstreamShape {
  readonly targets: readonly string[];
  readonly connectMs: number;
  readonly leastRequests: boolean;
}

export interface ConsumerShape {
  readonly disabled: boolean;
  readonly keys: readonly string[];
}

export type PolicyShape =
  | { readonly type: "api-key"; readonly header: string }
  | { readonly type: "auth-any"; readonly members: readonly string[] }
  | { readonly type: "canary"; readonly upstream: string }
  | { readonly type: "headers"; readonly value: string }
  | { readonly type: "request-size"; readonly maxUrlBytes: number }
  | { readonly type: "ip-restriction"; readonly deny: string }
  | { readonly type: "mtls"; readonly ca: number }
  | {
      readonly type: "waf";
      readonly ruleSet: string;
      readonly paranoia: number;
      /** A route rule 100 is removed on (an exclusion scoped to it), or none. */
      readonly excludeOn: string | null;
    };

/**
 * A WAF rule set: which of {@link RULE_SET_TEXTS} its rule file holds (two ids may hold the same
 * content, so the same content hash: a node compiles it once).
 */
export interface RuleSetShape {
  readonly variant: number;
}

/**
 * Rule files of the model's rule sets: rule 100 (paranoia level 1), plus 101 (paranoia level 2),
 * and one no linear-time engine runs (a look-behind: refused with the rule's line).
 */
export const RULE_SET_TEXTS = [
  `SecRule ARGS "@rx attack" "id:100,phase:2,deny,status:403,tag:'attack-test',tag:'paranoia-level/1'"\n`,
  `SecRule ARGS "@rx attack" "id:100,phase:2,deny,status:403,tag:'attack-test',tag:'paranoia-level/1'"\n` +
    `SecRule ARGS "@rx probe" "id:101,phase:2,deny,status:403,tag:'attack-test',tag:'paranoia-level/2'"\n`,
  `SecRule ARGS "@rx attack" "id:100,phase:2,deny,status:403,tag:'attack-test'"\n` +
    `SecRule ARGS "@rx (?<=a)b" "id:102,phase:2,deny"\n`,
] as const;

export interface RouteShape {
  readonly upstream: string;
  readonly policies: readonly string[];
  readonly hosts: readonly string[];
  readonly paths: readonly { readonly kind: "exact" | "prefix" | "template" | "regex"; readonly value: string }[];
  readonly methods: readonly string[];
  /** Header, query and cookie conditions (issue 22). */
  readonly conditions: readonly ConditionShape[];
  /** Answers itself instead of proxying to `upstream` (issue 22). */
  readonly action: "redirect" | "direct_response" | null;
  readonly priority: number;
  readonly stripPrefix: boolean;
  readonly connectMs: number;
  readonly mergeSlashes: boolean | undefined;
  readonly caseSensitive: boolean;
  readonly allowEncodedSlashes: boolean;
  readonly strictTrailingSlash: boolean;
  readonly allowEncoded: readonly string[];
  readonly refuseEncoded: readonly string[];
  readonly maxBodyBytes: number | undefined;
}

export interface ConditionShape {
  readonly source: "headers" | "query" | "cookies";
  readonly name: string;
  readonly kind: "exact" | "prefix" | "regex" | "present";
  readonly value: string | boolean;
}

export interface CertificateShape {
  readonly snis: readonly string[];
  readonly pair: number;
}

export interface SettingsShape {
  readonly global: readonly string[];
  readonly mergeSlashes: boolean;
  readonly maxBodyBytes: number | undefined;
}

/** A whole config: resources by id, and the snapshot-wide settings. */
export interface World {
  readonly upstreams: ReadonlyMap<string, UpstreamShape>;
  readonly consumers: ReadonlyMap<string, ConsumerShape>;
  readonly policies: ReadonlyMap<string, PolicyShape>;
  readonly routes: ReadonlyMap<string, RouteShape>;
  readonly certificates: ReadonlyMap<string, CertificateShape>;
  readonly ruleSets: ReadonlyMap<string, RuleSetShape>;
  readonly settings: SettingsShape;
}

/** One edit: a resource put (created or replaced) or deleted (`value` null), or the settings replaced. */
export type Op =
  | { readonly kind: "upstream"; readonly id: string; readonly value: UpstreamShape | null }
  | { readonly kind: "consumer"; readonly id: string; readonly value: ConsumerShape | null }
  | { readonly kind: "policy"; readonly id: string; readonly value: PolicyShape | null }
  | { readonly kind: "route"; readonly id: string; readonly value: RouteShape | null }
  | { readonly kind: "certificate"; readonly id: string; readonly value: CertificateShape | null }
  | { readonly kind: "ruleSet"; readonly id: string; readonly value: RuleSetShape | null }
  | { readonly kind: "settings"; readonly value: SettingsShape };

const SEGMENTS = ["a", "b", "A"] as const;
export const arbPath: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...SEGMENTS), { maxLength: 2 })
  .chain((segs) => fc.boolean().map((slash) => `/${segs.join("/")}${slash && segs.length > 0 ? "/" : ""}`));

const HOST_PATTERNS = ["a.test", "b.test", "*.test", "*.b.test"] as const;

const arbUpstream: fc.Arbitrary<UpstreamShape> = fc.record({
  targets: fc.subarray(["127.0.0.1:9001", "127.0.0.1:9002", "10.0.0.1:80"], { minLength: 1 }),
  connectMs: fc.constantFrom(0, 1000),
  leastRequests: fc.boolean(),
});

const arbConsumer: fc.Arbitrary<ConsumerShape> = fc.record({
  disabled: fc.boolean(),
  keys: fc.subarray([...API_KEYS], { maxLength: 2 }),
});

const arbPolicy: fc.Arbitrary<PolicyShape> = fc.oneof(
  fc.record({ type: fc.constant("api-key" as const), header: fc.constantFrom("", "x-key") }),
  fc.record({
    type: fc.constant("auth-any" as const),
    members: fc.uniqueArray(fc.constantFrom(...POLICY_IDS), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({ type: fc.constant("canary" as const), upstream: fc.constantFrom(...UPSTREAM_IDS) }),
  fc.record({ type: fc.constant("headers" as const), value: fc.constantFrom("one", "two") }),
  fc.record({ type: fc.constant("request-size" as const), maxUrlBytes: fc.constantFrom(4, 1000) }),
  fc.record({ type: fc.constant("ip-restriction" as const), deny: fc.constantFrom("203.0.113.50", "198.51.100.1") }),
  fc.record({ type: fc.constant("mtls" as const), ca: fc.constantFrom(0, 1) }),
  fc.record({
    type: fc.constant("waf" as const),
    ruleSet: fc.constantFrom(...RULE_SET_IDS),
    paranoia: fc.constantFrom(1, 2),
    excludeOn: fc.constantFrom(null, "r0", "r1"),
  }),
);

const arbRuleSet: fc.Arbitrary<RuleSetShape> = fc.record({ variant: fc.constantFrom(0, 0, 1, 1, 2) });

/** A regex path every node refuses (look-ahead is not linear-time): {@link repair} replaces it. */
const REFUSED_REGEX = "/a/(?=b)";

const arbRoute: fc.Arbitrary<RouteShape> = fc
  .record({
    upstream: fc.constantFrom(...UPSTREAM_IDS),
    policies: fc.uniqueArray(fc.constantFrom(...POLICY_IDS), { maxLength: 3 }),
    hosts: fc.oneof(fc.constant([]), fc.subarray([...HOST_PATTERNS], { minLength: 1, maxLength: 2 })),
    paths: fc.array(
      fc.oneof(
        {
          weight: 4,
          arbitrary: fc.record({ kind: fc.constantFrom("exact" as const, "prefix" as const), value: arbPath }),
        },
        // "/a/(?=b)" is refused (look-ahead is not linear-time): scratch and incremental must NACK alike.
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constant("regex" as const),
            value: fc.constantFrom("/a/[ab]+", "/(a|b)/.*", "/A/.*", REFUSED_REGEX),
          }),
        },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constant("template" as const),
            value: fc.constantFrom("/a/{x}", "/{x}/b", "/{x}"),
          }),
        },
      ),
      { minLength: 1, maxLength: 2 },
    ),
    methods: fc.constantFrom([], ["GET"], ["POST"]),
    action: fc.constantFrom(null, null, null, null, "redirect" as const, "direct_response" as const),
    conditions: fc.array(
      fc.oneof(
        fc.record({
          source: fc.constantFrom("headers" as const, "query" as const, "cookies" as const),
          name: fc.constantFrom("v", "w"),
          kind: fc.constantFrom("exact" as const, "prefix" as const, "regex" as const),
          value: fc.constantFrom("1", "2", "[12]"),
        }),
        fc.record({
          source: fc.constantFrom("headers" as const, "query" as const, "cookies" as const),
          name: fc.constantFrom("v", "w"),
          kind: fc.constant("present" as const),
          value: fc.boolean(),
        }),
      ),
      { maxLength: 2 },
    ),
    priority: fc.constantFrom(0, 0, 1),
    stripPrefix: fc.boolean(),
    connectMs: fc.constantFrom(0, 0, 300),
    mergeSlashes: fc.constantFrom(undefined, true, false),
    caseSensitive: fc.boolean(),
    allowEncodedSlashes: fc.boolean(),
    strictTrailingSlash: fc.boolean(),
    allowEncoded: fc.subarray(["%5C", "%0A"]),
    refuseEncoded: fc.subarray(["%23", ";"]),
    maxBodyBytes: fc.constantFrom(undefined, undefined, 0, 1024),
  })
  .map((r) =>
    // strip_prefix applies to exact and prefix paths only (a route with a pattern path is refused with it).
    r.stripPrefix && r.paths.some((p) => p.kind === "regex" || p.kind === "template")
      ? { ...r, stripPrefix: false }
      : r,
  );

const arbCertificate: fc.Arbitrary<CertificateShape> = fc.record({
  snis: fc.subarray(["a.test", "b.test", "*.b.test"], { minLength: 1, maxLength: 2 }),
  pair: fc.constantFrom(0, 1),
});

const arbSettings: fc.Arbitrary<SettingsShape> = fc.record({
  global: fc.uniqueArray(fc.constantFrom(...POLICY_IDS), { maxLength: 2 }),
  mergeSlashes: fc.boolean(),
  maxBodyBytes: fc.constantFrom(undefined, undefined, 0, 2048),
});

const put = <K extends Op["kind"], V>(kind: K, ids: readonly string[], value: fc.Arbitrary<V>) =>
  fc.record({ kind: fc.constant(kind), id: fc.constantFrom(...ids), value: fc.option(value, { freq: 4 }) });

/** Any one edit; routes and policies most often (what operators change most). */
export const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: put("route", ROUTE_IDS, arbRoute), weight: 6 },
  { arbitrary: put("policy", POLICY_IDS, arbPolicy), weight: 3 },
  { arbitrary: put("upstream", UPSTREAM_IDS, arbUpstream), weight: 2 },
  { arbitrary: put("consumer", CONSUMER_IDS, arbConsumer), weight: 2 },
  { arbitrary: put("certificate", CERTIFICATE_IDS, arbCertificate), weight: 1 },
  { arbitrary: put("ruleSet", RULE_SET_IDS, arbRuleSet), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("settings" as const), value: arbSettings }), weight: 1 },
) as fc.Arbitrary<Op>;

/** One published version of a run: the edits since the last one, and how it reaches the node. */
export interface Edit {
  readonly ops: readonly Op[];
  /** Sent whole instead of as a delta (a reconnect, a base the control plane forgot). */
  readonly full: boolean;
  /** Published as the control plane would (no dangling reference); else maybe refused. */
  readonly valid: boolean;
  /** An operator's resync: the whole config, compiled from scratch even when unchanged. */
  readonly resync: boolean;
}

const oneIn = (n: number, of: number) => fc.integer({ min: 0, max: of - 1 }).map((x) => x < n);

/** An edit: 1-4 ops; whole 2 in 10, refusable 2 in 10, a resync 1 in 10. */
export const arbEdit: fc.Arbitrary<Edit> = fc.record({
  ops: fc.array(arbOp, { minLength: 1, maxLength: 4 }),
  full: oneIn(2, 10),
  valid: oneIn(8, 10),
  resync: oneIn(1, 10),
});

/**
 * The update that delivers `world` (repaired when the edit is `valid`) as `version`: whole for
 * the first config, a `full` edit or a resync, else a delta over `held` (what the node holds).
 */
export function updateFor(world: World, edit: Edit, held: Snapshot | undefined, version: bigint, pems: ModelPems) {
  const snap = toSnapshot(edit.valid ? repair(world) : world, pems, version);
  const whole = held === undefined || edit.full || edit.resync;
  const update = whole ? fullUpdate(snap, version) : deltaUpdate(held, snap, version);
  update.resync = edit.resync;
  return { snap, update };
}

/** A starting config that compiles: three upstreams and a catch-all route, plus random edits. */
export const EMPTY_WORLD: World = {
  upstreams: new Map(
    UPSTREAM_IDS.map((id) => [id, { targets: ["127.0.0.1:9001"], connectMs: 0, leastRequests: false }]),
  ),
  consumers: new Map(),
  policies: new Map(),
  routes: new Map([
    [
      "r0",
      {
        upstream: "u0",
        policies: [],
        hosts: [],
        paths: [{ kind: "prefix", value: "/" }],
        methods: [],
        conditions: [],
        action: null,
        priority: 0,
        stripPrefix: false,
        connectMs: 0,
        mergeSlashes: undefined,
        caseSensitive: false,
        allowEncodedSlashes: false,
        strictTrailingSlash: false,
        allowEncoded: [],
        refuseEncoded: [],
        maxBodyBytes: undefined,
      },
    ],
  ]),
  certificates: new Map(),
  ruleSets: new Map(),
  settings: { global: [], mergeSlashes: false, maxBodyBytes: undefined },
};

/** The world after `ops`, in order. */
export function applyOps(world: World, ops: readonly Op[]): World {
  const w = {
    upstreams: new Map(world.upstreams),
    consumers: new Map(world.consumers),
    policies: new Map(world.policies),
    routes: new Map(world.routes),
    certificates: new Map(world.certificates),
    ruleSets: new Map(world.ruleSets),
    settings: world.settings,
  };
  for (const op of ops) {
    if (op.kind === "settings") {
      w.settings = op.value;
      continue;
    }
    const map = {
      upstream: w.upstreams,
      consumer: w.consumers,
      policy: w.policies,
      route: w.routes,
      certificate: w.certificates,
      ruleSet: w.ruleSets,
    }[op.kind] as Map<string, unknown>;
    if (op.value === null) map.delete(op.id);
    else map.set(op.id, op.value);
  }
  return w;
}

/**
 * The world with what a control plane would refuse to publish taken out (dangling references,
 * an identity or a server name owned twice, a second canary or waf policy on a route, a second
 * global waf policy, a rule set that does not compile), so that most versions of a run compile:
 * a property run sends a mix of repaired and unrepaired versions.
 */
export function repair(world: World): World {
  const upstreams = new Map(world.upstreams);
  const policies = new Map(world.policies);
  const ruleSets = new Map([...world.ruleSets].map(([id, r]) => [id, r.variant === 2 ? { variant: 0 } : r]));
  for (const [id, p] of policies) {
    if (p.type !== "waf" || ruleSets.has(p.ruleSet)) continue;
    const first = [...ruleSets.keys()].sort()[0];
    if (first === undefined) policies.delete(id);
    else policies.set(id, { ...p, ruleSet: first });
  }
  const first = [...upstreams.keys()].sort()[0];
  for (const [id, p] of policies) {
    if (p.type === "canary" && !upstreams.has(p.upstream)) {
      if (first === undefined) policies.delete(id);
      else policies.set(id, { ...p, upstream: first });
    }
  }
  const authMember = (id: string) => {
    const t = policies.get(id)?.type;
    return t === "api-key" || t === "mtls";
  };
  for (const [id, p] of policies) {
    if (p.type !== "auth-any") continue;
    const members = p.members.filter(authMember);
    policies.set(id, members.length > 0 ? { ...p, members } : { type: "api-key", header: "" });
  }
  const routes = new Map<string, RouteShape>();
  for (const [id, r] of world.routes) {
    const upstream = upstreams.has(r.upstream) ? r.upstream : first;
    if (upstream === undefined) continue;
    const once = new Set<string>();
    const own = r.policies.filter((p) => {
      const t = policies.get(p)?.type;
      if (t === undefined) return false;
      // A route that answers itself takes no policy choosing an upstream.
      if (t === "canary" && r.action !== null) return false;
      if (t === "canary" || t === "waf") {
        if (once.has(t)) return false;
        once.add(t);
      }
      return true;
    });
    // The refused regex becomes one RE2 runs.
    const paths = r.paths.map((p) => (p.value === REFUSED_REGEX ? { ...p, value: "/a/b" } : p));
    routes.set(id, { ...r, upstream, policies: own, paths });
  }
  let globalWaf = false;
  const global = world.settings.global.filter((p) => {
    const t = policies.get(p)?.type;
    if (t === undefined || t === "canary") return false;
    if (t !== "waf") return true;
    if (globalWaf) return false;
    globalWaf = true;
    return true;
  });
  const keys = new Set<string>();
  const consumers = new Map<string, ConsumerShape>();
  for (const [id, c] of [...world.consumers].sort(([a], [b]) => (a < b ? -1 : 1))) {
    consumers.set(id, { ...c, keys: c.keys.filter((k) => !keys.has(k)) });
    for (const k of c.keys) keys.add(k);
  }
  const names = new Set<string>();
  const certificates = new Map<string, CertificateShape>();
  for (const [id, c] of [...world.certificates].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const snis = c.snis.filter((n) => !names.has(n));
    for (const n of snis) names.add(n);
    if (snis.length > 0) certificates.set(id, { ...c, snis });
  }
  return { upstreams, consumers, policies, routes, certificates, ruleSets, settings: { ...world.settings, global } };
}

/** PEM material the model's policies and certificates point at. */
export interface ModelPems {
  /** CA certificates of `mtls` policies (`ca` indexes it). */
  readonly cas: readonly string[];
  /** Server certificate pairs (`pair` indexes it). */
  readonly pairs: readonly PemPair[];
}

/** Two CAs (for mtls policies) and a server certificate from each (openssl); dispose when done. */
export function modelPems(): ModelPems & { dispose(): void } {
  const cas = [new TestCa("Model CA 0"), new TestCa("Model CA 1")];
  return {
    cas: cas.map((c) => c.certPem),
    pairs: [cas[0]!.issue(["a.test"]), cas[1]!.issue(["b.test"])],
    dispose: () => {
      for (const ca of cas) ca.dispose();
    },
  };
}

const sha256 = (s: string) => createHash("sha256").update(s).digest();

/** The snapshot a world stands for (resources in id order, as a control plane lists them). */
export function toSnapshot(world: World, pems: ModelPems, version = 1n): Snapshot {
  const byId = <T>(m: ReadonlyMap<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const settings = world.settings;
  const defaultSettings = settings.global.length === 0 && !settings.mergeSlashes && settings.maxBodyBytes === undefined;
  return create(SnapshotSchema, {
    version,
    hash: "",
    upstreams: byId(world.upstreams).map(([id, u]) =>
      create(UpstreamSchema, {
        id,
        name: id,
        targets: u.targets.map((t) => ({ host: t.split(":")[0]!, port: Number(t.split(":")[1]) })),
        loadBalancing: u.leastRequests ? LoadBalancing.LEAST_REQUESTS : LoadBalancing.ROUND_ROBIN,
        timeouts: { connectMs: u.connectMs },
      }),
    ),
    consumers: byId(world.consumers).map(([id, c]) =>
      create(ConsumerSchema, {
        id,
        name: id,
        disabled: c.disabled,
        credentials: c.keys.map((k) => ({
          id: `${id}-${k}`,
          kind: { case: "apiKey" as const, value: { sha256: sha256(k), prefix: k.slice(0, 3) } },
        })),
      }),
    ),
    policies: byId(world.policies).map(([id, p]) =>
      create(PolicySchema, { id, name: id, config: policyConfig(p, pems) }),
    ),
    routes: byId(world.routes).map(([id, r]) =>
      create(RouteSchema, {
        id,
        name: id,
        upstreamId: r.action === null ? r.upstream : "",
        policyIds: [...r.policies],
        ...(r.action === "redirect"
          ? { action: { case: "redirect" as const, value: { status: 308, scheme: "https" } } }
          : r.action === "direct_response"
            ? {
                action: {
                  case: "directResponse" as const,
                  value: { status: 503, headers: { "retry-after": "60" }, body: new TextEncoder().encode("down") },
                },
              }
            : {}),
        hosts: [...r.hosts],
        paths: r.paths.map((p) => ({ kind: { case: p.kind, value: p.value } })),
        methods: [...r.methods],
        ...conditionFields(r.conditions),
        priority: r.priority,
        stripPrefix: r.stripPrefix,
        timeouts: { connectMs: r.connectMs },
        caseSensitive: r.caseSensitive,
        allowEncodedSlashes: r.allowEncodedSlashes,
        strictTrailingSlash: r.strictTrailingSlash,
        allowEncoded: [...r.allowEncoded],
        refuseEncoded: [...r.refuseEncoded],
        ...(r.maxBodyBytes !== undefined ? { maxBodyBytes: BigInt(r.maxBodyBytes) } : {}),
        ...(r.mergeSlashes !== undefined ? { mergeSlashes: r.mergeSlashes } : {}),
      }),
    ),
    certificates: byId(world.certificates).map(([id, c]) =>
      create(CertificateSchema, { id, name: id, snis: [...c.snis], ...pems.pairs[c.pair]! }),
    ),
    ruleSets: byId(world.ruleSets).map(([id, r]) => modelRuleSet(id, r.variant)),
    settings: defaultSettings
      ? []
      : [
          create(SnapshotSettingsSchema, {
            id: "global",
            globalPolicyIds: [...settings.global],
            requestSettings: {
              mergeSlashes: settings.mergeSlashes,
              ...(settings.maxBodyBytes !== undefined ? { maxBodyBytes: BigInt(settings.maxBodyBytes) } : {}),
            },
          }),
        ],
  });
}

/** The rule set message of a model rule set: one rule file, hashed as a control plane hashes it. */
export function modelRuleSet(id: string, variant: number) {
  const text = RULE_SET_TEXTS[variant]!;
  return create(RuleSetSchema, {
    id,
    name: id,
    contentHash: ruleSetContentHash([{ path: "rules/model.conf", text }]),
    files: [{ path: "rules/model.conf", content: Buffer.from(text, "latin1") }],
  });
}

function policyConfig(p: PolicyShape, pems: ModelPems) {
  switch (p.type) {
    case "api-key":
      return { case: "apiKey" as const, value: { header: p.header } };
    case "auth-any":
      return { case: "authAny" as const, value: { policyIds: [...p.members] } };
    case "canary":
      return {
        case: "canary" as const,
        value: {
          overrides: [
            {
              match: {
                case: "header" as const,
                value: { name: "x-canary", value: { case: "exact" as const, value: "1" } },
              },
              upstreamId: p.upstream,
            },
          ],
        },
      };
    case "headers":
      return { case: "headers" as const, value: { set: { "x-model": p.value } } };
    case "request-size":
      return { case: "requestSize" as const, value: { maxUrlBytes: p.maxUrlBytes } };
    case "ip-restriction":
      return { case: "ipRestriction" as const, value: { deny: [p.deny] } };
    case "mtls":
      return { case: "mtls" as const, value: { caPem: pems.cas[p.ca]! } };
    case "waf":
      return {
        case: "waf" as const,
        value: {
          ruleSetId: p.ruleSet,
          paranoiaLevel: p.paranoia,
          exclusions: p.excludeOn === null ? [] : [{ ruleIds: ["100"], routeIds: [p.excludeOn] }],
        },
      };
  }
}

/** The proto fields of a route's conditions. */
function conditionFields(list: readonly ConditionShape[]): Pick<Route, "headers" | "query" | "cookies"> {
  const out = { headers: [] as FieldMatch[], query: [] as FieldMatch[], cookies: [] as FieldMatch[] };
  for (const c of list)
    out[c.source].push(
      create(FieldMatchSchema, {
        name: c.name,
        kind:
          c.kind === "present"
            ? { case: "present", value: c.value as boolean }
            : { case: c.kind, value: c.value as string },
      }),
    );
  return out;
}

/** A request to route. */
export interface RouteProbe {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  /** Headers, query parameters and cookies by name (the conditions read them). */
  readonly fields: Readonly<Record<string, string>>;
}

export const arbRouteProbe: fc.Arbitrary<RouteProbe> = fc.record({
  method: fc.constantFrom("GET", "POST"),
  host: fc.constantFrom("a.test", "b.test", "x.b.test", "z.test", "other.example"),
  path: arbPath,
  fields: fc.dictionary(fc.constantFrom("v", "w"), fc.constantFrom("1", "2", "3"), { maxKeys: 2 }),
});

/** The probe's fields as every source (header, query, cookie) of a route lookup. */
function probeRequest(q: RouteProbe): MatchRequest {
  const read = (n: string) => (Object.hasOwn(q.fields, n) ? q.fields[n] : undefined);
  return { header: read, query: read, cookie: read };
}

/** Requests every route's policy chain is run on: credentials, canary header, a blocked address. */
const CHAIN_PROBES: readonly TestRequestInit[] = [
  { path: "/a" },
  { path: "/a", headers: { "x-api-key": "key-0" } },
  { path: "/a", headers: { "x-key": "key-1" } },
  { path: "/a", headers: { "x-api-key": "key-2", "x-canary": "1" } },
  { path: "/a/b/long", clientAddress: "198.51.100.1" },
];

const HOST_PROBES = ["a.test", "b.test", "x.test", "x.b.test", "z.example"] as const;
const SNI_PROBES = ["a.test", "b.test", "x.b.test", "y.x.b.test", "c.test"] as const;

const sorted = <T>(xs: Iterable<T>) => [...xs].sort();

/**
 * What a client and the proxy can observe of a table: the route each probe request gets, every
 * route as the proxy uses it (upstream and its settings, chain, preflight, rewrite, timeouts,
 * pools) with the outcome of its chain on fixed requests, the global settings, the identity
 * headers removed from requests, the names requiring a client certificate, the pools and the
 * certificate each server name gets. Object identities the proxy relies on (a route's upstream
 * is the table's, a chain's policies are the table's) are part of it.
 */
export async function describeTable(t: RuntimeTable, probes: readonly RouteProbe[]): Promise<unknown> {
  return {
    hash: t.hash,
    router: probes.map((q) => {
      const m = t.router.match(q.method, q.host, q.path, probeRequest(q));
      return m === undefined ? null : [m.route.id, m.path.kind, m.path.value, m.params ?? null];
    }),
    routerSize: t.router.size,
    routes: await Promise.all(t.routeList.map((r) => describeRoute(t, r))),
    routesById: sorted(t.routes.keys()),
    upstreams: [...t.upstreams.values()].map(describeUpstream),
    policies: [...t.policies.values()].map((p) => [p.id, p.type, sorted(p.traits.identityHeaders ?? [])]),
    global: t.globalPolicies.map((p) => [p.id, p === t.policies.get(p.id)]),
    globalResponse: t.globalHooks.responseHeaders.map((p) => p.id),
    mergeSlashesDefault: t.mergeSlashesDefault,
    pathOptions: t.pathOptions,
    maxBodyBytes: t.maxBodyBytes,
    identityHeaders: sorted(t.identityHeaders),
    mtlsNames: [...t.hostPolicies.names()].map(([name, auth]) => [name, auth.map((a) => a.caPem)]).sort(),
    mtlsLookups: HOST_PROBES.map((h) => {
      const req = t.hostPolicies.lookup(h);
      return req === undefined ? null : [req.policy.type, sorted([...req.members].map((m) => m.id))];
    }),
    poolKeys: sorted(t.poolKeys),
    consumers: t.consumers.size,
    sni: SNI_PROBES.map((n) => {
      const e = t.sni.resolve(n);
      return e === undefined ? null : [e.certificateId, e.requestCert];
    }),
    sniSize: t.sni.size,
    tlsContextKeys: sorted(t.tlsContextKeys),
    ruleSets: [...t.ruleSets.values()].map((r) => [r.id, r.contentHash, r.bytes]),
    wafPolicies: [...t.wafPolicies.values()].map((w) => [
      w.id,
      w.ruleSet.id,
      w.ruleSet === t.ruleSets.get(w.ruleSet.id),
    ]),
    globalWaf: t.globalWaf ? [t.globalWaf.id, t.globalWaf === t.wafPolicies.get(t.globalWaf.id)] : null,
    wafKeys: sorted(t.wafKeys),
  };
}

/** A route's WAF as the waf policy will run it: which policy, the rule set compiled (its rules) and that it is the table's. */
function describeWaf(t: RuntimeTable, r: CompiledRoute) {
  const w = r.waf;
  if (w === null) return null;
  return {
    policy: w.policy.id,
    current: w.policy === t.wafPolicies.get(w.policy.id) && w === w.policy.forRoute(r.id),
    ruleSet: w.policy.ruleSet.contentHash,
    key: w.key,
    rules: [...w.rules.rules()].map((x) => x.id),
  };
}

function describeUpstream(u: CompiledUpstream) {
  return {
    id: u.id,
    scheme: u.scheme,
    targets: u.targets.map((x) => [x.index, x.origin, x.hostHeader, x.weight, x.pool.key, x.pool.connectMs]),
    balancer: u.balancer.constructor.name,
    timeouts: u.timeouts,
    pathPrefix: u.pathPrefix,
  };
}

function describeRouteUpstream(t: RuntimeTable, ru: RouteUpstream) {
  return {
    upstream: describeUpstream(ru.upstream),
    current: ru.upstream === t.upstreams.get(ru.upstream.id),
    timeouts: ru.timeouts,
    pools: ru.poolSpecs?.map((p) => p.key) ?? null,
  };
}

async function describeRoute(t: RuntimeTable, r: CompiledRoute) {
  const ids = (ps: readonly PolicyInstance[] | null) => ps?.map((p) => p.id) ?? null;
  return {
    id: r.id,
    name: r.name,
    upstream:
      r.upstream === null
        ? null
        : describeRouteUpstream(t, { upstream: r.upstream, timeouts: r.timeouts, poolSpecs: r.poolSpecs }),
    action:
      r.action === null
        ? null
        : { ...r.action, ...(r.action.kind === "direct_response" ? { body: r.action.body.toString() } : {}) },
    chain: r.policies.map((p) => [p.id, p.type, p === t.policies.get(p.id)]),
    preflight: ids(r.preflight),
    response: ids(r.hooks.responseHeaders),
    bodyLimit: r.bodyLimit,
    stripPrefix: r.stripPrefix,
    prefixRewrite: r.prefixRewrite,
    preserveHost: r.preserveHost,
    mergeSlashes: r.mergeSlashes,
    allowEncodedSlashes: r.allowEncodedSlashes,
    allowEncoded: sorted(r.allowEncoded),
    refuseEncoded: r.refuseEncoded,
    maxBodyBytes: r.maxBodyBytes,
    alternates: [...r.alternates].map(([id, a]) => [id, describeRouteUpstream(t, a)]),
    waf: describeWaf(t, r),
    outcomes: await Promise.all(CHAIN_PROBES.map((q) => runChain(r, { ...q, routeId: r.id }))),
  };
}

/** Runs a chain's hooks as the request loop does (consumer carried along, stops at the first answer). */
async function runChain(r: CompiledRoute, init: TestRequestInit) {
  const out: unknown[] = [];
  const ex = testRequest(init);
  for (const p of r.policies) {
    const before = ex.authentications.length;
    const v = await p.requestHeaders?.(ex);
    if (v !== undefined) {
      out.push(v.kind === "reply" ? [p.id, v.status] : [p.id, v.code, v.reason, v.consumer?.id ?? null]);
      break;
    }
    const a = ex.authentications[before];
    const res = new ResponseFields(200, null, null);
    p.responseHeaders?.(ex, res);
    out.push([
      p.id,
      a?.upstreamHeaders ?? null,
      a?.stripQuery ?? null,
      a?.authMethod ?? null,
      a?.consumer?.id ?? null,
      p.traits.maxRequestBodyBytes ?? null,
      ex.upstream,
      res.toObject(),
    ]);
  }
  return out;
}
