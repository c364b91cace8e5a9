import { createHash } from "node:crypto";
import {
  type Policy,
  type RuleSet,
  WafBodyLimitAction,
  WafErrorAction,
  WafMode,
  type WafPolicy,
} from "@palisade/proto";
import {
  type CompiledRuleSet,
  ParsedRuleSet,
  type RuleSetFile,
  ruleSetContentHash,
  WafError,
  type WafPolicyOptions,
} from "@palisade/waf";
import { CompileError } from "./compile-error.js";

/**
 * The WAF side of a node's compile (issue 14): rule sets (Snapshot field 12) are verified and
 * parsed once per content hash, and each waf policy's rule set is compiled once per (content
 * hash, settings) per process and reused across config versions ({@link WafCache}). A route
 * runs at most one waf policy — its own, else the global one — compiled with the exclusions that
 * apply on it. Requests are not evaluated here: the table carries a ready {@link RouteWaf} per
 * route for the waf policy instance to run.
 */

/** A rule set as the table holds it. */
export interface CompiledRuleSetInfo {
  readonly id: string;
  readonly name: string;
  /** `rule_set/<name>`. */
  readonly resource: string;
  /** sha256 of the files, verified on arrival. */
  readonly contentHash: string;
  /** Bytes of the files. */
  readonly bytes: number;
  readonly parsed: ParsedRuleSet;
  /** The message it was built from (a later compile reuses it when it is the same object). */
  readonly source: RuleSet;
}

/** A waf policy's settings, and its rule set compiled for each route it may run on. */
export interface CompiledWaf {
  readonly id: string;
  readonly name: string;
  /** `policy/<name>`. */
  readonly resource: string;
  readonly ruleSet: CompiledRuleSetInfo;
  /** `block` stops a request at the anomaly threshold; `detect` only reports. */
  readonly mode: "block" | "detect";
  /** Share of requests inspected, basis points (1-10,000). */
  readonly sampleBasisPoints: number;
  /** An exception inside the engine lets the request through (true) or refuses it (false, the default). */
  readonly failOpen: boolean;
  /** Past the inspection limit: refuse with 413 (the default), or inspect the first bytes. */
  readonly bodyLimitAction: "reject" | "inspect-partial";
  /** Request fields redacted in events (SecLang targets), besides Authorization and cookies. */
  readonly secretFields: readonly string[];
  /** The message it was compiled from. */
  readonly source: Policy;
  /** Cache keys of its compiled rule sets (the common one and each route's), for {@link WafCache.retain}. */
  readonly keys: readonly string[];
  /**
   * The rule set compiled for `routeId`: with the exclusions scoped to that route, or the
   * policy's common compile when none is.
   */
  forRoute(routeId: string): RouteWaf;
}

/** What a route's WAF runs: its policy and the compiled rule set (shared by routes with the same exclusions). */
export interface RouteWaf {
  readonly policy: CompiledWaf;
  readonly rules: CompiledRuleSet;
  /** The cache key of `rules` ({@link WafCache.retain}). */
  readonly key: string;
}

/**
 * Rule sets parsed by content hash and compiled by (content hash, settings), kept across config
 * versions; {@link retain} drops what the live table no longer uses. One per node process (each
 * worker compiles its own: compiled rules hold native regexes that cannot be shared).
 */
export class WafCache {
  readonly #parsed = new Map<string, ParsedRuleSet>();
  readonly #compiled = new Map<string, CompiledRuleSet>();
  /** Rule set messages already verified against their content hash. */
  readonly #verified = new WeakMap<RuleSet, ParsedRuleSet>();
  /** Parses and compiles done by this cache (tests, logs): a reused rule set adds none. */
  readonly stats = { parses: 0, compiles: 0 };

  /**
   * The parsed files of a rule set message, after checking they hash to its `content_hash`.
   * @throws CompileError RESOURCE_INVALID (files and hash disagree, a path outside the layout) or
   *   RULE_SET_INVALID (a file does not parse: the message names file, line and rule id), resource
   *   `rule_set/<name>`
   */
  parsed(rs: RuleSet): ParsedRuleSet {
    const known = this.#verified.get(rs);
    if (known) return known;
    const resource = `rule_set/${rs.name || rs.id}`;
    const files: RuleSetFile[] = rs.files.map((f) => ({
      path: f.path,
      text: Buffer.from(f.content.buffer, f.content.byteOffset, f.content.byteLength).toString("latin1"),
    }));
    if (ruleSetContentHash(files) !== rs.contentHash)
      throw new CompileError("RESOURCE_INVALID", "the files do not hash to content_hash", resource);
    let parsed = this.#parsed.get(rs.contentHash);
    if (!parsed) {
      try {
        parsed = ParsedRuleSet.parse(files);
      } catch (err) {
        throw ruleSetError(err, resource);
      }
      this.stats.parses++;
      this.#parsed.set(rs.contentHash, parsed);
    }
    this.#verified.set(rs, parsed);
    return parsed;
  }

  /**
   * A rule set compiled with `options`, from the cache or compiled now.
   * @throws CompileError RULE_SET_INVALID naming the rule (file, line, rule id), resource
   *   `rule_set/<name>`; POLICY_INVALID for an option the engine refuses, resource `policy/<name>`
   */
  compiled(
    parsed: ParsedRuleSet,
    options: WafPolicyOptions,
    ruleSetResource: string,
    policyResource: string,
  ): RouteWafKeyed {
    const key = `${parsed.contentHash}:${createHash("sha256").update(JSON.stringify(options)).digest("hex").slice(0, 32)}`;
    let rules = this.#compiled.get(key);
    if (!rules) {
      try {
        rules = parsed.compile(options);
      } catch (err) {
        if (err instanceof WafError && err.code === "WAF_OPTIONS")
          throw new CompileError("POLICY_INVALID", err.message, policyResource);
        throw ruleSetError(err, ruleSetResource);
      }
      this.stats.compiles++;
      this.#compiled.set(key, rules);
    }
    return { key, rules };
  }

  /** Keeps the compiled rule sets whose keys are in `keys` (and the parses of their hashes); drops the rest. */
  retain(keys: ReadonlySet<string>): void {
    const hashes = new Set<string>();
    for (const k of keys) hashes.add(k.slice(0, k.indexOf(":")));
    for (const k of this.#compiled.keys()) if (!keys.has(k)) this.#compiled.delete(k);
    for (const h of this.#parsed.keys()) if (!hashes.has(h)) this.#parsed.delete(h);
  }

  /** Compiled rule sets held (tests). */
  get size(): number {
    return this.#compiled.size;
  }
}

/** A compiled rule set and its cache key. */
interface RouteWafKeyed {
  readonly key: string;
  readonly rules: CompiledRuleSet;
}

/** The CompileError of a WafError (RULE_SET_INVALID: the engine's message names file, line and rule id). */
function ruleSetError(err: unknown, resource: string): CompileError {
  if (err instanceof WafError)
    return new CompileError(
      err.code === "WAF_OPTIONS" ? "RESOURCE_INVALID" : "RULE_SET_INVALID",
      err.message,
      resource,
    );
  throw err;
}

/**
 * The engine options of a waf policy for a route: every setting, and the exclusions with no
 * route or with `routeId` among their routes (`undefined`: the exclusions with no route only).
 * Zero values are the defaults (proto/README.md "WAF").
 */
export function wafOptionsFor(p: WafPolicy, routeId: string | undefined): WafPolicyOptions {
  const s = p.crsSetup;
  const list = (v: readonly string[] | undefined) => (v && v.length > 0 ? [...v] : undefined);
  const num = (v: number | bigint | undefined) => (v === undefined || v === 0 || v === 0n ? undefined : Number(v));
  const entries: Array<[keyof WafPolicyOptions, unknown]> = [
    ["mode", p.mode === WafMode.DETECT ? "detect" : undefined],
    ["paranoiaLevel", num(p.paranoiaLevel)],
    ["detectionParanoiaLevel", num(p.detectionParanoiaLevel)],
    ["inboundAnomalyThreshold", num(p.inboundAnomalyThreshold)],
    ["outboundAnomalyThreshold", num(p.outboundAnomalyThreshold)],
    ["allowedMethods", list(s?.allowedMethods)],
    ["allowedContentTypes", list(s?.allowedRequestContentTypes)],
    ["allowedHttpVersions", list(s?.allowedHttpVersions)],
    ["restrictedExtensions", list(s?.restrictedExtensions)],
    ["restrictedHeaders", list(s?.restrictedHeaders)],
    ["maxNumArgs", num(s?.maxNumArgs)],
    ["argNameLength", num(s?.argNameLength)],
    ["argLength", num(s?.argLength)],
    ["totalArgLength", num(s?.totalArgLength)],
    ["maxFileSize", num(s?.maxFileSize)],
    ["combinedFileSizes", num(s?.combinedFileSizes)],
    ["requestBodyLimit", num(p.requestBodyLimitBytes)],
    [
      "requestBodyLimitAction",
      p.requestBodyLimitAction === WafBodyLimitAction.INSPECT_PARTIAL ? "inspect-partial" : undefined,
    ],
    ["responseInspection", p.responseInspection ? true : undefined],
    ["responseBodyLimit", num(p.responseBodyLimitBytes)],
  ];
  const exclusions = p.exclusions
    .filter((e) => e.routeIds.length === 0 || (routeId !== undefined && e.routeIds.includes(routeId)))
    .map((e) => ({
      ...(e.ruleIds.length > 0 ? { ruleIds: [...e.ruleIds] } : {}),
      ...(e.tags.length > 0 ? { tags: [...e.tags] } : {}),
      ...(e.target !== "" ? { target: e.target } : {}),
    }));
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) if (v !== undefined) out[k] = v;
  if (exclusions.length > 0) out.exclusions = exclusions;
  return out as WafPolicyOptions;
}

/**
 * Compiles a waf policy: its rule set's common compile (the exclusions without routes) and one
 * per route an exclusion is scoped to, through the cache.
 * @param ruleSets the snapshot's rule sets by id
 * @throws CompileError REFERENCE_MISSING (no such rule set), RULE_SET_INVALID, POLICY_INVALID,
 *   RESOURCE_INVALID
 */
export function compileWaf(
  p: Policy,
  ruleSets: ReadonlyMap<string, CompiledRuleSetInfo>,
  cache: WafCache,
): CompiledWaf {
  if (p.config.case !== "waf") throw new TypeError("not a waf policy");
  const w = p.config.value;
  const resource = `policy/${p.name || p.id}`;
  const ruleSet = ruleSets.get(w.ruleSetId);
  if (ruleSet === undefined)
    throw new CompileError("REFERENCE_MISSING", `rule set "${w.ruleSetId}" does not exist`, resource);
  if (w.sampleBasisPoints > 10_000)
    throw new CompileError("POLICY_INVALID", "sample_basis_points: more than 10,000", resource);
  const compileFor = (routeId: string | undefined) =>
    cache.compiled(ruleSet.parsed, wafOptionsFor(w, routeId), ruleSet.resource, resource);
  const scoped = new Set(w.exclusions.flatMap((e) => e.routeIds));
  const policy: CompiledWaf = {
    id: p.id,
    name: p.name,
    resource,
    ruleSet,
    mode: w.mode === WafMode.DETECT ? "detect" : "block",
    sampleBasisPoints: w.sampleBasisPoints === 0 ? 10_000 : w.sampleBasisPoints,
    failOpen: w.errorAction === WafErrorAction.FAIL_OPEN,
    bodyLimitAction: w.requestBodyLimitAction === WafBodyLimitAction.INSPECT_PARTIAL ? "inspect-partial" : "reject",
    secretFields: Object.freeze([...w.secretFields]),
    source: p,
    keys: [],
    forRoute: (routeId) => perRoute.get(routeId) ?? common,
  };
  const common: RouteWaf = Object.freeze({ policy, ...compileFor(undefined) });
  const perRoute = new Map<string, RouteWaf>();
  for (const routeId of scoped) perRoute.set(routeId, Object.freeze({ policy, ...compileFor(routeId) }));
  (policy as { keys: readonly string[] }).keys = Object.freeze([
    common.key,
    ...[...perRoute.values()].map((r) => r.key),
  ]);
  return Object.freeze(policy);
}

/**
 * The snapshot's rule sets, verified and parsed (reusing the previous table's where the message
 * is the same object).
 * @throws CompileError RESOURCE_INVALID (duplicate or empty id, files that do not hash to
 *   content_hash), RULE_SET_INVALID
 */
export function compileRuleSets(
  list: readonly RuleSet[],
  previous: ReadonlyMap<string, CompiledRuleSetInfo> | undefined,
  cache: WafCache,
): Map<string, CompiledRuleSetInfo> {
  const out = new Map<string, CompiledRuleSetInfo>();
  for (const rs of list) {
    const resource = `rule_set/${rs.name || rs.id}`;
    if (rs.id === "") throw new CompileError("RESOURCE_INVALID", "rule set without an id", "rule_set/");
    if (out.has(rs.id)) throw new CompileError("RESOURCE_INVALID", `duplicate rule set id "${rs.id}"`, resource);
    const old = previous?.get(rs.id);
    if (old !== undefined && old.source === rs) {
      out.set(rs.id, old);
      continue;
    }
    const parsed = cache.parsed(rs);
    out.set(
      rs.id,
      Object.freeze({
        id: rs.id,
        name: rs.name,
        resource,
        contentHash: rs.contentHash,
        bytes: parsed.bytes,
        parsed,
        source: rs,
      }),
    );
  }
  return out;
}
