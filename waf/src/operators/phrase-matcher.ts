import type { ByteString } from "../bytes.js";

/**
 * A case-insensitive multi-phrase matcher over byte strings: an Aho-Corasick automaton (goto,
 * failure and output functions) built once. The root has a dense 256-entry table; other states
 * keep their few transitions in flat sorted arrays, so CRS's largest data file (php-errors.data,
 * ~70 KB of phrases) costs about 1 MB. A search follows at most one failure link per byte on
 * average (linear in the value whatever the phrases). ASCII letters are folded, as
 * ModSecurity's @pm folds with tolower() in the C locale.
 */
export class PhraseMatcher {
  readonly #root: Int32Array;
  /** Per state: offset of its first transition in #labels/#targets, and their count. */
  readonly #first: Int32Array;
  readonly #count: Uint16Array;
  readonly #labels: Uint8Array;
  readonly #targets: Int32Array;
  readonly #fail: Int32Array;
  /** Per state: index in #phrases of a phrase that ends there (directly or through failure links), else -1. */
  readonly #out: Int32Array;
  readonly #phrases: readonly string[];

  constructor(phrases: readonly string[]) {
    const unique = [...new Set(phrases.map(fold))].filter((p) => p !== "");
    this.#phrases = unique;
    const children: Array<Map<number, number>> = [new Map()];
    const out: number[] = [-1];
    unique.forEach((p, idx) => {
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i) & 0xff;
        let t = children[s]!.get(c);
        if (t === undefined) {
          t = children.length;
          children.push(new Map());
          out.push(-1);
          children[s]!.set(c, t);
        }
        s = t;
      }
      if (out[s] === -1) out[s] = idx;
    });
    const states = children.length;
    const first = new Int32Array(states);
    const count = new Uint16Array(states);
    const labels = new Uint8Array(states);
    const targets = new Int32Array(states);
    let k = 0;
    for (let s = 0; s < states; s++) {
      const entries = [...children[s]!.entries()].sort((a, b) => a[0] - b[0]);
      first[s] = k;
      count[s] = entries.length;
      for (const [c, t] of entries) {
        labels[k] = c;
        targets[k] = t;
        k++;
      }
    }
    const root = new Int32Array(256);
    for (const [c, t] of children[0]!) root[c] = t;
    this.#root = root;
    this.#first = first;
    this.#count = count;
    this.#labels = labels;
    this.#targets = targets;
    const fail = new Int32Array(states);
    this.#fail = fail;
    const outs = Int32Array.from(out);
    const queue: number[] = [...children[0]!.values()];
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi]!;
      for (const [c, t] of children[s]!) {
        fail[t] = this.#step(fail[s]!, c);
        if (outs[t] === -1) outs[t] = outs[fail[t]!]!;
        queue.push(t);
      }
    }
    this.#out = outs;
  }

  #step(state: number, c: number): number {
    let s = state;
    for (;;) {
      if (s === 0) return this.#root[c]!;
      const f = this.#first[s]!;
      const end = f + this.#count[s]!;
      for (let i = f; i < end; i++) {
        const l = this.#labels[i]!;
        if (l === c) return this.#targets[i]!;
        if (l > c) break;
      }
      s = this.#fail[s]!;
    }
  }

  /** The first phrase found in `value` (lower-cased), or null. */
  first(value: ByteString): string | null {
    const out = this.#out;
    let s = 0;
    for (let i = 0; i < value.length; i++) {
      let c = value.charCodeAt(i) & 0xff;
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      s = this.#step(s, c);
      const o = out[s]!;
      if (o !== -1) return this.#phrases[o]!;
    }
    return null;
  }

  /** Number of distinct phrases. */
  get size(): number {
    return this.#phrases.length;
  }
}

function fold(p: string): string {
  return p.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
