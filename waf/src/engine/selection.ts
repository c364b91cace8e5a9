import { LITERALS, type LiteralHits, type LiteralIndex } from "../regex/literal-index.js";
import { CHAINS } from "../transformations/chain-trie.js";
import type { Entry } from "./entry.js";
import type { Val, ValueTable } from "./value.js";

/**
 * The values one target selects in a transaction (`ARGS`, `REQUEST_HEADERS:User-Agent`, after its
 * exclusions), kept while the request data they come from stays the same, with what rules ask of
 * them as a whole: their {@link Val}s through a transformation chain, and the union of those
 * values' literal scans, which a regex prefilter reads to turn the whole target away at once.
 * When none of the values holds a byte any step of a chain acts on, the chain changes none of
 * them (or only folds their case), so the union is the untransformed one and no value is touched;
 * when some do, only those go through the chain for the union (see {@link unionThrough}).
 */
export class Selection {
  /** The entries the target selects. */
  readonly selected: readonly Entry[];
  /** What a rule sees: `selected`, or for `&` one entry holding their number. */
  readonly entries: readonly Entry[];
  readonly #table: ValueTable;
  #vals: Val[] | null = null;
  #classes = -1;
  /** By index slot: the union of the values' scans. */
  readonly #union: Array<LiteralHits | null> = [null, null];
  /** By chain node: the values through it and, by index slot, their union. */
  #through: Map<number, { vals: Val[] | null; union: Array<LiteralHits | null> }> | null = null;

  constructor(selected: readonly Entry[], entries: readonly Entry[], table: ValueTable) {
    this.selected = selected;
    this.entries = entries;
    this.#table = table;
  }

  /** The entries' values as {@link Val}s, in order. */
  get vals(): readonly Val[] {
    if (this.#vals === null) {
      const vals: Val[] = new Array(this.entries.length);
      for (let i = 0; i < vals.length; i++) vals[i] = this.#table.of(this.entries[i]!.value);
      this.#vals = vals;
    }
    return this.#vals;
  }

  /** The byte classes of all values (OR). */
  get classes(): number {
    if (this.#classes < 0) {
      let c = 0;
      for (const v of this.vals) c |= v.classes;
      this.#classes = c;
    }
    return this.#classes;
  }

  /** The values through a chain node, in entry order. */
  valsThrough(node: number): readonly Val[] {
    if (node === 0) return this.vals;
    const t = this.#throughNode(node);
    if (t.vals === null) {
      const raw = this.vals;
      const vals: Val[] = new Array(raw.length);
      for (let i = 0; i < vals.length; i++) vals[i] = this.#table.transform(raw[i]!, node);
      t.vals = vals;
    }
    return t.vals;
  }

  /**
   * What the scans (by `index`, LITERALS by default) of the values through a chain node hold at
   * most: a superset of their union, which is what a prefilter needs (a necessary condition that
   * fails on a superset fails on every value). A value none of the chain's steps can change (no
   * trigger byte) keeps its scan through the chain, case folding included; so unless every value
   * has a trigger byte, the answer is the untransformed union plus the scans of the values that
   * do, and only those go through the chain. The scans they had before the chain stay in: a
   * prefilter may then pass where the exact union would not, and the values are checked one by one.
   */
  unionThrough(node: number, index: LiteralIndex = LITERALS): LiteralHits {
    const slot = index.slot;
    const path = node === 0 ? 0 : CHAINS.pathTriggers(node);
    if ((this.classes & path) === 0) {
      let u = this.#union[slot]!;
      if (u === null || u.version !== index.version) {
        u = union(this.vals, index);
        this.#union[slot] = u;
      }
      return u;
    }
    const t = this.#throughNode(node);
    let u = t.union[slot]!;
    if (u !== null && u.version === index.version) return u;
    const raw = this.vals;
    let triggered = 0;
    for (let i = 0; i < raw.length; i++) if ((raw[i]!.classes & path) !== 0) triggered++;
    if (triggered === raw.length) u = union(this.valsThrough(node), index);
    else {
      const parts: LiteralHits[] = [this.unionThrough(0, index)];
      for (let i = 0; i < raw.length; i++) {
        const v = raw[i]!;
        if ((v.classes & path) === 0) continue;
        const w = this.#table.transform(v, node);
        if (w !== v && w.foldOf !== v) parts.push(w.hitsIn(index));
      }
      u = index.union(parts);
    }
    t.union[slot] = u;
    return u;
  }

  #throughNode(node: number): { vals: Val[] | null; union: Array<LiteralHits | null> } {
    this.#through ??= new Map();
    let t = this.#through.get(node);
    if (t === undefined) {
      t = { vals: null, union: [null, null] };
      this.#through.set(node, t);
    }
    return t;
  }
}

function union(vals: readonly Val[], index: LiteralIndex): LiteralHits {
  if (vals.length === 1) return vals[0]!.hitsIn(index);
  const hits: LiteralHits[] = new Array(vals.length);
  for (let i = 0; i < hits.length; i++) hits[i] = vals[i]!.hitsIn(index);
  return index.union(hits);
}
