/**
 * The waf policy form as data (issue 14): the config it edits is exactly the API's `config`
 * (control-plane/README.md "WAF"), so this module only knows its shape: defaults shown as
 * placeholders, immutable edits of nested fields (an emptied field or group is left out, so the
 * node applies its default), exclusion rows and the rule lookup's "add this rule", and the
 * fields the form renders (for placing the API's error beside the right box).
 */

/** One exclusion as the API takes it (routes by name or id). */
export interface WafExclusion {
  rule_ids?: string[];
  tags?: string[];
  target?: string;
  routes?: string[];
}

/** The config of a waf policy, as edited. Unknown members are kept as they are. */
export type WafConfig = Record<string, unknown> & {
  rule_set?: string;
  mode?: string;
  paranoia_level?: number;
  detection_paranoia_level?: number;
  exclusions?: WafExclusion[];
  crs_setup?: Record<string, unknown>;
};

/** What the API and the nodes apply to a field left out (shown as placeholders and hints). */
export const WAF_DEFAULTS = {
  paranoia_level: 1,
  inbound_anomaly_threshold: 5,
  outbound_anomaly_threshold: 4,
  request_body_limit_bytes: 131_072,
  response_body_limit_bytes: 524_288,
  sample_percent: 100,
  max_num_args: 255,
  arg_name_length: 100,
  arg_length: 400,
  total_arg_length: 64_000,
  max_file_size: 1_048_576,
  combined_file_sizes: 1_048_576,
} as const;

/** CRS setup variables the form shows, in order: [field under crs_setup, label, kind]. */
export const CRS_SETUP_FIELDS: ReadonlyArray<readonly [string, string, "list" | "number"]> = [
  ["allowed_methods", "Allowed methods", "list"],
  ["allowed_request_content_types", "Allowed content types", "list"],
  ["allowed_http_versions", "Allowed HTTP versions", "list"],
  ["restricted_extensions", "Restricted extensions", "list"],
  ["restricted_headers", "Restricted headers", "list"],
  ["max_num_args", "Max arguments", "number"],
  ["arg_name_length", "Max argument name length", "number"],
  ["arg_length", "Max argument length", "number"],
  ["total_arg_length", "Max total argument length", "number"],
  ["max_file_size", "Max file size (bytes)", "number"],
  ["combined_file_sizes", "Max combined file sizes (bytes)", "number"],
];

/** A new waf policy's config: block mode at paranoia level 1 on the default rule set. */
export function emptyWafConfig(): WafConfig {
  return { mode: "block", paranoia_level: 1 };
}

function isEmpty(v: unknown): boolean {
  return (
    v === undefined ||
    v === "" ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)
  );
}

/**
 * `config` with the field at `path` (dot-separated: `crs_setup.max_num_args`,
 * `exclusions.0.target`) set to `value`, or removed when `value` is empty (undefined, "", [],
 * {}); a group left empty by the removal is removed too. An exclusion row stays (even empty)
 * until {@link removeExclusion}. Never mutates `config`.
 */
export function setWafField(config: WafConfig, path: string, value: unknown): WafConfig {
  return setIn(config, path.split("."), value) as WafConfig;
}

function setIn(node: unknown, keys: readonly string[], value: unknown): unknown {
  const [key, ...rest] = keys as [string, ...string[]];
  if (Array.isArray(node)) {
    const out = [...node];
    const i = Number(key);
    out[i] = rest.length === 0 ? (value ?? {}) : setIn(out[i] ?? {}, rest, value);
    return out;
  }
  const out: Record<string, unknown> = { ...(node as Record<string, unknown>) };
  const next = rest.length === 0 ? value : setIn(out[key] ?? {}, rest, value);
  if (isEmpty(next)) delete out[key];
  else out[key] = next;
  return out;
}

/** Adds an empty exclusion row at the end. */
export function addExclusion(config: WafConfig): WafConfig {
  return { ...config, exclusions: [...(config.exclusions ?? []), {}] };
}

/** Removes exclusion `i`. */
export function removeExclusion(config: WafConfig, i: number): WafConfig {
  const list = (config.exclusions ?? []).filter((_, j) => j !== i);
  const { exclusions: _drop, ...rest } = config;
  return list.length > 0 ? { ...rest, exclusions: list } : rest;
}

/**
 * Adds rule `id` (a found rule of the lookup) to exclusion `i`'s rule ids, or to a new exclusion
 * when `i` is -1 or past the end. A rule already listed is not added twice.
 */
export function addRuleToExclusion(config: WafConfig, i: number, id: number): WafConfig {
  const list = [...(config.exclusions ?? [])];
  const at = i >= 0 && i < list.length ? i : list.length;
  const current = list[at] ?? {};
  const ids = current.rule_ids ?? [];
  list[at] = { ...current, rule_ids: ids.includes(String(id)) ? ids : [...ids, String(id)] };
  return { ...config, exclusions: list };
}

/**
 * One exclusion as a sentence: "942* removed", "942100, tag attack-sqli skip ARGS:password on
 * login" (route ids named through `routeNames`).
 */
export function describeExclusion(e: WafExclusion, routeNames: ReadonlyMap<string, string> = new Map()): string {
  const what = [...(e.rule_ids ?? []), ...(e.tags ?? []).map((t) => `tag ${t}`)].join(", ") || "(no rule)";
  const how = e.target ? `skip ${e.target}` : "removed";
  const where = e.routes?.length ? ` on ${e.routes.map((r) => routeNames.get(r) ?? r).join(", ")}` : "";
  return `${what} ${how}${where}`;
}

/**
 * The fields the waf form renders, so an API error (`config.exclusions.1.target`) is shown
 * beside its box (lib/field-errors.ts picks the deepest rendered one).
 */
export function wafFields(config: WafConfig): string[] {
  const top = [
    "rule_set",
    "mode",
    "paranoia_level",
    "detection_paranoia_level",
    "inbound_anomaly_threshold",
    "outbound_anomaly_threshold",
    "exclusions",
    "request_body_limit_bytes",
    "request_body_limit_action",
    "response_inspection",
    "response_body_limit_bytes",
    "sample_percent",
    "error_action",
    "secret_fields",
  ].map((f) => `config.${f}`);
  const setup = CRS_SETUP_FIELDS.map(([f]) => `config.crs_setup.${f}`);
  const rows = (config.exclusions ?? []).flatMap((_, i) =>
    ["", ".rule_ids", ".tags", ".target", ".routes"].map((f) => `config.exclusions.${i}${f}`),
  );
  return [...top, "config.crs_setup", ...setup, ...rows];
}

/** "12.5" → 12.5; "" → undefined; anything else is sent as typed (the API names the field). */
export function parsePercent(text: string): number | string | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}
