import { type SourceLocation, WafError } from "../errors.js";
import { type ActionSpec, parseActionList } from "./action-list.js";
import type { Directive, IdRange, OperatorSpec, SettingName } from "./directives.js";
import { logicalLines } from "./lexer.js";
import { parseTargetList } from "./target-list.js";

/**
 * Directives Palisade accepts and ignores, with the reason (README "What is ignored"). They
 * configure what a proxy does around ModSecurity (audit log, temporary files, PCRE limits, …)
 * and have no meaning in Palisade's engine.
 */
export const IGNORED_DIRECTIVES: ReadonlyMap<string, string> = new Map([
  ["secauditengine", "audit logging: Palisade reports matches as security events"],
  ["secauditlog", "audit logging: Palisade reports matches as security events"],
  ["secauditlog2", "audit logging: Palisade reports matches as security events"],
  ["secauditlogparts", "audit logging: Palisade reports matches as security events"],
  ["secauditlogtype", "audit logging: Palisade reports matches as security events"],
  ["secauditlogformat", "audit logging: Palisade reports matches as security events"],
  ["secauditlogrelevantstatus", "audit logging: Palisade reports matches as security events"],
  ["secauditlogstoragedir", "audit logging: Palisade reports matches as security events"],
  ["secauditlogdirmode", "audit logging: Palisade reports matches as security events"],
  ["secauditlogfilemode", "audit logging: Palisade reports matches as security events"],
  ["secdebuglog", "debug logging: the engine has no debug log file"],
  ["secdebugloglevel", "debug logging: the engine has no debug log file"],
  ["sectmpdir", "files: bodies are held in memory within the body limit"],
  ["secdatadir", "files: persistent collections are node-local and in memory"],
  ["secuploaddir", "files: uploads are inspected in memory, never stored"],
  ["secuploadkeepfiles", "files: uploads are inspected in memory, never stored"],
  ["secuploadfilemode", "files: uploads are inspected in memory, never stored"],
  ["sectmpsaveuploadedfiles", "files: uploads are inspected in memory, never stored"],
  ["secrequestbodyinmemorylimit", "bodies are always held in memory within SecRequestBodyLimit"],
  ["secpcrematchlimit", "regular expressions run on a linear-time engine: no backtracking limit applies"],
  ["secpcrematchlimitrecursion", "regular expressions run on a linear-time engine: no backtracking limit applies"],
  ["secstatusengine", "no call-home status reporting"],
  ["secserversignature", "the proxy owns the Server header"],
  ["secsensorid", "audit logging identity: events carry the node id"],
  ["secwebappid", "collections are node-local: no per-application namespace"],
  ["seccookieformat", "cookies are parsed as version 0 (RFC 6265) always"],
  [
    "secunicodemapfile",
    "urlDecodeUni maps %uXXXX by the transformation's own rule (the low byte, or the full-width ASCII range)",
  ],
  ["secxmlexternalentity", "the XML body processor never loads external entities"],
  ["secconnengine", "connection limits belong to the proxy's listeners"],
  ["sechashengine", "no response rewriting"],
  ["secgeolookupdb", "no GEO database: CRS v4 reads no GEO variable"],
]);

/** Settings directives, lower-cased name → setting. */
const SETTINGS: ReadonlyMap<string, SettingName> = new Map([
  ["secruleengine", "ruleEngine"],
  ["secrequestbodyaccess", "requestBodyAccess"],
  ["secresponsebodyaccess", "responseBodyAccess"],
  ["secrequestbodylimit", "requestBodyLimit"],
  ["secrequestbodynofileslimit", "requestBodyNoFilesLimit"],
  ["secrequestbodylimitaction", "requestBodyLimitAction"],
  ["secargumentslimit", "argumentsLimit"],
  ["secresponsebodylimit", "responseBodyLimit"],
  ["secresponsebodylimitaction", "responseBodyLimitAction"],
  ["secresponsebodymimetype", "responseBodyMimeType"],
  ["secresponsebodymimetypesclear", "responseBodyMimeTypesClear"],
  ["secargumentseparator", "argumentSeparator"],
  ["secuploadfilelimit", "uploadFileLimit"],
  ["seccollectiontimeout", "collectionTimeout"],
  ["secrequestbodyjsondepthlimit", "requestBodyJsonDepthLimit"],
] as const);

/** Reads an `Include`d path: returns the files it names (a glob may name several), in order. */
export type IncludeResolver = (path: string, from: SourceLocation) => ReadonlyArray<{ file: string; text: string }>;

/**
 * Parses a SecLang configuration file into directives, each with its file and 1-based line.
 * `Include path` is followed through `include` when given and is an error otherwise.
 * @throws WafError SECLANG_SYNTAX, SECLANG_UNKNOWN_DIRECTIVE or SECLANG_BAD_ARGUMENT with the
 *   file, line and (for rules) the rule id.
 */
export function parseSecLang(text: string, file: string, include?: IncludeResolver): Directive[] {
  const out: Directive[] = [];
  for (const { words, loc } of logicalLines(text, file)) {
    const name = words[0]!;
    const args = words.slice(1);
    const lower = name.toLowerCase();
    const ruleId = guessRuleId(args);
    const fail = (code: "SECLANG_SYNTAX" | "SECLANG_BAD_ARGUMENT", detail: string): never => {
      throw new WafError(code, `${name}: ${detail}`, { loc, ruleId });
    };
    const want = (min: number, max: number) => {
      if (args.length < min || args.length > max)
        fail("SECLANG_SYNTAX", `expects ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`);
    };
    switch (lower) {
      case "secrule": {
        want(2, 3);
        out.push({
          kind: "rule",
          loc,
          targets: parseTargetList(args[0]!, loc),
          operator: parseOperator(args[1]!),
          actions: args[2] === undefined ? [] : withRuleId(() => parseActionList(args[2]!, loc), loc, ruleId),
        });
        break;
      }
      case "secaction":
        want(1, 1);
        out.push({ kind: "action", loc, actions: withRuleId(() => parseActionList(args[0]!, loc), loc, ruleId) });
        break;
      case "secmarker":
        want(1, 1);
        out.push({ kind: "marker", loc, name: args[0]! });
        break;
      case "secdefaultaction":
        want(1, 1);
        out.push({ kind: "defaultAction", loc, actions: parseActionList(args[0]!, loc) });
        break;
      case "seccomponentsignature":
        want(1, 1);
        out.push({ kind: "componentSignature", loc, value: args[0]! });
        break;
      case "secruleremovebyid":
        if (args.length === 0) fail("SECLANG_SYNTAX", "expects rule ids");
        out.push({ kind: "removeById", loc, ranges: args.flatMap((a) => parseIdRanges(a, loc)) });
        break;
      case "secruleremovebytag":
      case "secruleremovebymsg":
        want(1, 1);
        out.push({ kind: lower === "secruleremovebytag" ? "removeByTag" : "removeByMsg", loc, value: args[0]! });
        break;
      case "secruleupdatetargetbyid":
        want(2, 3);
        out.push({
          kind: "updateTargetById",
          loc,
          ranges: parseIdRanges(args[0]!, loc),
          targets: parseTargetList(args[1]!, loc),
          replaced: args[2] === undefined ? null : parseTargetList(args[2], loc),
        });
        break;
      case "secruleupdatetargetbytag":
      case "secruleupdatetargetbymsg":
        want(2, 3);
        out.push({
          kind: lower === "secruleupdatetargetbytag" ? "updateTargetByTag" : "updateTargetByMsg",
          loc,
          value: args[0]!,
          targets: parseTargetList(args[1]!, loc),
          replaced: args[2] === undefined ? null : parseTargetList(args[2], loc),
        });
        break;
      case "secruleupdateactionbyid": {
        want(2, 2);
        const id = Number(args[0]!.split(":")[0]);
        if (!Number.isInteger(id) || id <= 0) fail("SECLANG_BAD_ARGUMENT", `bad rule id "${args[0]}"`);
        out.push({ kind: "updateActionById", loc, id, actions: parseActionList(args[1]!, loc) });
        break;
      }
      case "include": {
        want(1, 1);
        if (!include) fail("SECLANG_BAD_ARGUMENT", "Include is not available here: pass the files in order");
        for (const f of include!(args[0]!, loc)) out.push(...parseSecLang(f.text, f.file, include));
        break;
      }
      default: {
        const setting = SETTINGS.get(lower);
        if (setting !== undefined) {
          if (setting !== "responseBodyMimeTypesClear" && args.length === 0) fail("SECLANG_SYNTAX", "expects a value");
          out.push({ kind: "setting", loc, name: setting, args });
          break;
        }
        if (IGNORED_DIRECTIVES.has(lower)) {
          out.push({ kind: "ignored", loc, name });
          break;
        }
        throw new WafError("SECLANG_UNKNOWN_DIRECTIVE", `unknown directive ${name}`, { loc });
      }
    }
  }
  return out;
}

/**
 * Parses an operator string: `@name argument`, `!@name argument`, or a bare regular expression
 * (which is `@rx`). White space between the name and the argument is skipped.
 */
export function parseOperator(text: string): OperatorSpec {
  let s = text;
  let negated = false;
  if (s.startsWith("!")) {
    negated = true;
    s = s.slice(1);
  }
  if (!s.startsWith("@")) return { name: "rx", negated, argument: s };
  const m = /^@([A-Za-z0-9_]+)(?:[ \t]+|$)/.exec(s);
  if (!m) return { name: s.slice(1).toLowerCase(), negated, argument: "" };
  return { name: m[1]!.toLowerCase(), negated, argument: s.slice(m[0].length) };
}

/** `1-99` → [[1, 99]]; `1,5` → [[1,1],[5,5]]; `942100` → [[942100, 942100]]. */
export function parseIdRanges(text: string, loc: SourceLocation): IdRange[] {
  const out: IdRange[] = [];
  for (const part of text.split(/[\s,]+/)) {
    if (part === "") continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new WafError("SECLANG_BAD_ARGUMENT", `bad rule id or range "${part}"`, { loc });
    const low = Number(m[1]);
    const high = m[2] === undefined ? low : Number(m[2]);
    if (high < low) throw new WafError("SECLANG_BAD_ARGUMENT", `empty rule id range "${part}"`, { loc });
    out.push([low, high]);
  }
  return out;
}

/** The `id:` of an action-list argument, to name the rule in a parse error before it is parsed. */
function guessRuleId(args: readonly string[]): number | undefined {
  for (const a of args) {
    const m = /(?:^|[,\s])id:'?(\d+)/.exec(a);
    if (m) return Number(m[1]);
  }
  return undefined;
}

function withRuleId(parse: () => ActionSpec[], loc: SourceLocation, ruleId: number | undefined): ActionSpec[] {
  try {
    return parse();
  } catch (e) {
    if (e instanceof WafError && e.ruleId === undefined && ruleId !== undefined)
      throw new WafError(e.code, e.message.replace(`${loc.file}:${loc.line}: `, ""), { loc, ruleId });
    throw e;
  }
}
