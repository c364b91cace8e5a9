import type { ByteString } from "../bytes.js";
import { PhraseMatcher } from "../operators/phrase-matcher.js";

/**
 * Which literals of the index occur in one value (ASCII case folded): bytes 0–31 of `bits` say
 * which byte values occur (bit b), the rest which literals (bit 256 + id).
 */
export interface LiteralHits {
  /** The index version the hits were computed with. */
  readonly version: number;
  /** 8 words of 32 bits: bit b for each byte value b of the value (ASCII folded). */
  readonly bytes: readonly number[];
  /** The literals found, as bits 256 + id (each once; a value holds few). */
  readonly found: readonly number[];
  /** Bit `id` set for each literal found, made on first need when there are more than a few; else null (use `found`). */
  literalBits: Uint8Array | null;
  /** The value the hits are of (two-byte literals are looked up in it, folded), or for a union its parts. */
  readonly value: string | readonly LiteralHits[];
  /** The value (the parts joined by NUL) ASCII-folded, on first need. */
  folded: string | null;
}

/** The folded text of hits (see LiteralHits.folded). */
export function foldedText(h: LiteralHits): string {
  if (h.folded === null) {
    const v = h.value;
    h.folded = foldAscii(typeof v === "string" ? v : v.map(foldedText).join("\0"));
  }
  return h.folded;
}

/**
 * The union of several values' hits: a prefilter that fails on it fails on each of them (it may
 * pass where no single value does; the values are then checked one by one).
 */
export function unionHits(all: readonly LiteralHits[], version: number): LiteralHits {
  if (all.length === 1) return all[0]!;
  const bytes = [0, 0, 0, 0, 0, 0, 0, 0];
  const found: number[] = [];
  let total = 0;
  for (const h of all) total += h.found.length;
  // Few literals (the usual case): a list; many (a large body): a bitmap, so lookups stay O(1).
  const literalBits =
    total > 32 ? new Uint8Array(((Math.max(...all.map((h) => Math.max(0, ...h.found))) - 256) >> 3) + 1) : null;
  for (const h of all) {
    for (let w = 0; w < 8; w++) bytes[w] = bytes[w]! | h.bytes[w]!;
    for (const b of h.found) {
      if (literalBits === null) {
        if (!found.includes(b)) found.push(b);
        continue;
      }
      const id = b - 256;
      const mask = 1 << (id & 7);
      if ((literalBits[id >> 3]! & mask) === 0) {
        literalBits[id >> 3] = literalBits[id >> 3]! | mask;
        found.push(b);
      }
    }
  }
  return { version, bytes, found, literalBits, value: all, folded: null };
}

/** Whether bit `i` (a byte value below 256, else 256 + a literal id) is set in hits. */
export function hasBit(hits: LiteralHits, i: number): boolean {
  if (i < 256) return (hits.bytes[i >> 5]! & (1 << (i & 31))) !== 0;
  let bits = hits.literalBits;
  if (bits === null) {
    if (hits.found.length <= 4) return hits.found.includes(i);
    bits = new Uint8Array(((Math.max(...hits.found) - 256) >> 3) + 1);
    for (const b of hits.found) bits[(b - 256) >> 3] = bits[(b - 256) >> 3]! | (1 << ((b - 256) & 7));
    hits.literalBits = bits;
  }
  const id = i - 256;
  return id >> 3 < bits.length && (bits[id >> 3]! & (1 << (id & 7))) !== 0;
}

/**
 * Every prefilter literal of every compiled regex, with one Aho-Corasick automaton over all of
 * them: a value is scanned once (linear in its length) and every regex's prefilter is then
 * answered from the resulting bit set, instead of each regex searching the value for its own
 * literals (RE2's FilteredRE2 works this way). Single-byte literals are answered from the value's
 * byte set, which the same scan fills, and two-byte literals (too frequent to pay in the
 * automaton) with `includes` on the folded value. Literals are ASCII-folded. The automaton is rebuilt lazily
 * after literals are added (at rule-set compile time).
 */
export class LiteralIndex {
  readonly #ids = new Map<string, number>();
  readonly #literals: string[] = [];
  #matcher: PhraseMatcher | null = null;
  /** For each phrase index of #matcher, its bit (256 + literal id). */
  #phraseBits: Int32Array = new Int32Array(0);
  #version = 0;

  /** The id of a literal of three bytes or more (ASCII lower-cased by the caller), registering it if new. */
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

  /** Scans `value` once for every literal and byte. */
  scan(value: ByteString): LiteralHits {
    let m = this.#matcher;
    if (m === null) {
      // Fully dense for CRS's literal set (~24,000 states × ~75 classes, Uint16: ~3.5 MiB).
      m = new PhraseMatcher(this.#literals, { denseCells: 4 * 1024 * 1024 });
      this.#phraseBits = Int32Array.from(m.phrases, (p) => 256 + this.#ids.get(p)!);
      this.#matcher = m;
    }
    const bytes = [0, 0, 0, 0, 0, 0, 0, 0];
    const found: number[] = [];
    m.markAll(value, bytes, this.#phraseBits, found);
    return { version: this.#version, bytes, found, literalBits: null, value, folded: null };
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

/** The process-wide literal index every LinearRegex registers its literals in. */
export const LITERALS: LiteralIndex = new LiteralIndex();
