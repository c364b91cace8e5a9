import type { RequestInput } from "../engine/input.js";
import { PersistentStore } from "../engine/persistent-store.js";
import { Transaction, type TransactionOptions } from "../engine/transaction.js";
import type { CompiledPhase, CompiledRule, Ctl, EngineSettings, Phase, TargetRemovalCtl } from "./types.js";

/**
 * An immutable compiled rule set (from {@link compileRuleSet}): the rules of each phase in order,
 * the engine settings, and the node-local persistent collections its transactions share.
 * Create one transaction per request with {@link CompiledRuleSet.newTransaction}.
 */
export class CompiledRuleSet {
  readonly #phases: ReadonlyMap<Phase, CompiledPhase>;
  readonly settings: EngineSettings;
  /** SecComponentSignature values (CRS writes `OWASP_CRS/4.28.0`). */
  readonly componentSignatures: readonly string[];
  /** Persistent collections (initcol), node-local, bounded (see PersistentStore). */
  readonly store: PersistentStore;
  readonly #byId: ReadonlyMap<number, CompiledRule>;
  /** Number of distinct target selections (selectKeys) of the rule set: a transaction keeps one of each. */
  readonly selections: number;
  /** Number of distinct (targets, chain) signatures of prefiltered rules (see CompiledRule.sigId). */
  readonly signatures: number;

  constructor(
    phases: ReadonlyMap<Phase, CompiledPhase>,
    settings: EngineSettings,
    componentSignatures: readonly string[],
  ) {
    this.#phases = phases;
    this.settings = settings;
    this.componentSignatures = componentSignatures;
    this.store = new PersistentStore();
    const byId = new Map<number, CompiledRule>();
    const selIds = new Map<string, number>();
    for (const p of phases.values())
      for (const r of p.rules) {
        byId.set(r.id, r);
        for (let link: CompiledRule | null = r; link !== null; link = link.chain)
          for (const t of link.targets) {
            let id = selIds.get(t.selectKey);
            if (id === undefined) {
              id = selIds.size;
              selIds.set(t.selectKey, id);
            }
            (t as { selId: number }).selId = id;
          }
      }
    this.#byId = byId;
    this.selections = selIds.size;
    // Rules that read the same values through the same chain share one union of their scans.
    const sigIds = new Map<string, number>();
    for (const p of phases.values())
      for (const r of p.rules) {
        if (r.targets.length === 0 || r.negated || r.operator.prefilter === undefined) continue;
        if (r.targets.some((t) => t.dynamic || t.count)) continue;
        const key = `${r.operator.literalIndex?.slot ?? 0}:${r.multiMatch ? "m" : ""}${r.chainNode}|${[...new Set(r.targets.map((t) => t.selId))].sort((a, b) => a - b).join(",")}`;
        let id = sigIds.get(key);
        if (id === undefined) {
          id = sigIds.size;
          sigIds.set(key, id);
        }
        (r as { sigId: number }).sigId = id;
      }
    this.signatures = sigIds.size;
  }

  readonly #removalScopes = new WeakMap<TargetRemovalCtl, ReadonlySet<CompiledRule>>();

  /**
   * The rules a `ctl:ruleRemoveTargetById/ByTag/ByMsg` takes a target from: those it names whose
   * links read the variable it removes (computed once per ctl, then kept).
   */
  removalScope(ctl: TargetRemovalCtl): ReadonlySet<CompiledRule> {
    let scope = this.#removalScopes.get(ctl);
    if (scope === undefined) {
      const rules = new Set<CompiledRule>();
      for (const r of this.rules()) {
        if (!ctlNames(ctl, r)) continue;
        for (let link: CompiledRule | null = r; link !== null; link = link.chain)
          if (link.targets.some((t) => t.variable === ctl.exclusion.variable)) rules.add(r);
      }
      scope = rules;
      this.#removalScopes.set(ctl, scope);
    }
    return scope;
  }

  /** The rules of a phase, in order. */
  phase(p: Phase): CompiledPhase {
    return this.#phases.get(p)!;
  }

  /** A rule by id (after Remove/Update and paranoia pruning), or undefined. */
  rule(id: number): CompiledRule | undefined {
    return this.#byId.get(id);
  }

  /** Number of rules (chains count once) across phases. */
  get size(): number {
    return this.#byId.size;
  }

  /** Every rule, phase by phase in order. */
  *rules(): IterableIterator<CompiledRule> {
    for (const p of [1, 2, 3, 4, 5] as const) yield* this.#phases.get(p)!.rules;
  }

  /** Starts the evaluation of one request. Never throws. */
  newTransaction(request: RequestInput, options: TransactionOptions = {}): Transaction {
    return new Transaction(this, request, options);
  }
}

/** Whether a ctl:ruleRemoveTarget… names a rule (by id range, tag or msg, case-insensitively). */
function ctlNames(ctl: Ctl, rule: CompiledRule): boolean {
  switch (ctl.kind) {
    case "ruleRemoveTargetById":
      return ctl.ranges.some(([lo, hi]) => rule.id >= lo && rule.id <= hi);
    case "ruleRemoveTargetByTag":
      return rule.tagSet.has(ctl.value);
    case "ruleRemoveTargetByMsg":
      return rule.msg !== null && rule.msg.text.toLowerCase() === ctl.value.toLowerCase();
    default:
      return false;
  }
}
