import { WafError } from "../errors.js";

/**
 * An exclusion a `waf` policy makes (CRS documentation, "False positives and tuning"): rules by id
 * (`942100`, a range `942100-942199`, or a family `942*`) or by tag (`attack-sqli`), either
 * removed, or — with `target` — told to skip one variable (`ARGS:password`,
 * `REQUEST_COOKIES:/^sess_/`).
 */
export interface WafExclusion {
  readonly ruleIds?: readonly string[];
  readonly tags?: readonly string[];
  readonly target?: string;
}

/**
 * What a `waf` policy sets, compiled into SecLang the way crs-setup.conf.example does it (rule
 * ids 900000–900350) and exclusions after the rules (SecRuleRemoveBy…/SecRuleUpdateTargetBy…).
 * Every field is optional; CRS's defaults apply to what is left out.
 */
export interface WafPolicyOptions {
  /** `block` runs SecRuleEngine On, `detect` DetectionOnly (matches are reported, nothing is stopped). Default block. */
  readonly mode?: "block" | "detect";
  /** tx.blocking_paranoia_level (CRS 900000), 1–4. Default 1. */
  readonly paranoiaLevel?: number;
  /** tx.detection_paranoia_level (CRS 900001), ≥ paranoiaLevel: rules above the blocking level score without blocking. */
  readonly detectionParanoiaLevel?: number;
  /** tx.inbound_anomaly_score_threshold (CRS 900110), ≥ 1. Default 5. */
  readonly inboundAnomalyThreshold?: number;
  /** tx.outbound_anomaly_score_threshold (CRS 900110), ≥ 1. Default 4. */
  readonly outboundAnomalyThreshold?: number;
  /** tx.allowed_methods (CRS 900200). Default GET HEAD POST OPTIONS. */
  readonly allowedMethods?: readonly string[];
  /** tx.allowed_request_content_type (CRS 900220), lower-case media types. */
  readonly allowedContentTypes?: readonly string[];
  /** tx.allowed_http_versions (CRS 900230). */
  readonly allowedHttpVersions?: readonly string[];
  /** tx.restricted_extensions (CRS 900240), e.g. `.bak`. */
  readonly restrictedExtensions?: readonly string[];
  /** tx.restricted_headers_basic (CRS 900250), lower-case header names (`proxy`, `x-http-method-override`). */
  readonly restrictedHeaders?: readonly string[];
  /** tx.max_num_args (CRS 900300). */
  readonly maxNumArgs?: number;
  /** tx.arg_name_length (CRS 900310), bytes. */
  readonly argNameLength?: number;
  /** tx.arg_length (CRS 900320), bytes. */
  readonly argLength?: number;
  /** tx.total_arg_length (CRS 900330), bytes. */
  readonly totalArgLength?: number;
  /** tx.max_file_size (CRS 900340), bytes. */
  readonly maxFileSize?: number;
  /** tx.combined_file_sizes (CRS 900350), bytes. */
  readonly combinedFileSizes?: number;
  /** Request bodies are inspected up to this many bytes (SecRequestBodyLimit and SecRequestBodyNoFilesLimit). */
  readonly requestBodyLimit?: number;
  /** Past the limit: `reject` (413) or `inspect-partial` (inspect the first bytes, pass the rest). Default reject. */
  readonly requestBodyLimitAction?: "reject" | "inspect-partial";
  /** Inspect response bodies (RESPONSE-95x). Default off. */
  readonly responseInspection?: boolean;
  /** Response bodies are inspected up to this many bytes (SecResponseBodyLimit). */
  readonly responseBodyLimit?: number;
  /** Exclusions, applied after the rules. */
  readonly exclusions?: readonly WafExclusion[];
}

/** The SecLang a policy compiles to: `setup` goes before CRS (after Palisade's engine configuration), `exclusions` after. */
export interface PolicySecLang {
  readonly setup: string;
  readonly exclusions: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function fail(field: string, detail: string): never {
  throw new WafError("WAF_OPTIONS", `${field}: ${detail}`);
}

function int(field: string, v: number | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min || v > max) fail(field, `must be an integer from ${min} to ${max}`);
  return v;
}

function words(field: string, list: readonly string[] | undefined, pattern: RegExp): string[] | undefined {
  if (list === undefined) return undefined;
  for (const w of list) if (!pattern.test(w)) fail(field, `"${w}" is not allowed`);
  return [...list];
}

/** `942100` → "942100"; `942100-942199` → "942100-942199"; `942*` → "942000-942999". */
function idRange(field: string, text: string): string {
  const star = /^(\d{1,5})\*$/.exec(text);
  if (star) {
    const width = 6 - star[1]!.length;
    return `${star[1]}${"0".repeat(width)}-${star[1]}${"9".repeat(width)}`;
  }
  if (!/^\d{1,7}(?:-\d{1,7})?$/.test(text)) fail(field, `"${text}" is not a rule id, range or family (942*)`);
  return text;
}

/**
 * Compiles policy options into SecLang (crs-setup.conf's SecActions and exclusion directives), so
 * every policy shares the same compiled CRS structure and only these values differ.
 * @throws WafError WAF_OPTIONS naming the field at fault.
 */
export function policySecLang(o: WafPolicyOptions): PolicySecLang {
  const pl = int("paranoiaLevel", o.paranoiaLevel, 1, 4) ?? 1;
  const dpl = int("detectionParanoiaLevel", o.detectionParanoiaLevel, 1, 4) ?? pl;
  if (dpl < pl) fail("detectionParanoiaLevel", "must not be below paranoiaLevel");
  const sets: string[] = [`tx.blocking_paranoia_level=${pl}`, `tx.detection_paranoia_level=${dpl}`];
  const inbound = int("inboundAnomalyThreshold", o.inboundAnomalyThreshold, 1, 10_000);
  const outbound = int("outboundAnomalyThreshold", o.outboundAnomalyThreshold, 1, 10_000);
  if (inbound !== undefined) sets.push(`tx.inbound_anomaly_score_threshold=${inbound}`);
  if (outbound !== undefined) sets.push(`tx.outbound_anomaly_score_threshold=${outbound}`);
  const methods = words("allowedMethods", o.allowedMethods, TOKEN);
  if (methods) sets.push(`tx.allowed_methods=${methods.join(" ")}`);
  const types = words("allowedContentTypes", o.allowedContentTypes, /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/);
  if (types) sets.push(`tx.allowed_request_content_type=${types.map((t) => `|${t}|`).join(" ")}`);
  const versions = words("allowedHttpVersions", o.allowedHttpVersions, /^HTTP\/\d(?:\.\d)?$/);
  if (versions) sets.push(`tx.allowed_http_versions=${versions.join(" ")}`);
  const exts = words("restrictedExtensions", o.restrictedExtensions, /^\.[A-Za-z0-9_-]+$/);
  if (exts) sets.push(`tx.restricted_extensions=${exts.map((e) => `${e}/`).join(" ")}`);
  const headers = words("restrictedHeaders", o.restrictedHeaders, /^[a-z0-9!#$%&*+.^_`|~-]+$/);
  if (headers) sets.push(`tx.restricted_headers_basic=${headers.map((h) => `/${h}/`).join(" ")}`);
  const limits: Array<[keyof WafPolicyOptions, string]> = [
    ["maxNumArgs", "max_num_args"],
    ["argNameLength", "arg_name_length"],
    ["argLength", "arg_length"],
    ["totalArgLength", "total_arg_length"],
    ["maxFileSize", "max_file_size"],
    ["combinedFileSizes", "combined_file_sizes"],
  ];
  for (const [field, tx] of limits) {
    const v = int(field, o[field] as number | undefined, 1, 1 << 30);
    if (v !== undefined) sets.push(`tx.${tx}=${v}`);
  }
  const lines = [
    `SecRuleEngine ${o.mode === "detect" ? "DetectionOnly" : "On"}`,
    `SecAction "id:900000,phase:1,pass,t:none,nolog,tag:'OWASP_CRS',${sets.map((s) => `setvar:'${s}'`).join(",")}"`,
  ];
  const bodyLimit = int("requestBodyLimit", o.requestBodyLimit, 1, 1 << 30);
  if (bodyLimit !== undefined)
    lines.push(`SecRequestBodyLimit ${bodyLimit}`, `SecRequestBodyNoFilesLimit ${bodyLimit}`);
  if (o.requestBodyLimitAction !== undefined) {
    if (o.requestBodyLimitAction !== "reject" && o.requestBodyLimitAction !== "inspect-partial")
      fail("requestBodyLimitAction", "must be reject or inspect-partial");
    lines.push(`SecRequestBodyLimitAction ${o.requestBodyLimitAction === "reject" ? "Reject" : "ProcessPartial"}`);
  }
  if (o.responseInspection !== undefined) lines.push(`SecResponseBodyAccess ${o.responseInspection ? "On" : "Off"}`);
  const respLimit = int("responseBodyLimit", o.responseBodyLimit, 1, 1 << 30);
  if (respLimit !== undefined) lines.push(`SecResponseBodyLimit ${respLimit}`);

  const excl: string[] = [];
  (o.exclusions ?? []).forEach((e, i) => {
    const field = `exclusions.${i}`;
    if (!e.ruleIds?.length && !e.tags?.length) fail(field, "names no rule id and no tag");
    let target: string | undefined;
    if (e.target !== undefined) {
      const m = /^([A-Z_]+)(?::(\/(?:[^/\\]|\\.)+\/|[^|"'\s]+))?$/.exec(e.target);
      if (!m) fail(`${field}.target`, `"${e.target}" is not VARIABLE or VARIABLE:key or VARIABLE:/regex/`);
      target = e.target;
    }
    for (const id of e.ruleIds ?? []) {
      const range = idRange(`${field}.ruleIds`, id);
      excl.push(target ? `SecRuleUpdateTargetById ${range} "!${target}"` : `SecRuleRemoveById ${range}`);
    }
    for (const tag of e.tags ?? []) {
      if (!/^[A-Za-z0-9_./-]+$/.test(tag)) fail(`${field}.tags`, `"${tag}" is not a tag`);
      excl.push(target ? `SecRuleUpdateTargetByTag ${tag} "!${target}"` : `SecRuleRemoveByTag ${tag}`);
    }
  });
  return { setup: `${lines.join("\n")}\n`, exclusions: `${excl.join("\n")}\n` };
}
