/**
 * A table of upper-case ASCII words to small numbers (1–255), looked up directly in a byte
 * string range with ASCII a–z folded to upper case: open addressing on an FNV-1a hash, no
 * allocation per lookup. Used for libinjection's SQL keywords and its HTML tag and attribute
 * blacklists. Absent words read as 0.
 */
export class WordTable {
  readonly #keys: string[];
  readonly #values: Uint8Array;
  readonly #mask: number;

  /** `entries`: words (upper case, no NUL) and their values (1–255). */
  constructor(entries: Iterable<readonly [string, number]>) {
    const list = [...entries];
    let size = 16;
    while (size < list.length * 2) size *= 2; // load under one half: short probes
    this.#keys = new Array<string>(size).fill("");
    this.#values = new Uint8Array(size);
    this.#mask = size - 1;
    for (const [word, value] of list) {
      if (!(value >= 1 && value <= 255)) throw new Error(`word table: ${word} has value ${value}`);
      let h = WORD_HASH_SEED;
      for (let i = 0; i < word.length; i++) h = wordHashStep(h, word.charCodeAt(i));
      let slot = h & this.#mask;
      while (this.#values[slot] !== 0) {
        if (this.#keys[slot] === word) throw new Error(`word table: ${word} twice`);
        slot = (slot + 1) & this.#mask;
      }
      this.#keys[slot] = word;
      this.#values[slot] = value;
    }
  }

  /** The value of the word `s[at, at+len)`, or 0. */
  get(s: string, at: number, len: number): number {
    let h = WORD_HASH_SEED;
    for (let i = 0; i < len; i++) h = wordHashStep(h, s.charCodeAt(at + i));
    return this.getHashed(h, s, at, len);
  }

  /**
   * As {@link get}, given the word's hash (`wordHashStep` over its bytes from `WORD_HASH_SEED`)
   * already computed while scanning it.
   */
  getHashed(h: number, s: string, at: number, len: number): number {
    for (let slot = h & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const v = this.#values[slot]!;
      if (v === 0) return 0;
      const key = this.#keys[slot]!;
      if (key.length === len && equalsFolded(key, 0, s, at, len)) return v;
    }
  }

  /** The value of the two words `a` and `b` joined by one space ("UNION" + "ALL"), or 0. */
  getPair(a: string, aAt: number, aLen: number, b: string, bAt: number, bLen: number): number {
    let h = WORD_HASH_SEED;
    for (let i = 0; i < aLen; i++) h = wordHashStep(h, a.charCodeAt(aAt + i));
    h = wordHashStep(h, 0x20);
    for (let i = 0; i < bLen; i++) h = wordHashStep(h, b.charCodeAt(bAt + i));
    const len = aLen + 1 + bLen;
    for (let slot = h & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const v = this.#values[slot]!;
      if (v === 0) return 0;
      const key = this.#keys[slot]!;
      if (
        key.length === len &&
        key.charCodeAt(aLen) === 0x20 &&
        equalsFolded(key, 0, a, aAt, aLen) &&
        equalsFolded(key, aLen + 1, b, bAt, bLen)
      ) {
        return v;
      }
    }
  }

  /**
   * As {@link get}, skipping NUL bytes of the input (browsers dropped them, so `scr\0ipt` is
   * `script`).
   */
  getIgnoringNul(s: string, at: number, len: number): number {
    let h = WORD_HASH_SEED;
    let kept = 0;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(at + i);
      if (c === 0) continue;
      h = wordHashStep(h, c);
      kept++;
    }
    if (kept === len) {
      for (let slot = h & this.#mask; ; slot = (slot + 1) & this.#mask) {
        const v = this.#values[slot]!;
        if (v === 0) return 0;
        const key = this.#keys[slot]!;
        if (key.length === len && equalsFolded(key, 0, s, at, len)) return v;
      }
    }
    for (let slot = h & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const v = this.#values[slot]!;
      if (v === 0) return 0;
      const key = this.#keys[slot]!;
      if (key.length === kept && equalsFoldedSkippingNul(key, s, at, len)) return v;
    }
  }
}

/** Start value of a word hash. */
export const WORD_HASH_SEED = 0x811c9dc5 | 0;

/** One byte more of a word hash: FNV-1a with ASCII a–z folded to upper case. */
export function wordHashStep(h: number, c: number): number {
  return Math.imul(h ^ (c >= 0x61 && c <= 0x7a ? c - 0x20 : c), 0x01000193);
}

/** `key[k, k+len)` equals `s[at, at+len)` with the input's a–z folded. */
function equalsFolded(key: string, k: number, s: string, at: number, len: number): boolean {
  for (let i = 0; i < len; i++) {
    let c = s.charCodeAt(at + i);
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (key.charCodeAt(k + i) !== c) return false;
  }
  return true;
}

function equalsFoldedSkippingNul(key: string, s: string, at: number, len: number): boolean {
  let k = 0;
  for (let i = 0; i < len; i++) {
    let c = s.charCodeAt(at + i);
    if (c === 0) continue;
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (key.charCodeAt(k++) !== c) return false;
  }
  return true;
}
