import { type SourceLocation, WafError } from "../errors.js";
import type { TargetSpec } from "../seclang/target-list.js";
import { compileSelector } from "./actions.js";
import type { CompiledTarget, TargetExclusion } from "./types.js";

/**
 * Every variable the engine knows (ModSecurity reference manual, "Variables"), with whether it
 * is a collection (takes a `:key` selector). Persistent collections (IP, GLOBAL, SESSION, USER,
 * RESOURCE) exist after `initcol`.
 */
export const VARIABLES: ReadonlyMap<string, "collection" | "scalar"> = new Map<string, "collection" | "scalar">([
  ...(
    [
      "ARGS",
      "ARGS_NAMES",
      "ARGS_GET",
      "ARGS_GET_NAMES",
      "ARGS_POST",
      "ARGS_POST_NAMES",
      "ENV",
      "FILES",
      "FILES_NAMES",
      "FILES_SIZES",
      "FILES_TMPNAMES",
      "FILES_TMP_CONTENT",
      "GEO",
      "MATCHED_VARS",
      "MATCHED_VARS_NAMES",
      "MULTIPART_FILENAME",
      "MULTIPART_NAME",
      "MULTIPART_PART_HEADERS",
      "REQUEST_COOKIES",
      "REQUEST_COOKIES_NAMES",
      "REQUEST_HEADERS",
      "REQUEST_HEADERS_NAMES",
      "RESPONSE_HEADERS",
      "RESPONSE_HEADERS_NAMES",
      "RULE",
      "TX",
      "XML",
      "IP",
      "GLOBAL",
      "SESSION",
      "USER",
      "RESOURCE",
    ] as const
  ).map((n) => [n, "collection"] as const),
  ...(
    [
      "ARGS_COMBINED_SIZE",
      "AUTH_TYPE",
      "DURATION",
      "FILES_COMBINED_SIZE",
      "FULL_REQUEST",
      "FULL_REQUEST_LENGTH",
      "HIGHEST_SEVERITY",
      "INBOUND_DATA_ERROR",
      "MATCHED_VAR",
      "MATCHED_VAR_NAME",
      "MODSEC_BUILD",
      "MULTIPART_BOUNDARY_QUOTED",
      "MULTIPART_BOUNDARY_WHITESPACE",
      "MULTIPART_CRLF_LF_LINES",
      "MULTIPART_DATA_AFTER",
      "MULTIPART_DATA_BEFORE",
      "MULTIPART_FILE_LIMIT_EXCEEDED",
      "MULTIPART_HEADER_FOLDING",
      "MULTIPART_INVALID_HEADER_FOLDING",
      "MULTIPART_INVALID_PART",
      "MULTIPART_INVALID_QUOTING",
      "MULTIPART_LF_LINE",
      "MULTIPART_MISSING_SEMICOLON",
      "MULTIPART_SEMICOLON_MISSING",
      "MULTIPART_STRICT_ERROR",
      "MULTIPART_UNMATCHED_BOUNDARY",
      "OUTBOUND_DATA_ERROR",
      "PATH_INFO",
      "QUERY_STRING",
      "REMOTE_ADDR",
      "REMOTE_HOST",
      "REMOTE_PORT",
      "REMOTE_USER",
      "REQBODY_ERROR",
      "REQBODY_ERROR_MSG",
      "REQBODY_PROCESSOR",
      "REQBODY_PROCESSOR_ERROR",
      "REQBODY_PROCESSOR_ERROR_MSG",
      "REQUEST_BASENAME",
      "REQUEST_BODY",
      "REQUEST_BODY_LENGTH",
      "REQUEST_FILENAME",
      "REQUEST_LINE",
      "REQUEST_METHOD",
      "REQUEST_PROTOCOL",
      "REQUEST_URI",
      "REQUEST_URI_RAW",
      "RESPONSE_BODY",
      "RESPONSE_CONTENT_LENGTH",
      "RESPONSE_CONTENT_TYPE",
      "RESPONSE_PROTOCOL",
      "RESPONSE_STATUS",
      "SERVER_ADDR",
      "SERVER_NAME",
      "SERVER_PORT",
      "SESSIONID",
      "STATUS_LINE",
      "TIME",
      "TIME_DAY",
      "TIME_EPOCH",
      "TIME_HOUR",
      "TIME_MIN",
      "TIME_MON",
      "TIME_SEC",
      "TIME_WDAY",
      "TIME_YEAR",
      "UNIQUE_ID",
      "URLENCODED_ERROR",
      "USERID",
      "USERAGENT_IP",
      "WEBAPPID",
    ] as const
  ).map((n) => [n, "scalar"] as const),
]);

/** Variables whose values change while a phase runs (setvar, matches, collections, ctl). */
export const DYNAMIC_VARIABLES: ReadonlySet<string> = new Set([
  "TX",
  "MATCHED_VAR",
  "MATCHED_VAR_NAME",
  "MATCHED_VARS",
  "MATCHED_VARS_NAMES",
  "RULE",
  "DURATION",
  "IP",
  "GLOBAL",
  "SESSION",
  "USER",
  "RESOURCE",
  "REQBODY_PROCESSOR",
]);

/**
 * Compiles a rule's target list: included targets and `!` exclusions apart.
 * @throws WafError SECLANG_UNKNOWN_VARIABLE for a name the engine does not know.
 */
export function compileTargets(
  specs: readonly TargetSpec[],
  loc: SourceLocation,
  ruleId: number | undefined,
): { targets: CompiledTarget[]; exclusions: TargetExclusion[] } {
  const targets: CompiledTarget[] = [];
  const exclusions: TargetExclusion[] = [];
  for (const s of specs) {
    if (!VARIABLES.has(s.name))
      throw new WafError("SECLANG_UNKNOWN_VARIABLE", `unknown variable ${s.name}`, { loc, ruleId });
    let selector: CompiledTarget["selector"];
    try {
      selector = s.name === "XML" ? null : compileSelector(s.selector);
    } catch (e) {
      throw new WafError("SECLANG_REGEX_UNSUPPORTED", `${s.name} selector: ${(e as Error).message}`, { loc, ruleId });
    }
    if (s.exclude) exclusions.push({ variable: s.name, selector });
    else
      targets.push({
        variable: s.name,
        count: s.count,
        selector,
        xpath: s.name === "XML" && s.selector?.kind === "key" ? s.selector.key : null,
        selectKey: "",
        unionKey: "",
        dynamic: DYNAMIC_VARIABLES.has(s.name),
        selId: -1,
      });
  }
  const describe = (sel: CompiledTarget["selector"]) =>
    sel === null ? "" : sel.kind === "key" ? `:${sel.key}` : `:/${sel.regex.source}/`;
  for (const t of targets) {
    const ex = exclusions
      .filter((e) => e.variable === t.variable)
      .map((e) => `!${describe(e.selector)}`)
      .sort()
      .join("|");
    (t as { selectKey: string }).selectKey =
      `${t.count ? "&" : ""}${t.variable}${describe(t.selector)}${t.xpath ?? ""}${ex}`;
  }
  return { targets, exclusions };
}
