import { dirname, join } from "node:path";
import { type SourceLocation, WafError } from "../errors.js";
import { OPERATORS } from "../operators/index.js";
import type { Operator, OperatorEnv } from "../operators/operator.js";
import type { ActionSpec } from "../seclang/action-list.js";
import type { Directive, IdRange, OperatorSpec } from "../seclang/directives.js";
import { type IncludeResolver, parseSecLang } from "../seclang/parser.js";
import type { TargetSpec } from "../seclang/target-list.js";
import { CHAINS } from "../transformations/chain-trie.js";
import { TRANSFORMATIONS } from "../transformations/index.js";
import type { Transformation } from "../transformations/transformation.js";
import { type ActionDraft, applyActions, emptyDraft } from "./actions.js";
import { compileMacro } from "./macro.js";
import { CompiledRuleSet } from "./rule-set.js";
import { compileSettings, DEFAULT_SETTINGS } from "./settings.js";
import { compileTargets } from "./targets.js";
import type { CompiledPhase, CompiledRule, CompiledTarget, Disruptive, Phase, TargetExclusion } from "./types.js";

/** One configuration file: its name (for errors, and the base of relative data files) and text. */
export interface RuleSource {
  readonly file: string;
  /** The file's bytes as a byte string (latin1), as ModSecurity reads configuration. */
  readonly text: string;
}

/** What {@link compileRuleSet} needs besides the files. */
export interface CompileOptions {
  /**
   * Reads a data file (`@pmFromFile name`): `path` is resolved against the directory of the rule's
   * file. Returns its text as a byte string. Default: none (a data file is then an error).
   */
  readonly readFile?: (path: string) => string;
  /** Follows `Include`; without it `Include` is an error. */
  readonly include?: IncludeResolver;
  /**
   * Drops rules tagged `paranoia-level/N` with N above this (CRS's own PL gates would skip them
   * at run time; dropping them at compile time saves the gate checks and memory). Use only when
   * the rule set sets `tx.detection_paranoia_level` to this value unconditionally.
   */
  readonly detectionParanoiaLevel?: number;
}

/** A rule link while the directives are read (compiled at the end, after Remove/Update). */
interface LinkDraft {
  readonly loc: SourceLocation;
  targets: TargetSpec[];
  readonly operator: OperatorSpec;
  readonly draft: ActionDraft;
  /** Actions of SecDefaultAction for the phase, for the chain starter. */
  readonly defaults: DefaultAction | null;
}

interface DefaultAction {
  readonly actions: readonly ActionSpec[];
  readonly draft: ActionDraft;
}

type Entry = { kind: "rule"; links: LinkDraft[]; removed: boolean } | { kind: "marker"; name: string };

/** Operators shared by every compiled rule set in the process, by operator, argument and data source. */
const operatorCache = new Map<string, Operator>();
/** Operators whose compiled form does not depend on the transaction (no macros). */
const CACHEABLE = new Set([
  "rx",
  "pm",
  "pmfromfile",
  "pmf",
  "ipmatch",
  "ipmatchfromfile",
  "ipmatchf",
  "validatebyterange",
]);

const PHASES: readonly Phase[] = [1, 2, 3, 4, 5];

/**
 * Compiles SecLang files, in order, into an immutable rule set: per phase the rules in order
 * with compiled targets, operators (regexes on RE2, phrase automata, parsed IP sets, data files
 * read once), transformation chains, parsed actions and precompiled macros; chains linked,
 * `skipAfter` resolved to rule indices, SecRuleRemove… / SecRuleUpdate… and SecDefaultAction
 * applied (ModSecurity reference manual, "Configuration Directives"). Compiled operators are
 * shared across rule sets of the process, so compiling the same CRS for another policy costs
 * only the rule structure.
 * @throws WafError with the file, line and rule id of the first error.
 */
export function compileRuleSet(sources: readonly RuleSource[], options: CompileOptions = {}): CompiledRuleSet {
  const directives: Directive[] = [];
  for (const s of sources) directives.push(...parseSecLang(s.text, s.file, options.include));
  return compileDirectives(directives, options);
}

/** Compiles parsed directives (see {@link compileRuleSet}). */
export function compileDirectives(directives: readonly Directive[], options: CompileOptions = {}): CompiledRuleSet {
  const entries: Entry[] = [];
  const defaults = new Map<Phase, DefaultAction>();
  const settingDirectives: Directive[] = [];
  const signatures: string[] = [];
  let open: LinkDraft[] | null = null;

  const starters = function* () {
    for (const e of entries) if (e.kind === "rule" && !e.removed) yield e;
  };

  for (const d of directives) {
    if (open && d.kind !== "rule")
      throw new WafError("SECLANG_BAD_CHAIN", "a chain must continue with SecRule", { loc: d.loc });
    switch (d.kind) {
      case "rule":
      case "action": {
        const draft = emptyDraft();
        const loc = d.loc;
        const operator: OperatorSpec =
          d.kind === "rule" ? d.operator : { name: "unconditionalmatch", negated: false, argument: "" };
        const targets = d.kind === "rule" ? [...d.targets] : [];
        if (open === null) {
          // A chain starter: SecDefaultAction of its phase applies.
          applyActions(draft, d.actions, loc);
          const phase = draft.phase ?? 2;
          const def = defaults.get(phase) ?? null;
          const link: LinkDraft = { loc, targets, operator, draft, defaults: def };
          if (draft.chain) open = [link];
          else entries.push({ kind: "rule", links: [link], removed: false });
        } else {
          applyActions(draft, d.actions, loc);
          const link: LinkDraft = { loc, targets, operator, draft, defaults: null };
          open.push(link);
          if (!draft.chain) {
            entries.push({ kind: "rule", links: open, removed: false });
            open = null;
          }
        }
        break;
      }
      case "marker":
        entries.push({ kind: "marker", name: d.name });
        break;
      case "defaultAction": {
        const draft = applyActions(emptyDraft(), d.actions, d.loc);
        const phase = draft.phase ?? 2;
        if (draft.disruptive === null || draft.disruptive.kind === "block")
          throw new WafError("SECLANG_BAD_ARGUMENT", "SecDefaultAction needs a disruptive action (pass, deny, …)", {
            loc: d.loc,
          });
        defaults.set(phase, { actions: d.actions.filter((a) => a.name !== "phase"), draft });
        break;
      }
      case "componentSignature":
        signatures.push(d.value);
        break;
      case "removeById":
        for (const e of starters()) if (inRanges(e.links[0]!.draft.id, d.ranges)) e.removed = true;
        break;
      case "removeByTag":
        for (const e of starters()) if (e.links[0]!.draft.tags.some((t) => sameText(t, d.value))) e.removed = true;
        break;
      case "removeByMsg":
        for (const e of starters()) if (sameText(e.links[0]!.draft.msg?.text ?? "", d.value)) e.removed = true;
        break;
      case "updateTargetById":
      case "updateTargetByTag":
      case "updateTargetByMsg":
        for (const e of starters()) {
          const s = e.links[0]!;
          const hit =
            d.kind === "updateTargetById"
              ? inRanges(s.draft.id, d.ranges)
              : d.kind === "updateTargetByTag"
                ? s.draft.tags.some((t) => sameText(t, d.value))
                : sameText(s.draft.msg?.text ?? "", d.value);
          if (hit) updateTargets(s, d.targets, d.replaced);
        }
        break;
      case "updateActionById": {
        let found = false;
        for (const e of starters())
          if (e.links[0]!.draft.id === d.id) {
            applyActions(e.links[0]!.draft, d.actions, d.loc);
            found = true;
          }
        if (!found)
          throw new WafError("SECLANG_BAD_ARGUMENT", `SecRuleUpdateActionById: no rule ${d.id}`, {
            loc: d.loc,
            ruleId: d.id,
          });
        break;
      }
      case "setting":
        settingDirectives.push(d);
        break;
      case "ignored":
        break;
    }
  }
  if (open) throw new WafError("SECLANG_BAD_CHAIN", "the last rule's chain has no next rule", { loc: open[0]!.loc });

  const settings = compileSettings(settingDirectives, DEFAULT_SETTINGS);
  const env = (file: string): OperatorEnv => ({
    readDataFile(name) {
      if (!options.readFile) throw new Error("no data files can be read here");
      return options.readFile(name.startsWith("/") ? name : join(dirname(file), name));
    },
    macro: compileMacro,
  });

  // Compile rules, split by phase, resolve markers.
  const ids = new Set<number>();
  const phaseRules = new Map<Phase, CompiledRule[]>(PHASES.map((p) => [p, []]));
  const markers = new Map<Phase, Map<string, number>>(PHASES.map((p) => [p, new Map()]));
  const allMarkers = new Set<string>();
  const pl = options.detectionParanoiaLevel;
  for (const e of entries) {
    if (e.kind === "marker") {
      allMarkers.add(e.name);
      for (const p of PHASES) {
        const m = markers.get(p)!;
        if (!m.has(e.name)) m.set(e.name, phaseRules.get(p)!.length);
      }
      continue;
    }
    if (e.removed) continue;
    const rule = compileChain(e.links, env);
    if (ids.has(rule.id))
      throw new WafError("SECLANG_DUPLICATE_ID", `rule id ${rule.id} is used twice`, {
        loc: rule.loc,
        ruleId: rule.id,
      });
    ids.add(rule.id);
    if (pl !== undefined && rule.paranoiaLevel !== null && rule.paranoiaLevel > pl) continue;
    phaseRules.get(rule.phase)!.push(rule);
  }

  const phases = new Map<Phase, CompiledPhase>();
  for (const p of PHASES) {
    let rules = phaseRules.get(p)!;
    for (let before = -1; before !== rules.length; ) {
      before = rules.length;
      rules = dropEmptySkips(rules, markers.get(p)!);
    }
    const skipAfterIndex = new Int32Array(rules.length).fill(-1);
    rules.forEach((r, i) => {
      if (r.skipAfter === null) return;
      if (!allMarkers.has(r.skipAfter))
        throw new WafError("SECLANG_UNKNOWN_MARKER", `skipAfter:${r.skipAfter} names no SecMarker`, {
          loc: r.loc,
          ruleId: r.id,
        });
      // Markers are found going forward; a marker behind the rule (or in no rule of the phase) ends the phase.
      const at = markers.get(p)!.get(r.skipAfter);
      skipAfterIndex[i] = at !== undefined && at > i ? at : rules.length;
    });
    phases.set(p, { rules, skipAfterIndex });
  }
  return new CompiledRuleSet(phases, settings, signatures);
}

/**
 * Drops rules that only jump to a marker with no rule left between them and it (CRS's paranoia
 * gates `TX:DETECTION_PARANOIA_LEVEL "@lt N" … skipAfter:END-…` once the rules above the level
 * are dropped): they would test a variable and land where they started. Marker positions are
 * shifted to match. A rule that logs, has effects or a disruptive action other than pass stays.
 */
function dropEmptySkips(rules: CompiledRule[], markers: Map<string, number>): CompiledRule[] {
  const keep = rules.map((r, i) => {
    if (r.skipAfter === null || r.chain !== null || r.log || r.effects.length > 0 || r.disruptive.kind !== "pass")
      return true;
    const at = markers.get(r.skipAfter);
    return at === undefined || at !== i + 1;
  });
  if (keep.every(Boolean)) return rules;
  const newIndex: number[] = [];
  let n = 0;
  for (let i = 0; i <= rules.length; i++) {
    newIndex[i] = n;
    if (i < rules.length && keep[i]) n++;
  }
  for (const [name, at] of markers) markers.set(name, newIndex[at]!);
  return rules.filter((_, i) => keep[i]);
}

function sameText(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function inRanges(id: number | null, ranges: readonly IdRange[]): boolean {
  if (id === null) return false;
  for (const [lo, hi] of ranges) if (id >= lo && id <= hi) return true;
  return false;
}

/** SecRuleUpdateTarget*: appends targets (or exclusions), or replaces `replaced` by them. */
function updateTargets(link: LinkDraft, add: readonly TargetSpec[], replaced: readonly TargetSpec[] | null): void {
  if (replaced) {
    const same = (a: TargetSpec, b: TargetSpec) =>
      a.name === b.name && a.count === b.count && JSON.stringify(a.selector) === JSON.stringify(b.selector);
    const idx = link.targets.findIndex((t) => replaced.some((r) => same(t, r)));
    if (idx >= 0) {
      link.targets.splice(idx, 1, ...add);
      return;
    }
  }
  link.targets.push(...add);
}

function compileChain(links: readonly LinkDraft[], env: (file: string) => OperatorEnv): CompiledRule {
  const starter = links[0]!;
  const sd = starter.draft;
  if (sd.id === null) throw new WafError("SECLANG_MISSING_ID", "a rule needs an id", { loc: starter.loc });
  const ruleId = sd.id;
  const phase: Phase = sd.phase ?? 2;
  // SecDefaultAction: its actions apply first, the rule's own on top.
  const def = starter.defaults;
  let merged = sd;
  if (def) {
    merged = applyActions(emptyDraft(), def.actions, starter.loc);
    const own = sd;
    merged = {
      ...merged,
      ...Object.fromEntries(Object.entries(own).filter(([, v]) => v !== null)),
      id: own.id,
      phase,
      tags: [...merged.tags, ...own.tags],
      transforms: [...merged.transforms, ...own.transforms],
      effects: [...merged.effects, ...own.effects],
      skip: own.skip,
    } as ActionDraft;
  }
  const defaultDisruptive = def?.draft.disruptive ?? { kind: "pass" as const, allowScope: "all" as const };
  const written = merged.disruptive ?? defaultDisruptive;
  const disruptive: Disruptive =
    written.kind === "block"
      ? {
          kind: defaultDisruptive.kind === "block" ? "pass" : defaultDisruptive.kind,
          block: true,
          allowScope: defaultDisruptive.allowScope,
        }
      : { kind: written.kind, block: false, allowScope: written.allowScope };
  const status = merged.status ?? (written.kind === "block" ? (def?.draft.status ?? null) : null);

  let next: CompiledRule | null = null;
  for (let i = links.length - 1; i >= 1; i--) {
    const l = links[i]!;
    if (l.draft.disruptive && l.draft.disruptive.kind !== "pass")
      throw new WafError("SECLANG_BAD_CHAIN", "only the chain starter may have a disruptive action", {
        loc: l.loc,
        ruleId,
      });
    next = compileLink(l, l.draft, ruleId, phase, env, next, {
      disruptive,
      status,
      merged: { ...emptyDraft(), transforms: l.draft.transforms },
    });
  }
  return compileLink(starter, merged, ruleId, phase, env, next, { disruptive, status, merged });
}

function compileLink(
  link: LinkDraft,
  d: ActionDraft,
  ruleId: number,
  phase: Phase,
  env: (file: string) => OperatorEnv,
  chain: CompiledRule | null,
  top: { disruptive: Disruptive; status: number | null; merged: ActionDraft },
): CompiledRule {
  const loc = link.loc;
  const { targets, exclusions } = compileTargets(link.targets, loc, ruleId);
  const { transforms, transformKey, chainNode } = compileTransforms(top.merged.transforms, loc, ruleId);
  const chainPath: number[] = [];
  for (let n = chainNode; n >= 0; n = CHAINS.parent(n)) chainPath.unshift(n);
  for (const t of targets) (t as { unionKey: string }).unionKey = `${t.selectKey}\u0001${transformKey}`;
  const operator = compileOperator(link.operator, loc, ruleId, env(loc.file));
  const m = top.merged;
  const plTag = m.tags.find((t) => /^paranoia-level\/\d$/.test(t));
  return {
    id: ruleId,
    phase,
    loc,
    targets: targets as CompiledTarget[],
    exclusions: exclusions as TargetExclusion[],
    operator,
    negated: link.operator.negated,
    operatorArgument: link.operator.argument,
    transforms,
    transformKey,
    chainNode,
    chainPath,
    sigId: -1,
    multiMatch: d.multiMatch,
    capture: d.capture,
    effects: d.effects,
    chain,
    disruptive: top.disruptive,
    status: top.status,
    redirectUrl: m.redirectUrl,
    skip: m.skip,
    skipAfter: m.skipAfter,
    log: m.log ?? true,
    auditlog: m.auditlog ?? m.log ?? true,
    msg: m.msg,
    logdata: m.logdata,
    tags: m.tags,
    tagSet: new Set(m.tags.map((t) => t.toLowerCase())),
    severity: m.severity,
    ver: m.ver,
    rev: m.rev,
    maturity: m.maturity,
    accuracy: m.accuracy,
    paranoiaLevel: plTag ? Number(plTag.slice("paranoia-level/".length)) : null,
  };
}

function compileTransforms(
  names: readonly string[],
  loc: SourceLocation,
  ruleId: number,
): { transforms: Transformation[]; transformKey: string; chainNode: number } {
  let chain: string[] = [];
  for (const n of names) {
    if (n === "none") {
      chain = [];
      continue;
    }
    if (!TRANSFORMATIONS.has(n))
      throw new WafError("SECLANG_UNKNOWN_TRANSFORMATION", `unknown transformation t:${n}`, { loc, ruleId });
    chain.push(n);
  }
  const transforms = chain.map((n) => TRANSFORMATIONS.get(n)!);
  return { transforms, transformKey: chain.join(","), chainNode: CHAINS.node(chain, transforms) };
}

function compileOperator(spec: OperatorSpec, loc: SourceLocation, ruleId: number, env: OperatorEnv): Operator {
  const factory = OPERATORS.get(spec.name);
  if (!factory) throw new WafError("SECLANG_UNKNOWN_OPERATOR", `unknown operator @${spec.name}`, { loc, ruleId });
  const cacheable = CACHEABLE.has(spec.name) && !spec.argument.includes("%{");
  const key = `${spec.name}\0${spec.argument}\0${spec.name.includes("file") || spec.name === "pmf" ? dirname(loc.file) : ""}`;
  if (cacheable) {
    const hit = operatorCache.get(key);
    if (hit) return hit;
  }
  let op: Operator;
  try {
    op = factory(spec.argument, env);
  } catch (e) {
    if (e instanceof WafError) throw new WafError(e.code, e.message, { loc, ruleId });
    throw new WafError("SECLANG_BAD_OPERATOR_ARGUMENT", `@${spec.name}: ${(e as Error).message}`, { loc, ruleId });
  }
  if (cacheable) operatorCache.set(key, op);
  return op;
}
