/**
 * Wazuh's rule matching for the options deploy/wazuh uses, after analysisd (src/analysisd:
 * rules.c, analysisd.c OS_CheckIfRuleMatch, eventinfo.c Search_LastSids/Search_LastGroups, 4.x):
 *
 * - a rule without `if_*` is a root; `if_sid` (a list) makes it a child of those rules,
 *   `if_group` of every rule of that group, `if_matched_sid` alone of that rule;
 * - an event walks the roots in load order; at the first rule that matches it descends into
 *   that rule's children (first match wins, recursively); the deepest match is the result;
 * - matching: `decoded_as`, every `field` (a missing field does not match), `match`, `regex`;
 * - composite rules (`if_matched_sid` / `if_matched_group` with `frequency`, `timeframe`,
 *   `same_source_ip`/`same_srcip`): the stored events of that rule / group are searched newest
 *   first; one out of the timeframe, or already counted by a rule of this level or higher,
 *   ends the search; `frequency="N"` needs N-1 earlier events (Wazuh stores N-2 and counts past
 *   it), so the rule fires on the Nth; the events involved are then marked with its level;
 * - after the result is known, the event is stored for the composite rules that reference the
 *   result rule by id, or else for those that reference one of its groups (Wazuh's "else if":
 *   an event stored by sid is not stored by group); level-0 results are never stored.
 *
 * Times are whole seconds of the analysis clock (`c_time`), given with each event.
 */
import { compileExpression, type ExpressionType } from "./os-regex.js";
import type { Decoded } from "./wazuh-decoders.js";
import type { XmlElement } from "./wazuh-xml.js";

interface FieldTest {
  readonly name: string;
  readonly re: RegExp;
}

/** One loaded rule. */
export interface WazuhRule {
  readonly id: number;
  readonly level: number;
  readonly description: string;
  readonly groups: readonly string[];
  readonly decodedAs: string | null;
  readonly fields: readonly FieldTest[];
  readonly match: RegExp | null;
  readonly regex: RegExp | null;
  readonly ifSid: readonly number[];
  readonly ifGroup: string | null;
  readonly ifMatchedSid: number | null;
  readonly ifMatchedGroup: string | null;
  /** Wazuh's stored frequency: the attribute minus 2 (0 when absent). */
  readonly frequency: number;
  readonly timeframe: number;
  readonly sameSrcip: boolean;
  readonly children: WazuhRule[];
}

/** What the rules made of an event. */
export interface RuleResult {
  readonly rule: WazuhRule;
  /** The description with `$(field)` replaced by the event's fields. */
  readonly description: string;
}

interface Stored {
  readonly time: number;
  readonly srcip: string | null;
  matched: number;
}

const RULE_OPTIONS = new Set([
  "if_sid",
  "if_group",
  "if_matched_sid",
  "if_matched_group",
  "decoded_as",
  "field",
  "match",
  "regex",
  "same_source_ip",
  "same_srcip",
  "description",
  "group",
]);

function exprOf(e: XmlElement, dflt: ExpressionType): RegExp {
  return compileExpression(e.text, (e.attrs.type ?? dflt) as ExpressionType);
}

function num(v: string | undefined, what: string): number {
  if (v === undefined || !/^\d+$/.test(v)) throw new Error(`${what}: ${v} is not a number`);
  return Number(v);
}

function groupList(s: string): string[] {
  return s
    .split(",")
    .map((g) => g.trim())
    .filter((g) => g !== "");
}

/** A loaded rule set with the memory composite rules read. */
export class WazuhRules {
  readonly #roots: WazuhRule[] = [];
  readonly #byId = new Map<number, WazuhRule>();
  readonly #sidLists = new Map<number, Stored[]>();
  readonly #groupLists = new Map<string, Stored[]>();

  /**
   * @param files the top-level elements of each rule file, in load order
   * @throws Error for an option outside the supported subset, an unknown parent, or a
   *   frequency without if_matched (Wazuh refuses it too)
   */
  constructor(files: readonly (readonly XmlElement[])[]) {
    const all: WazuhRule[] = [];
    for (const elements of files) {
      for (const g of elements) {
        if (g.name !== "group") throw new Error(`unsupported top-level element <${g.name}> in a rule file`);
        const outer = groupList(g.attrs.name ?? "");
        for (const r of g.children) {
          if (r.name !== "rule") throw new Error(`unsupported element <${r.name}> in <group>`);
          all.push(this.#load(r, outer));
        }
      }
    }
    for (const r of all) {
      if (r.ifMatchedSid !== null) this.#sidLists.set(r.ifMatchedSid, []);
      if (r.ifMatchedGroup !== null) this.#groupLists.set(r.ifMatchedGroup, []);
      const parents: WazuhRule[] = [];
      const ifSid =
        r.ifSid.length > 0 ? r.ifSid : r.ifGroup === null && r.ifMatchedSid !== null ? [r.ifMatchedSid] : [];
      for (const id of ifSid) {
        const p = this.#byId.get(id);
        if (!p) throw new Error(`rule ${r.id}: if_sid ${id} is not a loaded rule`);
        parents.push(p);
      }
      if (r.ifGroup !== null) {
        for (const p of all) if (p !== r && p.groups.includes(r.ifGroup)) parents.push(p);
        if (parents.length === 0) throw new Error(`rule ${r.id}: no rule has group ${r.ifGroup}`);
      }
      if (parents.length === 0) {
        if (r.ifMatchedGroup !== null) throw new Error(`rule ${r.id}: if_matched_group needs if_sid or if_group`);
        this.#roots.push(r);
      }
      for (const p of parents) p.children.push(r);
    }
  }

  #load(r: XmlElement, outer: readonly string[]): WazuhRule {
    const id = num(r.attrs.id, "rule id");
    const level = num(r.attrs.level, `rule ${id} level`);
    const freqAttr = r.attrs.frequency;
    const freq = freqAttr === undefined ? 0 : num(freqAttr, `rule ${id} frequency`);
    if (freqAttr !== undefined && (freq < 2 || freq > 9999))
      throw new Error(`rule ${id}: frequency ${freq} outside 2-9999`);
    for (const k of Object.keys(r.attrs)) {
      if (!["id", "level", "frequency", "timeframe"].includes(k))
        throw new Error(`rule ${id}: attribute ${k} not modelled`);
    }
    const fields: FieldTest[] = [];
    let description = "";
    const groups = [...outer];
    let decodedAs: string | null = null;
    let match: RegExp | null = null;
    let regex: RegExp | null = null;
    let ifSid: number[] = [];
    let ifGroup: string | null = null;
    let ifMatchedSid: number | null = null;
    let ifMatchedGroup: string | null = null;
    let sameSrcip = false;
    for (const c of r.children) {
      if (!RULE_OPTIONS.has(c.name)) throw new Error(`rule ${id}: <${c.name}> not modelled by this evaluator`);
      if (c.name === "if_sid") ifSid = c.text.split(",").map((s) => num(s.trim(), `rule ${id} if_sid`));
      else if (c.name === "if_group") ifGroup = c.text;
      else if (c.name === "if_matched_sid") ifMatchedSid = num(c.text, `rule ${id} if_matched_sid`);
      else if (c.name === "if_matched_group") ifMatchedGroup = c.text;
      else if (c.name === "decoded_as") decodedAs = c.text;
      else if (c.name === "field") fields.push({ name: c.attrs.name ?? "", re: exprOf(c, "osregex") });
      else if (c.name === "match") match = exprOf(c, "osmatch");
      else if (c.name === "regex") regex = exprOf(c, "osregex");
      else if (c.name === "same_source_ip" || c.name === "same_srcip") sameSrcip = true;
      else if (c.name === "description") description = c.text;
      else if (c.name === "group") groups.push(...groupList(c.text));
    }
    const composite = ifMatchedSid !== null || ifMatchedGroup !== null;
    if ((freqAttr !== undefined || sameSrcip) && !composite) {
      throw new Error(`rule ${id}: invalid use of frequency/context options, missing if_matched`);
    }
    const rule: WazuhRule = {
      id,
      level,
      description,
      groups,
      decodedAs,
      fields,
      match,
      regex,
      ifSid,
      ifGroup,
      ifMatchedSid,
      ifMatchedGroup,
      frequency: freqAttr === undefined ? 0 : freq - 2,
      timeframe: r.attrs.timeframe === undefined ? 0 : num(r.attrs.timeframe, `rule ${id} timeframe`),
      sameSrcip,
      children: [],
    };
    if (this.#byId.has(id)) throw new Error(`rule ${id} is defined twice`);
    this.#byId.set(id, rule);
    return rule;
  }

  /** A rule by id. */
  rule(id: number): WazuhRule | undefined {
    return this.#byId.get(id);
  }

  /** Every rule, in load order of ids. */
  ids(): number[] {
    return [...this.#byId.keys()];
  }

  /**
   * Runs the rules on one decoded event.
   * @param log the full log line (for `match` / `regex`)
   * @param time the analysis clock, whole seconds
   * @returns the deepest matching rule, or `null` when no root matched
   */
  evaluate(decoded: Decoded | null, log: string, time: number): RuleResult | null {
    const ev: Stored = { time, srcip: decoded?.fields.get("srcip") ?? null, matched: 0 };
    let result: WazuhRule | null = null;
    for (const r of this.#roots) {
      if (this.#matches(r, decoded, log, ev)) {
        result = this.#descend(r, decoded, log, ev);
        break;
      }
    }
    if (result === null) return null;
    if (result.level > 0) {
      const bySid = this.#sidLists.get(result.id);
      if (bySid) bySid.push(ev);
      else for (const g of result.groups) this.#groupLists.get(g)?.push(ev);
    }
    const fields = decoded?.fields ?? new Map<string, string>();
    const description = result.description.replace(/\$\(([^)]+)\)/g, (_m, k: string) => fields.get(k) ?? "");
    return { rule: result, description };
  }

  #descend(r: WazuhRule, d: Decoded | null, log: string, ev: Stored): WazuhRule {
    for (const c of r.children) if (this.#matches(c, d, log, ev)) return this.#descend(c, d, log, ev);
    return r;
  }

  #matches(r: WazuhRule, d: Decoded | null, log: string, ev: Stored): boolean {
    if (r.decodedAs !== null && d?.decoder !== r.decodedAs) return false;
    for (const f of r.fields) {
      const v = d?.fields.get(f.name);
      if (v === undefined || !f.re.test(v)) return false;
    }
    if (r.match && !r.match.test(log)) return false;
    if (r.regex && !r.regex.test(log)) return false;
    if (r.ifMatchedSid !== null) return this.#search(r, this.#sidLists.get(r.ifMatchedSid)!, ev);
    if (r.ifMatchedGroup !== null) return this.#search(r, this.#groupLists.get(r.ifMatchedGroup)!, ev);
    return true;
  }

  #search(r: WazuhRule, list: Stored[], ev: Stored): boolean {
    const first = list.at(-1);
    let count = 0;
    for (let i = list.length - 1; i >= 0; i--) {
      const lf = list[i]!;
      if (ev.time - lf.time > r.timeframe) return false;
      if (lf.matched >= r.level) return false;
      if (r.sameSrcip && (lf.srcip === null || ev.srcip === null || lf.srcip !== ev.srcip)) continue;
      if (count < r.frequency) {
        count++;
        continue;
      }
      ev.matched = r.level;
      lf.matched = r.level;
      if (first) first.matched = r.level;
      return true;
    }
    return false;
  }
}
