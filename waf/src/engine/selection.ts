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
 * them (or only folds their case), so the union is the untransformed one and no value is touched.
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
  #through: Map<number, { vals: Val[]; union: Array<LiteralHits | null> }> | null = null;

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
    let t = this.#through?.get(node);
    if (t === undefined) {
      const raw = this.vals;
      const vals: Val[] = new Array(raw.length);
      for (let i = 0; i < vals.length; i++) vals[i] = this.#table.transform(raw[i]!, node);
      t = { vals, union: [null, null] };
      this.#through ??= new Map();
      this.#through.set(node, t);
    }
    return t.vals;
  }

  /** The union of the scans (by `index`, LITERALS by default) of the values through a chain node. */
  unionThrough(node: number, index: LiteralIndex = LITERALS): LiteralHits {
    let unions = this.#union;
    let vals = this.vals;
    if (node !== 0 && (this.classes & CHAINS.pathTriggers(node)) !== 0) {
      vals = this.valsThrough(node) as Val[];
      unions = this.#through!.get(node)!.union;
    }
    const slot = index.slot;
    let u = unions[slot]!;
    if (u === null || u.version !== index.version) {
      u = union(vals, index);
      unions[slot] = u;
    }
    return u;
  }
}

function union(vals: readonly Val[], index: LiteralIndex): LiteralHits {
  if (vals.length === 1) return vals[0]!.hitsIn(index);
  const hits: LiteralHits[] = new Array(vals.length);
  for (let i = 0; i < hits.length; i++) hits[i] = vals[i]!.hitsIn(index);
  return index.union(hits);
}
