import { createHash } from "node:crypto";
import { compileRuleSet, type ParsedRuleSet, WafError, type WafPolicyOptions } from "@palisade/waf";
import { LRUCache } from "lru-cache";
import { DomainError } from "../../../errors.js";
import type { Store, StoredResource } from "../../../store/store.js";
import { canonicalJson } from "../../canonical-json.js";
import { fail } from "../../fail.js";
import { bundledRuleSetId, parsedRuleSetOf, ruleSetError } from "../../rule-sets.js";

/**
 * Semantic checks of a `waf` policy config and its publish-time compile (issue 14). Each throws
 * an DomainError naming the field at fault (`config.exclusions.1.target`); a rule set that does not
 * compile with the policy's settings is `RULE_SET_INVALID` with the engine's file, line and rule
 * id. Compiles are cached by (rule set content hash, settings), so a publish that changes no waf
 * policy and no rule set costs one cache lookup per waf policy.
 */

/** One exclusion as stored (routes resolved to ids). */
export interface WafExclusionBody {
  readonly rule_ids?: readonly string[];
  readonly tags?: readonly string[];
  readonly target?: string;
  readonly routes?: readonly string[];
}

/** A `waf` policy config as stored (`rule_set` and exclusion routes resolved to ids). */
export interface WafConfigBody {
  readonly rule_set?: string;
  readonly mode?: "block" | "detect";
  readonly paranoia_level?: number;
  readonly detection_paranoia_level?: number;
  readonly inbound_anomaly_threshold?: number;
  readonly outbound_anomaly_threshold?: number;
  readonly crs_setup?: {
    readonly allowed_methods?: readonly string[];
    readonly allowed_request_content_types?: readonly string[];
    readonly allowed_http_versions?: readonly string[];
    readonly restricted_extensions?: readonly string[];
    readonly restricted_headers?: readonly string[];
    readonly max_num_args?: number;
    readonly arg_name_length?: number;
    readonly arg_length?: number;
    readonly total_arg_length?: number;
    readonly max_file_size?: number;
    readonly combined_file_sizes?: number;
  };
  readonly exclusions?: readonly WafExclusionBody[];
  readonly request_body_limit_bytes?: number;
  readonly request_body_limit_action?: "reject" | "inspect_partial";
  readonly response_inspection?: boolean;
  readonly response_body_limit_bytes?: number;
  readonly sample_percent?: number;
  readonly error_action?: "fail_closed" | "fail_open";
  readonly secret_fields?: readonly string[];
}

/**
 * The engine options of a config: what `@palisade/waf` compiles (every exclusion, whatever its
 * routes: the control plane checks that all of them compile together; a node compiles each
 * route's share). Sampling, the error action and secrets are the node's, not the engine's.
 */
export function wafOptionsOf(c: WafConfigBody): WafPolicyOptions {
  const s = c.crs_setup ?? {};
  const opt = <K extends string, V>(key: K, v: V | undefined) =>
    v === undefined ? {} : ({ [key]: v } as { [P in K]: V });
  return {
    ...opt("mode", c.mode),
    ...opt("paranoiaLevel", c.paranoia_level),
    ...opt("detectionParanoiaLevel", c.detection_paranoia_level),
    ...opt("inboundAnomalyThreshold", c.inbound_anomaly_threshold),
    ...opt("outboundAnomalyThreshold", c.outbound_anomaly_threshold),
    ...opt("allowedMethods", s.allowed_methods),
    ...opt("allowedContentTypes", s.allowed_request_content_types),
    ...opt("allowedHttpVersions", s.allowed_http_versions),
    ...opt("restrictedExtensions", s.restricted_extensions),
    ...opt("restrictedHeaders", s.restricted_headers),
    ...opt("maxNumArgs", s.max_num_args),
    ...opt("argNameLength", s.arg_name_length),
    ...opt("argLength", s.arg_length),
    ...opt("totalArgLength", s.total_arg_length),
    ...opt("maxFileSize", s.max_file_size),
    ...opt("combinedFileSizes", s.combined_file_sizes),
    ...opt("requestBodyLimit", c.request_body_limit_bytes),
    ...opt(
      "requestBodyLimitAction",
      c.request_body_limit_action === undefined
        ? undefined
        : c.request_body_limit_action === "reject"
          ? ("reject" as const)
          : ("inspect-partial" as const),
    ),
    ...opt("responseInspection", c.response_inspection),
    ...opt("responseBodyLimit", c.response_body_limit_bytes),
    ...(c.exclusions?.length
      ? {
          exclusions: c.exclusions.map((e) => ({
            ...opt("ruleIds", e.rule_ids),
            ...opt("tags", e.tags),
            ...opt("target", e.target),
          })),
        }
      : {}),
  };
}

/** Inclusive id range of `942100`, `942100-942199` or `942*` (a family: 942000-942999). */
function idRange(text: string): [number, number] {
  const star = /^(\d+)\*$/.exec(text);
  if (star) {
    const width = 6 - star[1]!.length;
    return [Number(star[1]! + "0".repeat(Math.max(0, width))), Number(star[1]! + "9".repeat(Math.max(0, width)))];
  }
  const [lo, hi] = text.split("-").map(Number);
  return [lo!, hi ?? lo!];
}

/** Targets the engine accepts, by text: a probe rule compiled once per target. */
const targetChecks = new LRUCache<string, string>({ max: 1024 });

/** Why the engine refuses `target` as a rule target, or "" when it accepts it. */
function targetProblem(target: string): string {
  let problem = targetChecks.get(target);
  if (problem !== undefined) return problem;
  try {
    compileRuleSet([{ file: "target", text: `SecRule ${target} "@unconditionalMatch" "id:1,phase:2,pass,nolog"` }]);
    problem = "";
  } catch (err) {
    if (!(err instanceof WafError)) throw err;
    problem = err.message.replace(/^target:\d+ rule 1: /, "");
  }
  targetChecks.set(target, problem);
  return problem;
}

/**
 * Checks a `waf` policy config and returns what is stored: `rule_set` resolved to an id (the
 * bundled rule set when absent), exclusion `routes` resolved to route ids. Refused, naming the
 * field: a missing rule set or route (REFERENCE_NOT_FOUND), a detection paranoia level below the
 * blocking one, an exclusion with no rule id and no tag, a rule id, range, family or tag that no
 * rule of the rule set has (a typo would exclude nothing), a target or secret field the engine
 * does not take; then the rule set must compile with these settings (cached).
 * @throws DomainError VALIDATION_FAILED / REFERENCE_NOT_FOUND / RULE_SET_INVALID
 */
export async function normalizeWafConfig(
  config: Record<string, unknown>,
  store: Store,
  resolveRoute: (ref: string, field: string) => Promise<string>,
): Promise<WafConfigBody> {
  const c = config as WafConfigBody;
  const ref = c.rule_set ?? (await bundledRuleSetId(store));
  const ruleSet = await store.getResource("rule-sets", ref);
  if (!ruleSet)
    throw new DomainError(
      "REFERENCE_NOT_FOUND",
      `no rule set named or with id ${JSON.stringify(ref)}`,
      "config.rule_set",
    );
  if (c.detection_paranoia_level !== undefined && c.detection_paranoia_level < (c.paranoia_level ?? 1))
    fail("must not be below paranoia_level", "config.detection_paranoia_level");
  const exclusions: WafExclusionBody[] = [];
  for (const [i, e] of (c.exclusions ?? []).entries()) {
    let routes: string[] | undefined;
    if (e.routes) {
      routes = [];
      for (const [j, r] of e.routes.entries()) routes.push(await resolveRoute(r, `config.exclusions.${i}.routes.${j}`));
    }
    exclusions.push({ ...e, ...(routes ? { routes } : {}) });
  }
  const stored: WafConfigBody = { ...c, rule_set: ruleSet.id, ...(c.exclusions ? { exclusions } : {}) };
  checkWafConfigRules(stored, ruleSet.name, parsedRuleSetOf(ruleSet));
  return stored;
}

/**
 * The checks of a waf config against the rule set it runs (`parsed`, named `ruleSetName` in
 * messages): every exclusion names a rule id, range, family or tag some rule has (a typo would
 * exclude nothing), and has one of them; targets and secret fields are variables the engine
 * takes; then the rule set compiles with the config's settings (cached).
 * @throws DomainError VALIDATION_FAILED / RULE_SET_INVALID naming `<prefix>.exclusions.N…`, …
 */
export function checkWafConfigRules(
  c: WafConfigBody,
  ruleSetName: string,
  parsed: ParsedRuleSet,
  prefix = "config",
): void {
  const rules = parsed.rules();
  (c.exclusions ?? []).forEach((e, i) => {
    const at = `${prefix}.exclusions.${i}`;
    if (!e.rule_ids?.length && !e.tags?.length) fail("give rule_ids, tags or both", at);
    (e.rule_ids ?? []).forEach((id, j) => {
      const [lo, hi] = idRange(id);
      if (lo > hi) fail(`${id}: the range is reversed`, `${at}.rule_ids.${j}`);
      if (!rules.some((r) => r.id >= lo && r.id <= hi))
        fail(`no rule of rule set ${ruleSetName} has id ${id}`, `${at}.rule_ids.${j}`);
    });
    (e.tags ?? []).forEach((tag, j) => {
      const t = tag.toLowerCase();
      if (!rules.some((r) => r.tags.some((x) => x.toLowerCase() === t)))
        fail(`no rule of rule set ${ruleSetName} has tag ${tag}`, `${at}.tags.${j}`);
    });
    if (e.target !== undefined) {
      const problem = targetProblem(e.target);
      if (problem) fail(problem, `${at}.target`);
    }
  });
  (c.secret_fields ?? []).forEach((t, i) => {
    const problem = targetProblem(t);
    if (problem) fail(problem, `${prefix}.secret_fields.${i}`);
  });
  checkWafCompiles(c, parsed, prefix);
}

/** Outcome of compiling one (rule set, settings): undefined when it compiled. */
const compiled = new LRUCache<string, { error: WafError } | { ok: true }>({ max: 256 });

/** How many compiles the cache answered and how many ran (tests, logs). */
export const wafCompileStats = { hits: 0, compiles: 0 };

/** The cache key of a rule set compiled with `options`: content hash and a digest of the settings. */
function compileKey(contentHash: string, options: WafPolicyOptions): string {
  return `${contentHash}:${createHash("sha256").update(canonicalJson(options)).digest("hex")}`;
}

/** Option names whose API field is not their snake_case spelling (`config.` + this). */
const OPTION_FIELDS: Readonly<Record<string, string>> = {
  allowedMethods: "crs_setup.allowed_methods",
  allowedContentTypes: "crs_setup.allowed_request_content_types",
  allowedHttpVersions: "crs_setup.allowed_http_versions",
  restrictedExtensions: "crs_setup.restricted_extensions",
  restrictedHeaders: "crs_setup.restricted_headers",
  maxNumArgs: "crs_setup.max_num_args",
  argNameLength: "crs_setup.arg_name_length",
  argLength: "crs_setup.arg_length",
  totalArgLength: "crs_setup.total_arg_length",
  maxFileSize: "crs_setup.max_file_size",
  combinedFileSizes: "crs_setup.combined_file_sizes",
  requestBodyLimit: "request_body_limit_bytes",
  responseBodyLimit: "response_body_limit_bytes",
};

/** The API field of an engine option path (`exclusions.0.ruleIds` → `exclusions.0.rule_ids`). */
function apiField(option: string): string {
  return option
    .split(".")
    .map((part) => OPTION_FIELDS[part] ?? part.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`))
    .join(".");
}

/**
 * Compiles rule set `parsed` with the settings of `config` (through the cache) and turns a
 * failure into an DomainError under `prefix` (`config`, or `policies.<name>.config` at publish):
 * an option the engine refuses is VALIDATION_FAILED naming it; an exclusion's directive names
 * `exclusions.N`; anything in the rule set's own files is RULE_SET_INVALID naming `rule_set`
 * with the engine's code, file, line and rule id.
 * @throws DomainError
 */
export function checkWafCompiles(config: WafConfigBody, parsed: ParsedRuleSet, prefix = "config"): void {
  const options = wafOptionsOf(config);
  const key = compileKey(parsed.contentHash, options);
  let outcome = compiled.get(key);
  if (outcome) wafCompileStats.hits++;
  else {
    wafCompileStats.compiles++;
    try {
      parsed.compile(options);
      outcome = { ok: true };
    } catch (err) {
      if (!(err instanceof WafError)) throw err;
      outcome = { error: err };
    }
    compiled.set(key, outcome);
  }
  if ("ok" in outcome) return;
  const err = outcome.error;
  if (err.code === "WAF_OPTIONS") {
    const option = /^([A-Za-z]+(?:\.[A-Za-z0-9]+)*): /.exec(err.message)?.[1];
    throw new DomainError("VALIDATION_FAILED", err.message, option ? `${prefix}.${apiField(option)}` : prefix);
  }
  if (err.file === "policy-exclusions.conf" && err.line !== undefined) {
    throw new DomainError(
      "VALIDATION_FAILED",
      err.message,
      `${prefix}.exclusions.${exclusionOfLine(config, err.line)}`,
    );
  }
  throw ruleSetError(err, () => `${prefix}.rule_set`);
}

/** Index of the exclusion whose directive is on `line` of policy-exclusions.conf (one per rule id, then one per tag). */
function exclusionOfLine(config: WafConfigBody, line: number): number {
  let at = 0;
  const list = config.exclusions ?? [];
  for (let i = 0; i < list.length; i++) {
    at += (list[i]!.rule_ids?.length ?? 0) + (list[i]!.tags?.length ?? 0);
    if (line <= at) return i;
  }
  return Math.max(0, list.length - 1);
}

/**
 * The publish-time check of a stored waf policy: its rule set exists, its exclusions name rules
 * the rule set has, and the rule set compiles with its settings (a cache hit unless the policy
 * or the rule set changed since it was last checked).
 * @throws DomainError REFERENCE_NOT_FOUND / RULE_SET_INVALID / VALIDATION_FAILED naming
 *   `policies.<name>.config…`
 */
export async function checkWafPolicy(policy: StoredResource, store: Store): Promise<void> {
  const config = policy.body.config as WafConfigBody;
  const prefix = `policies.${policy.name}.config`;
  const ruleSet = config.rule_set === undefined ? undefined : await store.getResource("rule-sets", config.rule_set);
  if (!ruleSet)
    throw new DomainError(
      "REFERENCE_NOT_FOUND",
      `policy ${policy.name} names a missing rule set`,
      `${prefix}.rule_set`,
    );
  let parsed: ParsedRuleSet;
  try {
    parsed = parsedRuleSetOf(ruleSet);
  } catch (err) {
    if (err instanceof WafError) throw ruleSetError(err, () => `${prefix}.rule_set`);
    throw err;
  }
  checkWafConfigRules(config, ruleSet.name, parsed, prefix);
}
