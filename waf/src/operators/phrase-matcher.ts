import type { ByteString } from "../bytes.js";

/** Table cells (states × byte classes) a matcher may spend on dense rows by default (~1 MiB as Int32). */
const DEFAULT_DENSE_CELLS = 256 * 1024;

/**
 * A case-insensitive multi-phrase matcher over byte strings: an Aho-Corasick automaton (goto,
 * failure, output functions) built once. Bytes are mapped to classes (every byte no phrase uses
 * shares one class; ASCII letters are folded, as ModSecurity's @pm folds with tolower() in the C
 * locale). States are numbered breadth first; the shallow states, where a scan spends nearly all
 * its time, get dense transition rows (one table read per byte), deeper states keep sparse
 * transitions and fall back along failure links, so memory stays bounded (`denseCells`) even for
 * CRS's largest data file (php-errors.data). A search is linear in the value, whatever the
 * phrases.
 */
export class PhraseMatcher {
  readonly #phrases: readonly string[];
  readonly #classOf: Uint8Array;
  readonly #classes: number;
  /** Dense rows: next state for states below #dense. */
  readonly #table: Uint16Array | Int32Array;
  readonly #dense: number;
  /** Sparse transitions of every state: [first, first+count) in #labels/#targets (labels are classes). */
  readonly #first: Int32Array;
  readonly #count: Uint16Array;
  readonly #labels: Uint8Array;
  readonly #targets: Int32Array;
  readonly #fail: Int32Array;
  /** Per state: a phrase ending there or on its failure chain (shortest), else -1. */
  readonly #out: Int32Array;
  /** Per state: the phrase ending exactly there, else -1. */
  readonly #own: Int32Array;
  /** Per state: the nearest state on its failure chain where a phrase ends, else 0. */
  readonly #dict: Int32Array;

  constructor(phrases: readonly string[], options: { denseCells?: number } = {}) {
    const unique = [...new Set(phrases.map(fold))].filter((p) => p !== "").sort();
    this.#phrases = unique;
    // Byte classes: 0 for bytes no phrase uses.
    const classOf = new Uint8Array(256);
    let classes = 1;
    for (const p of unique)
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i) & 0xff;
        if (classOf[c] === 0) classOf[c] = classes++;
      }
    for (let c = 0x41; c <= 0x5a; c++) classOf[c] = classOf[c | 0x20]!;
    this.#classOf = classOf;
    this.#classes = classes;

    // Trie over the sorted phrases (DFS order: a new state is always appended).
    let total = 1;
    for (const p of unique) total += p.length;
    const parent = new Int32Array(total);
    const label = new Uint8Array(total);
    const depth = new Int32Array(total);
    const ownDfs = new Int32Array(total).fill(-1);
    let states = 1;
    const path: number[] = [0];
    let prev = "";
    unique.forEach((p, idx) => {
      let common = 0;
      while (common < p.length && common < prev.length && p.charCodeAt(common) === prev.charCodeAt(common)) common++;
      let s = path[common]!;
      for (let i = common; i < p.length; i++) {
        const t = states++;
        parent[t] = s;
        label[t] = classOf[p.charCodeAt(i) & 0xff]!;
        depth[t] = i + 1;
        path[i + 1] = s = t;
      }
      if (ownDfs[s] === -1) ownDfs[s] = idx;
      prev = p;
    });

    // Renumber breadth first (stable within a depth).
    // A counting sort by depth (stable: DFS order within a depth).
    let maxDepth = 0;
    for (let i = 0; i < states; i++) if (depth[i]! > maxDepth) maxDepth = depth[i]!;
    const atDepth = new Int32Array(maxDepth + 2);
    for (let i = 0; i < states; i++) atDepth[depth[i]! + 1]!++;
    for (let d = 1; d < atDepth.length; d++) atDepth[d]! += atDepth[d - 1]!;
    const order = new Int32Array(states);
    for (let i = 0; i < states; i++) order[atDepth[depth[i]!]!++] = i;
    const bfsOf = new Int32Array(states);
    order.forEach((old, i) => {
      bfsOf[old] = i;
    });
    const own = new Int32Array(states);
    const count = new Uint16Array(states);
    for (let i = 0; i < states; i++) own[i] = ownDfs[order[i]!]!;
    for (let old = 1; old < states; old++) count[bfsOf[parent[old]!]!]!++;
    const first = new Int32Array(states);
    for (let s = 0, k = 0; s < states; s++) {
      first[s] = k;
      k += count[s]!;
    }
    const fill = first.slice();
    const labels = new Uint8Array(Math.max(1, states - 1));
    const targets = new Int32Array(Math.max(1, states - 1));
    for (const old of order) {
      if (old === 0) continue;
      const k = fill[bfsOf[parent[old]!]!]!++;
      labels[k] = label[old]!;
      targets[k] = bfsOf[old]!;
    }
    this.#first = first;
    this.#count = count;
    this.#labels = labels;
    this.#targets = targets;

    // Dense rows for the first states (breadth first = shallowest).
    const budget = options.denseCells ?? DEFAULT_DENSE_CELLS;
    const dense = Math.max(1, Math.min(states, Math.floor(budget / classes)));
    const table = states <= 0xffff ? new Uint16Array(dense * classes) : new Int32Array(dense * classes);
    this.#table = table;
    this.#dense = dense;

    const fail = new Int32Array(states);
    const dict = new Int32Array(states);
    const out = own.slice();
    this.#fail = fail;
    this.#dict = dict;
    // Breadth first: a state's failure link and its dense row only need shallower states.
    for (let s = 0; s < states; s++) {
      if (s > 0) {
        const f = fail[s]!;
        dict[s] = own[f]! !== -1 ? f : dict[f]!;
        if (out[s] === -1) out[s] = out[f]!;
      }
      const f0 = first[s]!;
      const end = f0 + count[s]!;
      for (let k = f0; k < end; k++) {
        const t = targets[k]!;
        fail[t] = s === 0 ? 0 : this.#next(fail[s]!, labels[k]!);
      }
      if (s < dense) {
        const row = s * classes;
        if (s === 0) for (let c = 0; c < classes; c++) table[c] = 0;
        else table.set(table.subarray(fail[s]! * classes, fail[s]! * classes + classes), row);
        for (let k = f0; k < end; k++) table[row + labels[k]!] = targets[k]!;
      }
    }
    this.#out = out;
    this.#own = own;
  }

  /** The state after reading byte class `c` in state `state`. */
  #next(state: number, c: number): number {
    let s = state;
    for (;;) {
      if (s < this.#dense) return this.#table[s * this.#classes + c]!;
      const f = this.#first[s]!;
      const end = f + this.#count[s]!;
      for (let i = f; i < end; i++) if (this.#labels[i] === c) return this.#targets[i]!;
      s = this.#fail[s]!;
    }
  }

  /** The first phrase found in `value` (lower-cased), or null. */
  first(value: ByteString): string | null {
    const out = this.#out;
    const classOf = this.#classOf;
    const table = this.#table;
    const classes = this.#classes;
    const dense = this.#dense;
    let s = 0;
    for (let i = 0; i < value.length; i++) {
      const c = classOf[value.charCodeAt(i) & 0xff]!;
      s = s < dense ? table[s * classes + c]! : this.#next(s, c);
      const o = out[s]!;
      if (o !== -1) return this.#phrases[o]!;
    }
    return null;
  }

  /**
   * One pass over `value` that sets bit c of the 32-bit words `bytes` (8 of them) for every byte c
   * of the value (ASCII letters folded), and pushes `idOf[p]` to `found` for every phrase p found,
   * once each: `seen[idOf[p]]` is set to `stamp` when it is pushed (the caller passes a stamp no
   * earlier call used, so nothing needs clearing). The literal index's scan.
   */
  markAll(
    value: ByteString,
    bytes: Int32Array,
    idOf: Int32Array,
    found: number[],
    seen: Int32Array,
    stamp: number,
  ): void {
    const own = this.#own;
    const dict = this.#dict;
    const classOf = this.#classOf;
    const table = this.#table;
    const classes = this.#classes;
    const dense = this.#dense;
    let s = 0;
    for (let i = 0; i < value.length; i++) {
      let b = value.charCodeAt(i) & 0xff;
      if (b >= 0x41 && b <= 0x5a) b |= 0x20;
      bytes[b >> 5] = bytes[b >> 5]! | (1 << (b & 31));
      const c = classOf[b]!;
      s = s < dense ? table[s * classes + c]! : this.#next(s, c);
      for (let t = own[s]! !== -1 ? s : dict[s]!; t !== 0; t = dict[t]!) {
        const id = idOf[own[t]!]!;
        if (seen[id] !== stamp) {
          seen[id] = stamp;
          found.push(id);
        }
      }
    }
  }

  /** The distinct phrases, lower-cased and sorted (markAll's `bitOf` is indexed like this list). */
  get phrases(): readonly string[] {
    return this.#phrases;
  }

  /** Number of distinct phrases. */
  get size(): number {
    return this.#phrases.length;
  }
}

function fold(p: string): string {
  return p.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
