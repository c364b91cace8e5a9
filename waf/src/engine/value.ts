import type { ByteString } from "../bytes.js";
import { LITERALS, type LiteralHits, type LiteralIndex } from "../regex/literal-index.js";
import { asciiLowercase } from "../transformations/ascii-case.js";
import { CHAINS } from "../transformations/chain-trie.js";
import { ByteClass, byteClasses } from "../transformations/trigger-bytes.js";

/**
 * One distinct byte string a transaction looks at (a variable's value, or a value after a
 * transformation chain), with everything the engine learns about it computed at most once per
 * transaction: its byte classes, its results through each transformation chain, its literal scan
 * (the regex prefilters' input), its UTF-8 bytes for RE2, the libinjection verdicts. Equal strings
 * share one `Val` (see {@link ValueTable}), so a value that several variables hold, or that a
 * chain leaves unchanged, is scanned and judged once.
 */
export class Val {
  readonly s: ByteString;
  #classes = -1;
  #hits: LiteralHits | null = null;
  #phraseHits: LiteralHits | null = null;
  /** A value equal to this one but for ASCII case: the literal scan folds case, so its hits are shared. */
  readonly foldOf: Val | null;
  /** This value through each chain node, by node id (see ChainTrie). */
  out: Array<Val | undefined> | null = null;
  #utf8: Buffer | null = null;
  /** `@detectSQLi`'s fingerprint ("" when not SQLi), once computed. */
  sqli: string | null = null;
  /** `@detectXSS`: 0 not computed, 1 no, 2 yes. */
  xss = 0;

  constructor(s: ByteString, foldOf: Val | null) {
    this.s = s;
    this.foldOf = foldOf;
  }

  /** The value's {@link ByteClass} bits. */
  get classes(): number {
    if (this.#classes < 0) this.#classes = byteClasses(this.s);
    return this.#classes;
  }

  /** The literal scan of the value (shared with the value it is a case fold of). */
  get hits(): LiteralHits {
    let h = this.#hits;
    if (h === null || h.version !== LITERALS.version) {
      h = this.foldOf !== null ? this.foldOf.hits : LITERALS.scan(this.s);
      this.#hits = h;
    }
    return h;
  }

  /** The value's scan by an index (LITERALS or PHRASES). */
  hitsIn(index: LiteralIndex): LiteralHits {
    if (index === LITERALS) return this.hits;
    let h = this.#phraseHits;
    if (h === null || h.version !== index.version) {
      h = this.foldOf !== null ? this.foldOf.hitsIn(index) : index.scan(this.s);
      this.#phraseHits = h;
    }
    return h;
  }

  /** The value's UTF-8 bytes (each char a code point below 256), as RE2 reads it. */
  get utf8(): Buffer {
    this.#utf8 ??= Buffer.from(this.s, "utf8");
    return this.#utf8;
  }
}

/**
 * A transaction's values, one {@link Val} per distinct string, and the transformation of a value
 * through a chain of the process's {@link CHAINS} trie: each node's result is kept on the value,
 * a node whose step cannot change the value (none of its trigger bytes) costs one AND, and a
 * step that folds case only makes a value that shares the literal scan of its source.
 */
export class ValueTable {
  readonly #vals = new Map<string, Val>();

  /** The Val of a string. */
  of(s: ByteString): Val {
    let v = this.#vals.get(s);
    if (v === undefined) {
      v = new Val(s, null);
      this.#vals.set(s, v);
    }
    return v;
  }

  /** A value through a chain node (node 0: itself). */
  transform(v: Val, node: number): Val {
    if (node === 0) return v;
    const cached = v.out?.[node];
    if (cached !== undefined) return cached;
    const from = this.transform(v, CHAINS.parent(node));
    let r: Val;
    if ((from.classes & CHAINS.triggers(node)) === 0)
      r = CHAINS.folds(node) && (from.classes & ByteClass.Upper) !== 0 ? this.#folded(from) : from;
    else {
      const s = CHAINS.step(node)(from.s);
      r = s === from.s ? from : this.of(s);
    }
    v.out ??= [];
    v.out[node] = r;
    return r;
  }

  /** `v` with A–Z lower-cased, sharing v's literal scan. */
  #folded(v: Val): Val {
    const s = asciiLowercase(v.s);
    let r = this.#vals.get(s);
    if (r === undefined) {
      r = new Val(s, v);
      this.#vals.set(s, r);
    }
    return r;
  }
}
