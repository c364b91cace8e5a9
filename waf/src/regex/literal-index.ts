import type { ByteString } from "../bytes.js";
import { PhraseMatcher } from "../operators/phrase-matcher.js";

/**
 * Which bytes and which literals of the index occur in one value, or in any of several values (a
 * union), ASCII case folded. Every instance has the same shape (the prefilters that read them
 * stay monomorphic).
 */
export interface LiteralHits {
  /** The index version the hits were computed with. */
  readonly version: number;
  /** 8 words of 32 bits: bit b for each byte value b of the value (ASCII folded). */
  readonly bytes: Int32Array;
  /** The literal ids found, each once (a value holds few). */
  readonly found: readonly number[];
  /** Bit `id` for each literal found: made on first need when `found` is long, else null. */
  bits: Uint32Array | null;
}

/** Lookups walk `found` up to this length; a longer list gets a bitmap. */
const SHORT_LIST = 8;

/** Whether literal `id` is in hits. */
export function hasLiteral(hits: LiteralHits, id: number): boolean {
  const found = hits.found;
  if (found.length <= SHORT_LIST) {
    for (let i = 0; i < found.length; i++) if (found[i] === id) return true;
    return false;
  }
  let bits = hits.bits;
  if (bits === null) {
    let max = 0;
    for (const f of found) if (f > max) max = f;
    bits = new Uint32Array((max >> 5) + 1);
    for (const f of found) bits[f >> 5] = bits[f >> 5]! | (1 << (f & 31));
    hits.bits = bits;
  }
  return id >> 5 < bits.length && (bits[id >> 5]! & (1 << (id & 31))) !== 0;
}

/** Whether byte `b` (ASCII folded) is in hits. */
export function hasByte(hits: LiteralHits, b: number): boolean {
  return (hits.bytes[b >> 5]! & (1 << (b & 31))) !== 0;
}

/**
 * Every prefilter literal of every compiled regex and every `@pm` phrase, with one Aho-Corasick
 * automaton over all of them: a value is scanned once (linear in its length) and every prefilter
 * is then answered from the resulting hits, instead of each regex searching the value for its own
 * literals (RE2's FilteredRE2 works this way). Single bytes are answered from the value's byte
 * set, which the same scan fills. Literals are ASCII-folded. The automaton is rebuilt lazily after
 * literals are added (at rule-set compile time).
 */
export class LiteralIndex {
  /** Which of the process's indexes this is (0: regex literals, 1: @pm phrases): where values keep their scans. */
  readonly slot: number;
  readonly #denseCells: number;
  readonly #ids = new Map<string, number>();
  readonly #literals: string[] = [];
  #matcher: PhraseMatcher | null = null;
  /** For each phrase index of #matcher, its literal id. */
  #idOf: Int32Array = new Int32Array(0);
  /** Per literal id, the stamp of the last scan or union that listed it (dedupes `found`). */
  #seen: Int32Array = new Int32Array(0);
  #stamp = 0;
  #version = 0;

  constructor(slot: number, denseCells: number) {
    this.slot = slot;
    this.#denseCells = denseCells;
  }

  /** The id of a literal of two bytes or more (ASCII lower-cased by the caller), registering it if new. */
  id(literal: string): number {
    let id = this.#ids.get(literal);
    if (id === undefined) {
      id = this.#literals.length;
      this.#literals.push(literal);
      this.#ids.set(literal, id);
      this.#matcher = null;
      this.#version++;
    }
    return id;
  }

  /** Bumped whenever a literal is added: hits computed with an older version must be recomputed. */
  get version(): number {
    return this.#version;
  }

  /** Every literal, by id. */
  get literals(): readonly string[] {
    return this.#literals;
  }

  /** Number of literals. */
  get size(): number {
    return this.#literals.length;
  }

  #nextStamp(): number {
    if (this.#stamp === 0x7fffffff) {
      this.#seen.fill(0);
      this.#stamp = 0;
    }
    return ++this.#stamp;
  }

  /** Scans `value` once for every literal and byte. */
  scan(value: ByteString): LiteralHits {
    let m = this.#matcher;
    if (m === null) {
      // Dense rows for the shallow states, where a scan spends its time; sparse deeper.
      m = new PhraseMatcher(this.#literals, { denseCells: this.#denseCells });
      this.#idOf = Int32Array.from(m.phrases, (p) => this.#ids.get(p)!);
      this.#seen = new Int32Array(this.#literals.length);
      this.#stamp = 0;
      this.#matcher = m;
    }
    const bytes = new Int32Array(8);
    const found: number[] = [];
    m.markAll(value, bytes, this.#idOf, found, this.#seen, this.#nextStamp());
    return { version: this.#version, bytes, found, bits: null };
  }

  /**
   * The union of several values' hits: a prefilter that fails on it fails on each of them (it may
   * pass where no single value does; the values are then checked one by one).
   */
  union(all: readonly LiteralHits[]): LiteralHits {
    if (all.length === 1) return all[0]!;
    const bytes = new Int32Array(8);
    const found: number[] = [];
    const seen = this.#seen;
    const stamp = this.#nextStamp();
    for (const h of all) {
      for (let w = 0; w < 8; w++) bytes[w] = bytes[w]! | h.bytes[w]!;
      for (const id of h.found)
        if (seen[id] !== stamp) {
          seen[id] = stamp;
          found.push(id);
        }
    }
    return { version: this.#version, bytes, found, bits: null };
  }
}

/** `value` with ASCII letters lower-cased (bytes above 0x7f unchanged). */
export function foldAscii(value: string): string {
  // toLowerCase() folds exactly A–Z in a byte string unless it holds Latin-1 capitals (0xC0–0xDE).
  if (!LATIN1_CAPITALS.test(value)) return value.toLowerCase();
  const b = Buffer.from(value, "latin1");
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x41 && b[i]! <= 0x5a) b[i] = b[i]! | 0x20;
  return b.toString("latin1");
}

const LATIN1_CAPITALS = /[\xc0-\xde]/;

/** The process-wide literal index every LinearRegex registers its prefilter literals in. */
export const LITERALS: LiteralIndex = new LiteralIndex(0, 1024 * 1024);

/**
 * The process-wide index of every `@pm`/`@pmFromFile` phrase: kept apart from LITERALS so the
 * scan every value gets for the regex prefilters stays on a small automaton (CRS's data files
 * hold ~7,000 phrases); a value is scanned here when a phrase rule first reads it.
 */
export const PHRASES: LiteralIndex = new LiteralIndex(1, 512 * 1024);
