import { randomBytes } from "node:crypto";
import { parseJson, parseMultipart, parseUrlencoded, parseXml } from "../body/index.js";
import type { ByteString } from "../bytes.js";
import type { Macro, MacroRef } from "../compile/macro.js";
import type { CompiledRuleSet } from "../compile/rule-set.js";
import type {
  CompiledRule,
  CompiledTarget,
  Ctl,
  Effect,
  Phase,
  RuleEngineMode,
  TargetExclusion,
  TargetRemovalCtl,
} from "../compile/types.js";
import { WafError } from "../errors.js";
import { atoi } from "../operators/numeric.js";
import type { OperatorScope } from "../operators/operator.js";
import { LITERALS, type LiteralHits, type LiteralIndex } from "../regex/literal-index.js";
import type { IdRange } from "../seclang/directives.js";
import { MutableCollection } from "./collection.js";
import { type Entry, namesOf, scalar } from "./entry.js";
import type { RequestInput, ResponseInput } from "./input.js";
import type { AnomalyScores, Interruption, MatchedRule, MatchedVar } from "./results.js";
import { Selection } from "./selection.js";
import { type Val, ValueTable } from "./value.js";
import { RequestVariables } from "./variables.js";

/** Per-transaction options. */
export interface TransactionOptions {
  /** UNIQUE_ID (default: 16 random bytes in hex). */
  readonly uniqueId?: string;
  /** Clock in ms since the epoch (default Date.now), for TIME* and DURATION. */
  readonly now?: () => number;
  /**
   * Reference evaluation (tests): no prefilter, no skipped transformation, no verdict kept
   * between rules — every rule runs its whole chain and operator on every value. The answers
   * are the same as the default evaluation's, which tests check against it.
   */
  readonly reference?: boolean;
}

const PERSISTENT = new Set(["ip", "global", "session", "user", "resource"]);
/** The persistent collections' variable names (upper case, as targets name them). */
const PERSISTENT_NAMES = new Set(["IP", "GLOBAL", "SESSION", "USER", "RESOURCE"]);
const EMPTY: readonly Entry[] = [];
/** The scan of no value: no prefilter passes it. */
const NO_HITS: LiteralHits = { version: -1, bytes: new Int32Array(8), found: [], bits: null };
const EMPTY_ENTRIES: readonly Entry[] = EMPTY;

/**
 * One request's evaluation (ModSecurity's transaction): call the phases in order —
 * {@link processRequestHeaders} (phase 1), {@link processRequestBody} (2),
 * {@link processResponseHeaders} (3), {@link processResponseBody} (4), {@link processLogging}
 * (5). Each returns the interruption that stops the request (deny/drop/redirect with its
 * status), or null; once interrupted, later phases return the same interruption and run no rule
 * (except logging). Nothing here throws: an exception inside the engine is caught, recorded in
 * {@link error} (code WAF_ENGINE_ERROR) and the phase returns null; the caller applies its
 * error policy.
 */
export class Transaction {
  readonly #rs: CompiledRuleSet;
  readonly #vars: RequestVariables;
  readonly #tx: MutableCollection;
  readonly #persistent = new Map<string, MutableCollection>();
  readonly #now: () => number;
  #engine: RuleEngineMode;
  #requestBodyAccess: boolean;
  #responseBodyAccess: boolean;
  #forceRequestBodyVariable = false;
  #removedRanges: IdRange[] = [];
  #removedTags: string[] = [];
  #removedMsgs: string[] = [];
  #targetRemovals: TargetRemovalCtl[] = [];
  /** The rules some ctl:ruleRemoveTarget… in force applies to, or null while there is none. */
  #removalScope: Set<CompiledRule> | null = null;
  #matchedVar: { name: string; value: ByteString } | null = null;
  /** MATCHED_VARS: the matches of the last link that matched in the current chain. */
  #matchedVars: readonly Entry[] = [];
  #linkMatches: Entry[] | null = null;
  #chainMatches: MatchedVar[] | null = null;
  /** Every distinct value the transaction looked at, with what is known about it. */
  readonly #values = new ValueTable();
  /** The operator scope, one per transaction; `capture` is set per rule link. */
  readonly #scope: OperatorScope & { capture: boolean };
  /**
   * Selected values by the target's selId, for variables that do not change within a phase
   * (see #select); cleared when the request data changes.
   */
  #selections: Array<Selection | undefined>;
  /** By the rule's sigId: the union of the literal scans of every value its first link reads. */
  #sigUnions: Array<LiteralHits | undefined>;
  readonly #reference: boolean;
  #currentRule: CompiledRule | null = null;
  #interruption: Interruption | null = null;
  #allowAll = false;
  #allowRequest = false;
  /** Every logged rule match, in order. */
  readonly matchedRules: MatchedRule[] = [];
  /** In DetectionOnly: the first interruption that On would have applied. */
  detectedInterruption: Interruption | null = null;
  /** An exception inside the engine, if one happened (the phase that hit it returned null). */
  error: WafError | null = null;

  constructor(ruleSet: CompiledRuleSet, request: RequestInput, options: TransactionOptions = {}) {
    this.#rs = ruleSet;
    this.#now = options.now ?? Date.now;
    const s = ruleSet.settings;
    this.#engine = s.ruleEngine;
    this.#requestBodyAccess = s.requestBodyAccess;
    this.#responseBodyAccess = s.responseBodyAccess;
    this.#tx = new MutableCollection("TX", this.#now);
    this.#vars = new RequestVariables(
      request,
      s.argumentsLimit,
      options.uniqueId ?? (() => randomBytes(16).toString("hex")),
      this.#now(),
    );
    const tx = this.#tx;
    const values = this.#values;
    this.#reference = options.reference === true;
    this.#selections = new Array(ruleSet.selections);
    this.#sigUnions = new Array(ruleSet.signatures);
    this.#scope = {
      capture: false,
      setCapture: (i, v) => tx.set(String(i), v),
      expand: (m) => this.#expand(m),
      hits: (v) => values.of(v).hits,
      reference: this.#reference,
    };
    const ct = (this.#vars.header("content-type") ?? "").toLowerCase();
    // ModSecurity's built-in processors; XML and JSON are chosen by rules (ctl:requestBodyProcessor).
    if (ct.startsWith("application/x-www-form-urlencoded")) this.#vars.processor = "URLENCODED";
    else if (ct.startsWith("multipart/form-data")) this.#vars.processor = "MULTIPART";
  }

  /** The interruption in force, or null. */
  get interruption(): Interruption | null {
    return this.#interruption;
  }

  /** The rule engine mode in force (SecRuleEngine, changed by ctl:ruleEngine). */
  get ruleEngine(): RuleEngineMode {
    return this.#engine;
  }

  /** A TX variable's value (case-insensitive key), or undefined. */
  txValue(key: string): ByteString | undefined {
    return this.#tx.get(key);
  }

  /** CRS's anomaly scores (see {@link AnomalyScores}). */
  anomalyScores(): AnomalyScores {
    const n = (k: string) => atoi(this.#tx.get(k) ?? "0");
    return {
      inbound: n("blocking_inbound_anomaly_score"),
      outbound: n("blocking_outbound_anomaly_score"),
      detectionInbound: n("detection_inbound_anomaly_score"),
      detectionOutbound: n("detection_outbound_anomaly_score"),
    };
  }

  /** Phase 1: request line and headers. */
  processRequestHeaders(): Interruption | null {
    return this.#guard(() => this.#runPhase(1));
  }

  /**
   * Phase 2: the request body (a byte string; omit or "" for none), parsed by the processor the
   * Content-Type or a `ctl:requestBodyProcessor` chose. Past SecRequestBodyLimit (or
   * SecRequestBodyNoFilesLimit for a body without files) the body is refused with 413 when the
   * limit action is Reject, else inspected up to the limit.
   */
  processRequestBody(body: ByteString = ""): Interruption | null {
    return this.#guard(() => {
      if (this.#interruption) return this.#interruption;
      if (this.#requestBodyAccess && this.#engine !== "Off") {
        const s = this.#rs.settings;
        const processor = this.#vars.processor;
        const limit =
          processor === "MULTIPART" ? s.requestBodyLimit : Math.min(s.requestBodyLimit, s.requestBodyNoFilesLimit);
        let raw = body;
        if (raw.length > limit) {
          if (s.requestBodyLimitAction === "Reject") {
            const stop: Interruption = { action: "deny", status: 413, ruleId: 0, phase: 2 };
            if (this.#engine === "On") {
              this.#interruption = stop;
              return stop;
            }
            this.detectedInterruption ??= stop;
          }
          raw = raw.slice(0, limit);
        }
        const limits = {
          maxArgs: s.argumentsLimit,
          maxDepth: s.requestBodyJsonDepthLimit,
          maxFiles: s.uploadFileLimit,
        };
        const ct = this.#vars.header("content-type") ?? "";
        const parsed =
          raw.length === 0 && processor !== "MULTIPART"
            ? null
            : processor === "URLENCODED"
              ? parseUrlencoded(raw, limits)
              : processor === "MULTIPART"
                ? parseMultipart(raw, ct, limits)
                : processor === "JSON"
                  ? parseJson(raw, limits)
                  : processor === "XML"
                    ? parseXml(raw, limits)
                    : null;
        // REQUEST_BODY holds the body for URLENCODED, or for any processor once
        // ctl:forceRequestBodyVariable is on (CRS 901340 turns it on when no processor applies).
        const exposed = processor === "URLENCODED" || processor === null || this.#forceRequestBodyVariable;
        this.#vars.body = { raw, processor, parsed, exposed };
        this.#invalidate();
      }
      return this.#runPhase(2);
    });
  }

  /** Phase 3: the response status and headers. */
  processResponseHeaders(response: ResponseInput): Interruption | null {
    return this.#guard(() => {
      this.#vars.response = response;
      this.#invalidate();
      return this.#runPhase(3);
    });
  }

  /**
   * Phase 4: the response body, inspected when SecResponseBodyAccess is on and the response's
   * media type is in SecResponseBodyMimeType; cut at SecResponseBodyLimit.
   */
  processResponseBody(body: ByteString = ""): Interruption | null {
    return this.#guard(() => {
      if (this.#responseBodyAccess) {
        const ct = (this.#vars.get("RESPONSE_CONTENT_TYPE")[0]?.value ?? "").toLowerCase();
        const media = ct.split(";")[0]!.trim();
        const s = this.#rs.settings;
        if (s.responseBodyMimeTypes.includes(media)) {
          this.#vars.responseBody = body.length > s.responseBodyLimit ? body.slice(0, s.responseBodyLimit) : body;
          this.#invalidate();
        }
      }
      return this.#runPhase(4);
    });
  }

  /** Phase 5: logging rules. Runs even after an interruption. */
  processLogging(): void {
    this.#guard(() => this.#runPhase(5, true));
  }

  /** The request data changed (body, response, processor): built variables and selections go. */
  #invalidate(): void {
    this.#vars.invalidate();
    this.#selections = new Array(this.#rs.selections);
    this.#sigUnions = new Array(this.#rs.signatures);
  }

  #guard(f: () => Interruption | null): Interruption | null {
    try {
      return f();
    } catch (e) {
      const where = this.#currentRule;
      this.error ??= new WafError("WAF_ENGINE_ERROR", (e as Error)?.stack ?? String(e), {
        loc: where?.loc,
        ruleId: where?.id,
      });
      return null;
    }
  }

  #runPhase(phase: Phase, always = false): Interruption | null {
    if (this.#interruption && !always) return this.#interruption;
    if (this.#engine === "Off") return null;
    if (!always && (this.#allowAll || (this.#allowRequest && phase <= 2))) return null;
    const { rules, skipAfterIndex } = this.#rs.phase(phase);
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (this.#isRemoved(rule)) continue;
      if (rule.sigId >= 0 && this.#turnedAway(rule)) continue;
      this.#currentRule = rule;
      const matches = this.#evaluateChain(rule);
      this.#currentRule = null;
      if (matches === null) continue;
      const d = rule.disruptive;
      if (rule.log)
        this.matchedRules.push({
          id: rule.id,
          phase,
          msg: rule.msg ? this.#expandFor(rule, rule.msg) : "",
          logdata: rule.logdata ? this.#expandFor(rule, rule.logdata) : "",
          tags: rule.tags,
          severity: rule.severity,
          ver: rule.ver,
          paranoiaLevel: rule.paranoiaLevel,
          action: d.kind,
          matches,
        });
      if (d.kind === "deny" || d.kind === "drop" || d.kind === "redirect") {
        const stop: Interruption = {
          action: d.kind,
          status: rule.status ?? (d.kind === "redirect" ? 302 : 403),
          ruleId: rule.id,
          phase,
          ...(d.kind === "redirect" && rule.redirectUrl ? { url: this.#expandFor(rule, rule.redirectUrl) } : {}),
        };
        if (this.#engine === "On" && !always) {
          this.#interruption = stop;
          return stop;
        }
        this.detectedInterruption ??= stop;
      } else if (d.kind === "allow" && this.#engine === "On" && !always) {
        if (d.allowScope === "all") this.#allowAll = true;
        else if (d.allowScope === "request") this.#allowRequest = true;
        return null;
      }
      if ((this.#engine as RuleEngineMode) === "Off") return null;
      if (rule.skipAfter !== null) i = skipAfterIndex[i]! - 1;
      else if (rule.skip > 0) i += rule.skip;
    }
    return null;
  }

  #isRemoved(rule: CompiledRule): boolean {
    for (const [lo, hi] of this.#removedRanges) if (rule.id >= lo && rule.id <= hi) return true;
    if (this.#removedTags.length > 0) for (const r of this.#removedTags) if (rule.tagSet.has(r)) return true;
    if (this.#removedMsgs.length > 0 && rule.msg)
      for (const r of this.#removedMsgs) if (rule.msg.text.toLowerCase() === r) return true;
    return false;
  }

  /**
   * Whether no value the rule's first link reads can pass its operator's prefilter: checked on
   * the union of all of them, kept for every rule that reads the same values through the same
   * chain, so most rules of a benign request cost one lookup and one prefilter here.
   */
  #turnedAway(rule: CompiledRule): boolean {
    if (this.#reference) return false;
    if (this.#removalScope?.has(rule)) return false;
    let u = this.#sigUnions[rule.sigId];
    if (u === undefined || (u !== NO_HITS && u.version !== (rule.operator.literalIndex ?? LITERALS).version)) {
      const parts: LiteralHits[] = [];
      // multiMatch tries the value after every step: any of them may match.
      const nodes = rule.multiMatch ? rule.chainPath : [rule.chainNode];
      const index = rule.operator.literalIndex ?? LITERALS;
      for (const t of rule.targets) {
        const sel = this.#cached(t, rule);
        if (sel.entries.length > 0) for (const n of nodes) parts.push(sel.unionThrough(n, index));
      }
      u = parts.length === 0 ? NO_HITS : index.union(parts);
      this.#sigUnions[rule.sigId] = u;
    }
    return !rule.operator.prefilter!(u);
  }

  /** Evaluates a chain: every link must match. Returns the matched values, or null. */
  #evaluateChain(rule: CompiledRule): MatchedVar[] | null {
    // Arrays are made on the first match only: most rules match nothing.
    this.#matchedVars = EMPTY_ENTRIES;
    this.#chainMatches = null;
    for (let link: CompiledRule | null = rule; link !== null; link = link.chain) {
      this.#linkMatches = null;
      if (!this.#evaluateLink(link, rule)) return null;
      this.#matchedVars = this.#linkMatches ?? EMPTY_ENTRIES;
    }
    return this.#chainMatches ?? [];
  }

  #evaluateLink(link: CompiledRule, starter: CompiledRule): boolean {
    const scope = this.#scope;
    scope.capture = link.capture;
    const op = link.operator;
    if (link.targets.length === 0) {
      // SecAction: one unconditional evaluation.
      if (op.evaluate("", scope) === link.negated) return false;
      this.#runEffects(link.effects);
      return true;
    }
    let matched = false;
    const node = link.chainNode;
    const multi = link.multiMatch;
    // A prefilter on the union of a target's values turns the whole target away (then each
    // value's own scan turns it away) before the operator runs.
    const filter = link.negated || this.#reference ? undefined : op.prefilter;
    const index = op.literalIndex ?? LITERALS;
    for (const target of link.targets) {
      if (target.dynamic && !this.#reference) {
        if (this.#evaluateDynamic(target, link, starter)) matched = true;
        continue;
      }
      const sel = this.#select(target, link, starter);
      const entries = sel.entries;
      if (entries.length === 0) continue;
      if (
        filter !== undefined &&
        !(multi ? this.#anyStepPasses(sel, link, filter, index) : filter(sel.unionThrough(node, index)))
      )
        continue;
      const vals = multi ? null : this.#reference ? this.#referenceVals(sel, link) : sel.valsThrough(node);
      for (let i = 0; i < entries.length; i++) {
        let value: ByteString | null;
        if (vals !== null) {
          const v = vals[i]!;
          if (filter !== undefined && !filter(v.hitsIn(index))) continue;
          const hit = op.evaluateValue !== undefined ? op.evaluateValue(v, scope) : op.evaluate(v.s, scope);
          value = hit !== link.negated ? v.s : null;
        } else if (this.#reference) value = this.#matchEveryStep(link, entries[i]!.value, scope);
        else value = this.#matchAnyStep(link, sel, i, filter, index);
        if (value === null) continue;
        matched = true;
        this.#matched(link, entries[i]!, value);
      }
    }
    return matched;
  }

  /**
   * A target whose values change within a phase (TX, MATCHED_VARS, …): its entries read now, the
   * operator on each (on the string itself when the chain is empty and the operator has no use
   * for a Val, as for the numeric checks CRS writes on TX).
   */
  #evaluateDynamic(target: CompiledTarget, link: CompiledRule, starter: CompiledRule): boolean {
    let entries = this.#selectNow(target, link);
    if (this.#removalScope?.has(starter)) entries = this.#removeTargets(target, entries, starter);
    if (target.count) entries = [scalar(target.variable, String(entries.length))];
    const op = link.operator;
    const scope = this.#scope;
    const node = link.chainNode;
    let matched = false;
    for (const e of entries) {
      let value: ByteString | null;
      if (link.multiMatch) value = this.#matchEveryStep(link, e.value, scope);
      else if (node === 0 && op.evaluateValue === undefined)
        value = op.evaluate(e.value, scope) !== link.negated ? e.value : null;
      else {
        const v = this.#values.transform(this.#values.of(e.value), node);
        const hit = op.evaluateValue !== undefined ? op.evaluateValue(v, scope) : op.evaluate(v.s, scope);
        value = hit !== link.negated ? v.s : null;
      }
      if (value === null) continue;
      matched = true;
      this.#matched(link, e, value);
    }
    return matched;
  }

  /** Records a matched value (MATCHED_VAR, MATCHED_VARS, the rule's matches) and runs the link's per-match actions. */
  #matched(link: CompiledRule, e: Entry, value: ByteString): void {
    this.#matchedVar = { name: e.name, value };
    this.#linkMatches ??= [];
    this.#linkMatches.push({ key: e.name, lkey: e.name.toLowerCase(), name: e.name, value });
    this.#chainMatches ??= [];
    this.#chainMatches.push({ name: e.name, value });
    this.#runEffects(link.effects);
  }

  /** multiMatch: whether the values after some step of the chain can pass the prefilter. */
  #anyStepPasses(
    sel: Selection,
    link: CompiledRule,
    filter: (hits: LiteralHits) => boolean,
    index: LiteralIndex,
  ): boolean {
    for (const n of link.chainPath) if (filter(sel.unionThrough(n, index))) return true;
    return false;
  }

  /**
   * multiMatch (reference manual, "multiMatch"): the operator on value `i` as it is and after
   * every step of the chain that changed it; the first value that matches, or null.
   */
  #matchAnyStep(
    link: CompiledRule,
    sel: Selection,
    i: number,
    filter: ((hits: LiteralHits) => boolean) | undefined,
    index: LiteralIndex,
  ): ByteString | null {
    const op = link.operator;
    let last: Val | null = null;
    for (const n of link.chainPath) {
      const v = sel.valsThrough(n)[i]!;
      if (v === last) continue;
      last = v;
      if (filter !== undefined && !filter(v.hitsIn(index))) continue;
      const hit = op.evaluateValue !== undefined ? op.evaluateValue(v, this.#scope) : op.evaluate(v.s, this.#scope);
      if (hit !== link.negated) return v.s;
    }
    return null;
  }

  /** Reference mode: every value through every step of the link's chain, nothing kept. */
  #referenceVals(sel: Selection, link: CompiledRule): Val[] {
    return sel.entries.map((e) => {
      let s = e.value;
      for (const t of link.transforms) s = t(s);
      return this.#values.of(s);
    });
  }

  /** multiMatch: the operator on the value and after every step that changed it; the matching value or null. */
  #matchEveryStep(link: CompiledRule, raw: ByteString, scope: OperatorScope): ByteString | null {
    let v = raw;
    let last: string | null = null;
    for (let i = 0; i <= link.transforms.length; i++) {
      if (i > 0) v = link.transforms[i - 1]!(v);
      if (v === last) continue;
      last = v;
      if (link.operator.evaluate(v, scope) !== link.negated) return v;
    }
    return null;
  }

  /**
   * The values of a target after its selector and every exclusion (the link's, then ctl's), or
   * their count for `&`. Kept by the target's selId while the request data stays the same,
   * unless the variable is dynamic or a ctl exclusion applied to this rule.
   */
  #select(target: CompiledTarget, link: CompiledRule, starter: CompiledRule): Selection {
    const sel = this.#cached(target, link);
    if (this.#removalScope === null || !this.#removalScope.has(starter)) return sel;
    // ctl:ruleRemoveTarget… applies to some rules only: this rule's selection is its own.
    const entries = this.#removeTargets(target, sel.selected, starter);
    return entries === sel.selected ? sel : new Selection(entries, this.#counted(target, entries), this.#values);
  }

  /** A target's entries without those the ctl target removals in force take from this rule. */
  #removeTargets(target: CompiledTarget, selected: readonly Entry[], starter: CompiledRule): readonly Entry[] {
    let entries = selected;
    for (const r of this.#targetRemovals)
      if (entries.length > 0 && r.exclusion.variable === target.variable && this.#rs.removalScope(r).has(starter))
        entries = exclude(entries, r.exclusion, this.#scope);
    return entries;
  }

  /** A target's selection before ctl exclusions, kept by its selId unless the variable is dynamic. */
  #cached(target: CompiledTarget, link: CompiledRule): Selection {
    const cacheable = !target.dynamic && !this.#reference;
    let sel = cacheable ? this.#selections[target.selId] : undefined;
    if (sel === undefined) {
      const selected = this.#selectNow(target, link);
      sel = new Selection(selected, this.#counted(target, selected), this.#values);
      if (cacheable) this.#selections[target.selId] = sel;
    }
    return sel;
  }

  /** What a target sees of its selected entries: them, or their number for `&`. */
  #counted(target: CompiledTarget, selected: readonly Entry[]): readonly Entry[] {
    return target.count ? [scalar(target.variable, String(selected.length))] : selected;
  }

  /** A target's values after its selector and the link's own exclusions. */
  #selectNow(target: CompiledTarget, link: CompiledRule): readonly Entry[] {
    const name = target.variable;
    const sel = target.selector;
    let entries: readonly Entry[];
    if (sel?.kind === "key" && (name === "TX" || PERSISTENT_NAMES.has(name))) {
      const col = name === "TX" ? this.#tx : this.#persistent.get(name.toLowerCase());
      const e = col?.entryOf(sel.key);
      entries = e ? [e] : EMPTY;
    } else {
      entries = this.#variable(name, target.xpath);
      if (sel?.kind === "key") entries = entries.filter((e) => e.lkey === sel.key);
      else if (sel?.kind === "regex")
        entries = entries.filter((e) => sel.regex.testKey(e.key, e.lkey, () => this.#scope.hits(e.key)));
    }
    if (entries.length > 0)
      for (const ex of link.exclusions) if (ex.variable === name) entries = exclude(entries, ex, this.#scope);
    return entries;
  }

  /** Every entry of a variable. */
  #variable(name: string, xpath: string | null): readonly Entry[] {
    switch (name) {
      case "TX":
        return this.#tx.entries();
      case "MATCHED_VAR":
        return this.#matchedVar ? [scalar(name, this.#matchedVar.value)] : EMPTY;
      case "MATCHED_VAR_NAME":
        return this.#matchedVar ? [scalar(name, this.#matchedVar.name)] : EMPTY;
      case "MATCHED_VARS":
        return this.#matchedVars;
      case "MATCHED_VARS_NAMES":
        return namesOf(name, this.#matchedVars);
      case "XML": {
        const xml = this.#vars.body?.parsed?.xml;
        if (!xml) return EMPTY;
        if (xpath === "/*") return [{ key: "/*", lkey: "/*", name: "XML:/*", value: xml.text }];
        if (xpath === "//@*")
          return xml.attributes.map(([k, v]) => ({ key: k, lkey: k.toLowerCase(), name: "XML://@*", value: v }));
        return EMPTY;
      }
      case "DURATION":
        return [scalar(name, String(Math.round((this.#now() - this.#vars.startedMs) * 1000)))];
      case "RULE": {
        const r = this.#currentRule;
        if (!r) return EMPTY;
        return [
          { key: "id", lkey: "id", name: "RULE:id", value: String(r.id) },
          { key: "phase", lkey: "phase", name: "RULE:phase", value: String(r.phase) },
          { key: "msg", lkey: "msg", name: "RULE:msg", value: r.msg?.text ?? "" },
          { key: "severity", lkey: "severity", name: "RULE:severity", value: String(r.severity ?? "") },
        ];
      }
      default: {
        if (PERSISTENT_NAMES.has(name)) return this.#persistent.get(name.toLowerCase())?.entries() ?? EMPTY;
        if (name.startsWith("TIME")) return timeVariable(name, this.#now());
        return this.#vars.get(name);
      }
    }
  }

  /** Expands a macro while `rule` is the current rule (msg/logdata after the match). */
  #expandFor(rule: CompiledRule, m: Macro): string {
    const prev = this.#currentRule;
    this.#currentRule = rule;
    try {
      return this.#expand(m);
    } finally {
      this.#currentRule = prev;
    }
  }

  #expand(m: Macro): string {
    if (m.constant !== null) return m.constant;
    let s = "";
    for (const p of m.parts) s += typeof p === "string" ? p : this.#macroValue(p);
    return s;
  }

  #macroValue(ref: MacroRef): string {
    const name = ref.name;
    if (ref.key === null) return this.#variable(name, null)[0]?.value ?? "";
    if (name === "TX") return this.#tx.get(ref.key) ?? "";
    const lower = name.toLowerCase();
    if (PERSISTENT.has(lower)) return this.#persistent.get(lower)?.get(ref.key) ?? "";
    const key = ref.key;
    for (const e of this.#variable(name, name === "XML" ? key : null)) if (e.lkey === key) return e.value;
    return "";
  }

  #runEffects(effects: readonly Effect[]): void {
    for (const e of effects) {
      switch (e.kind) {
        case "setvar": {
          const col = e.collection === "tx" ? this.#tx : this.#persistent.get(e.collection);
          if (!col) break;
          const key = this.#expand(e.key);
          if (e.op === "delete") col.delete(key);
          else if (e.op === "set") col.set(key, this.#expand(e.value));
          else {
            const cur = atoi(col.get(key) ?? "0");
            const by = atoi(this.#expand(e.value));
            col.set(key, String(e.op === "add" ? cur + by : cur - by));
          }
          break;
        }
        case "expirevar": {
          const col = e.collection === "tx" ? this.#tx : this.#persistent.get(e.collection);
          col?.expire(this.#expand(e.key), atoi(this.#expand(e.seconds)));
          break;
        }
        case "initcol":
          if (PERSISTENT.has(e.collection))
            this.#persistent.set(
              e.collection,
              this.#rs.store.open(e.collection, this.#expand(e.key), this.#rs.settings.collectionTimeout),
            );
          break;
        case "ctl":
          this.#applyCtl(e.ctl);
          break;
      }
    }
  }

  #applyCtl(ctl: Ctl): void {
    switch (ctl.kind) {
      case "ruleRemoveById":
        this.#removedRanges.push(...ctl.ranges);
        break;
      case "ruleRemoveByTag":
        this.#removedTags.push(ctl.value.toLowerCase());
        break;
      case "ruleRemoveByMsg":
        this.#removedMsgs.push(ctl.value.toLowerCase());
        break;
      case "ruleRemoveTargetById":
      case "ruleRemoveTargetByTag":
      case "ruleRemoveTargetByMsg":
        this.#targetRemovals.push(ctl);
        this.#removalScope ??= new Set();
        for (const r of this.#rs.removalScope(ctl)) this.#removalScope.add(r);
        break;
      case "ruleEngine":
        this.#engine = ctl.mode;
        break;
      case "requestBodyProcessor":
        this.#vars.processor = ctl.processor;
        this.#invalidate();
        break;
      case "requestBodyAccess":
        this.#requestBodyAccess = ctl.on;
        break;
      case "responseBodyAccess":
        this.#responseBodyAccess = ctl.on;
        break;
      case "forceRequestBodyVariable":
        this.#forceRequestBodyVariable = ctl.on;
        break;
      case "ignored":
        break;
    }
  }
}

function exclude(entries: readonly Entry[], ex: TargetExclusion, scope: OperatorScope): readonly Entry[] {
  const sel = ex.selector;
  if (sel === null) return EMPTY;
  // Most exclusions name a key the request does not have: no copy then.
  if (sel.kind === "key")
    return entries.some((e) => e.lkey === sel.key) ? entries.filter((e) => e.lkey !== sel.key) : entries;
  const hit = (e: Entry) => sel.regex.testKey(e.key, e.lkey, () => scope.hits(e.key));
  return entries.some(hit) ? entries.filter((e) => !hit(e)) : entries;
}

/** TIME, TIME_EPOCH, TIME_YEAR … in local time, as ModSecurity (reference manual, "TIME"). */
function timeVariable(name: string, nowMs: number): readonly Entry[] {
  const d = new Date(nowMs);
  const two = (n: number) => String(n).padStart(2, "0");
  const values: Record<string, string> = {
    TIME: `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`,
    TIME_EPOCH: String(Math.floor(nowMs / 1000)),
    TIME_YEAR: String(d.getFullYear()),
    TIME_MON: String(d.getMonth() + 1),
    TIME_DAY: String(d.getDate()),
    TIME_HOUR: String(d.getHours()),
    TIME_MIN: String(d.getMinutes()),
    TIME_SEC: String(d.getSeconds()),
    TIME_WDAY: String(d.getDay()),
  };
  const v = values[name];
  return v === undefined ? EMPTY : [scalar(name, v)];
}
