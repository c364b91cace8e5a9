import { type SourceLocation, WafError } from "../errors.js";
import { LinearRegex } from "../regex/linear-regex.js";
import type { ActionSpec } from "../seclang/action-list.js";
import { parseIdRanges } from "../seclang/parser.js";
import { parseTargetList } from "../seclang/target-list.js";
import { compileMacro, type Macro } from "./macro.js";
import type { BodyProcessorName, Ctl, Effect, Phase, RuleEngineMode, SetVarOp, TargetExclusion } from "./types.js";

/** Severity names and numbers (reference manual, "severity"). */
const SEVERITIES: Record<string, number> = {
  emergency: 0,
  alert: 1,
  critical: 2,
  error: 3,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

/** Actions accepted and ignored, with the reason (README "What is ignored"). */
export const IGNORED_ACTIONS: ReadonlyMap<string, string> = new Map([
  ["setenv", "no web-server environment"],
  ["setuid", "no user collection binding: collections are node-local"],
  ["setsid", "no session collection binding: collections are node-local"],
  ["setrsc", "no resource collection binding"],
  ["sanitisearg", "audit-log masking: the caller redacts events"],
  ["sanitizearg", "audit-log masking: the caller redacts events"],
  ["sanitisematched", "audit-log masking: the caller redacts events"],
  ["sanitizematched", "audit-log masking: the caller redacts events"],
  ["sanitisematchedbytes", "audit-log masking: the caller redacts events"],
  ["sanitizematchedbytes", "audit-log masking: the caller redacts events"],
  ["sanitiserequestheader", "audit-log masking: the caller redacts events"],
  ["sanitizerequestheader", "audit-log masking: the caller redacts events"],
  ["sanitiseresponseheader", "audit-log masking: the caller redacts events"],
  ["sanitizeresponseheader", "audit-log masking: the caller redacts events"],
  ["deprecatevar", "not used by CRS v4"],
  ["append", "no response rewriting"],
  ["prepend", "no response rewriting"],
  ["xmlns", "XPath namespaces: the XML processor exposes XML:/* and XML://@* only"],
  ["pause", "no delays in the data plane"],
]);

/** The parsed action list of one rule link, before SecDefaultAction and chaining are applied. */
export interface ActionDraft {
  id: number | null;
  phase: Phase | null;
  msg: Macro | null;
  logdata: Macro | null;
  tags: string[];
  severity: number | null;
  ver: string | null;
  rev: string | null;
  maturity: number | null;
  accuracy: number | null;
  /** Transformation names in order; "none" resets. */
  transforms: string[];
  chain: boolean;
  capture: boolean;
  multiMatch: boolean;
  log: boolean | null;
  auditlog: boolean | null;
  disruptive: {
    kind: "pass" | "deny" | "drop" | "redirect" | "allow" | "block";
    allowScope: "all" | "phase" | "request";
  } | null;
  status: number | null;
  redirectUrl: Macro | null;
  skip: number;
  skipAfter: string | null;
  effects: Effect[];
}

/** An empty draft. */
export function emptyDraft(): ActionDraft {
  return {
    id: null,
    phase: null,
    msg: null,
    logdata: null,
    tags: [],
    severity: null,
    ver: null,
    rev: null,
    maturity: null,
    accuracy: null,
    transforms: [],
    chain: false,
    capture: false,
    multiMatch: false,
    log: null,
    auditlog: null,
    disruptive: null,
    status: null,
    redirectUrl: null,
    skip: 0,
    skipAfter: null,
    effects: [],
  };
}

/**
 * Applies an action list to a draft (later actions override earlier single-valued ones; `t:`,
 * `tag`, `setvar` and the other effects accumulate), as ModSecurity merges a rule's actions.
 * @throws WafError SECLANG_UNKNOWN_ACTION or SECLANG_BAD_ACTION, with `loc`.
 */
export function applyActions(draft: ActionDraft, actions: readonly ActionSpec[], loc: SourceLocation): ActionDraft {
  for (const a of actions) applyAction(draft, a, loc);
  return draft;
}

function need(a: ActionSpec, loc: SourceLocation, ruleId: number | null): string {
  if (a.value === undefined)
    throw new WafError("SECLANG_BAD_ACTION", `${a.name} needs a value`, { loc, ruleId: ruleId ?? undefined });
  return a.value;
}

function parsePhase(v: string): Phase | null {
  const lower = v.toLowerCase();
  if (lower === "request") return 2;
  if (lower === "response") return 4;
  if (lower === "logging") return 5;
  const n = Number(v);
  return n === 1 || n === 2 || n === 3 || n === 4 || n === 5 ? n : null;
}

function applyAction(d: ActionDraft, a: ActionSpec, loc: SourceLocation): void {
  const bad = (detail: string): never => {
    throw new WafError("SECLANG_BAD_ACTION", `${a.name}: ${detail}`, { loc, ruleId: d.id ?? undefined });
  };
  switch (a.name) {
    case "id": {
      const id = Number(need(a, loc, d.id));
      if (!Number.isInteger(id) || id <= 0) bad(`"${a.value}" is not a positive integer`);
      d.id = id;
      return;
    }
    case "phase": {
      const p = parsePhase(need(a, loc, d.id));
      if (p === null) bad(`"${a.value}" is not a phase`);
      d.phase = p;
      return;
    }
    case "msg":
      d.msg = compileMacro(need(a, loc, d.id));
      return;
    case "logdata":
      d.logdata = compileMacro(need(a, loc, d.id));
      return;
    case "tag":
      d.tags.push(need(a, loc, d.id));
      return;
    case "severity": {
      const v = need(a, loc, d.id);
      const s = /^\d$/.test(v) ? Number(v) : SEVERITIES[v.toLowerCase()];
      if (s === undefined || s > 7) bad(`"${v}" is not a severity`);
      d.severity = s!;
      return;
    }
    case "ver":
      d.ver = need(a, loc, d.id);
      return;
    case "rev":
      d.rev = need(a, loc, d.id);
      return;
    case "maturity":
    case "accuracy": {
      const n = Number(need(a, loc, d.id));
      if (!Number.isInteger(n) || n < 1 || n > 9) bad(`"${a.value}" is not 1–9`);
      if (a.name === "maturity") d.maturity = n;
      else d.accuracy = n;
      return;
    }
    case "t":
      d.transforms.push(need(a, loc, d.id).toLowerCase());
      return;
    case "chain":
      d.chain = true;
      return;
    case "capture":
      d.capture = true;
      return;
    case "multimatch":
      d.multiMatch = true;
      return;
    case "log":
      d.log = true;
      return;
    case "nolog":
      d.log = false;
      d.auditlog = d.auditlog ?? false;
      return;
    case "auditlog":
      d.auditlog = true;
      return;
    case "noauditlog":
      d.auditlog = false;
      return;
    case "pass":
    case "block":
    case "deny":
    case "drop":
      d.disruptive = { kind: a.name, allowScope: "all" };
      return;
    case "allow": {
      const v = (a.value ?? "").toLowerCase();
      if (v !== "" && v !== "phase" && v !== "request") bad(`"${a.value}" is not phase or request`);
      d.disruptive = { kind: "allow", allowScope: v === "" ? "all" : (v as "phase" | "request") };
      return;
    }
    case "redirect":
      d.disruptive = { kind: "redirect", allowScope: "all" };
      d.redirectUrl = compileMacro(need(a, loc, d.id));
      return;
    case "status": {
      const s = Number(need(a, loc, d.id));
      if (!Number.isInteger(s) || s < 100 || s > 599) bad(`"${a.value}" is not an HTTP status`);
      d.status = s;
      return;
    }
    case "skip": {
      const n = Number(need(a, loc, d.id));
      if (!Number.isInteger(n) || n < 1) bad(`"${a.value}" is not a positive integer`);
      d.skip = n;
      return;
    }
    case "skipafter":
      d.skipAfter = need(a, loc, d.id);
      return;
    case "setvar":
      d.effects.push(parseSetVar(need(a, loc, d.id), bad));
      return;
    case "expirevar": {
      const v = need(a, loc, d.id);
      const eq = v.indexOf("=");
      const name = eq < 0 ? v : v.slice(0, eq);
      const [collection, key] = splitVarName(name, bad);
      d.effects.push({
        kind: "expirevar",
        collection,
        key: compileMacro(key),
        seconds: compileMacro(eq < 0 ? "0" : v.slice(eq + 1)),
      });
      return;
    }
    case "initcol": {
      const v = need(a, loc, d.id);
      const eq = v.indexOf("=");
      if (eq < 0) bad("expects collection=key");
      d.effects.push({
        kind: "initcol",
        collection: v.slice(0, eq).trim().toLowerCase(),
        key: compileMacro(v.slice(eq + 1)),
      });
      return;
    }
    case "ctl":
      d.effects.push({ kind: "ctl", ctl: parseCtl(need(a, loc, d.id), loc, bad) });
      return;
    case "exec":
    case "proxy":
      bad("not supported: Palisade runs no external programs and proxies through its own routes");
      return;
    default:
      if (IGNORED_ACTIONS.has(a.name)) return;
      throw new WafError("SECLANG_UNKNOWN_ACTION", `unknown action ${a.name}`, { loc, ruleId: d.id ?? undefined });
  }
}

function splitVarName(name: string, bad: (d: string) => never): [string, string] {
  const dot = name.indexOf(".");
  if (dot <= 0) bad(`"${name}" is not collection.name`);
  return [name.slice(0, dot).trim().toLowerCase(), name.slice(dot + 1).trim()];
}

/** `tx.a=1`, `tx.a=+1`, `tx.a=-1`, `!tx.a`, `tx.a` (sets an empty value). */
function parseSetVar(text: string, bad: (d: string) => never): Effect {
  let t = text.trim();
  if (t.startsWith("!")) {
    t = t.slice(1);
    const [collection, key] = splitVarName(t, bad);
    return { kind: "setvar", collection, key: compileMacro(key), op: "delete", value: compileMacro("") };
  }
  const eq = t.indexOf("=");
  const name = eq < 0 ? t : t.slice(0, eq);
  let value = eq < 0 ? "" : t.slice(eq + 1);
  let op: SetVarOp = "set";
  if (value.startsWith("+")) {
    op = "add";
    value = value.slice(1);
  } else if (value.startsWith("-")) {
    op = "sub";
    value = value.slice(1);
  }
  const [collection, key] = splitVarName(name, bad);
  return { kind: "setvar", collection, key: compileMacro(key), op, value: compileMacro(value) };
}

const ENGINE_MODES: Record<string, RuleEngineMode> = { on: "On", off: "Off", detectiononly: "DetectionOnly" };
const PROCESSORS: ReadonlySet<string> = new Set(["URLENCODED", "MULTIPART", "XML", "JSON"]);
const IGNORED_CTLS: ReadonlySet<string> = new Set([
  "auditengine",
  "auditlogparts",
  "debugloglevel",
  "hashengine",
  "hashenforcement",
  "requestbodylimit",
  "parsexmlintoargs",
]);

function onOff(v: string, bad: (d: string) => never): boolean {
  const l = v.toLowerCase();
  if (l === "on") return true;
  if (l === "off") return false;
  return bad(`"${v}" is not On or Off`);
}

/** Parses `name=value` of a ctl action (reference manual, "ctl"). */
export function parseCtl(text: string, loc: SourceLocation, bad: (d: string) => never): Ctl {
  const eq = text.indexOf("=");
  if (eq < 0) bad(`"${text}" is not name=value`);
  const name = text.slice(0, eq).trim().toLowerCase();
  const value = text.slice(eq + 1).trim();
  switch (name) {
    case "ruleremovebyid":
      return { kind: "ruleRemoveById", ranges: parseIdRanges(value, loc) };
    case "ruleremovebytag":
      return { kind: "ruleRemoveByTag", value: value.toLowerCase() };
    case "ruleremovebymsg":
      return { kind: "ruleRemoveByMsg", value };
    case "ruleremovetargetbyid":
    case "ruleremovetargetbytag":
    case "ruleremovetargetbymsg": {
      const semi = value.indexOf(";");
      if (semi < 0) bad(`"${value}" is not rule;TARGET`);
      const exclusion = targetExclusion(value.slice(semi + 1), loc, bad);
      const head = value.slice(0, semi);
      if (name === "ruleremovetargetbyid")
        return { kind: "ruleRemoveTargetById", ranges: parseIdRanges(head, loc), exclusion };
      const by = name === "ruleremovetargetbytag" ? "ruleRemoveTargetByTag" : "ruleRemoveTargetByMsg";
      return { kind: by, value: by === "ruleRemoveTargetByTag" ? head.toLowerCase() : head, exclusion };
    }
    case "ruleengine": {
      const mode = ENGINE_MODES[value.toLowerCase()];
      if (!mode) bad(`"${value}" is not On, Off or DetectionOnly`);
      return { kind: "ruleEngine", mode: mode! };
    }
    case "requestbodyprocessor": {
      const p = value.toUpperCase();
      if (!PROCESSORS.has(p)) bad(`"${value}" is not URLENCODED, MULTIPART, XML or JSON`);
      return { kind: "requestBodyProcessor", processor: p as BodyProcessorName };
    }
    case "requestbodyaccess":
      return { kind: "requestBodyAccess", on: onOff(value, bad) };
    case "forcerequestbodyvariable":
      return { kind: "forceRequestBodyVariable", on: onOff(value, bad) };
    case "responsebodyaccess":
      return { kind: "responseBodyAccess", on: onOff(value, bad) };
    default:
      if (IGNORED_CTLS.has(name)) return { kind: "ignored", name };
      return bad(`unknown ctl ${name}`);
  }
}

/** One exclusion target written as `ARGS:password` or `REQUEST_COOKIES:/^sess_/` (no `!`). */
export function targetExclusion(text: string, loc: SourceLocation, bad: (d: string) => never): TargetExclusion {
  const specs = parseTargetList(text, loc);
  if (specs.length !== 1 || specs[0]!.count) bad(`"${text}" is not one target`);
  const s = specs[0]!;
  return { variable: s.name, selector: compileSelector(s.selector) };
}

/** Compiles a target's selector: keys are lower-cased (collection keys are case-insensitive). */
export function compileSelector(
  sel: { kind: "key"; key: string } | { kind: "regex"; source: string } | null,
): TargetExclusion["selector"] {
  if (sel === null) return null;
  if (sel.kind === "key") return { kind: "key", key: sel.key.toLowerCase() };
  return { kind: "regex", regex: selectorRegex(sel.source) };
}

/** Key regexes are case-insensitive, as ModSecurity compiles them. */
function selectorRegex(source: string): LinearRegex {
  return new LinearRegex(`(?i)${source}`);
}
