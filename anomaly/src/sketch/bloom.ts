import { hash2 } from "./mix.js";

/**
 * A Bloom filter over pairs of 32-bit words with `k` probes from double hashing (Kirsch &
 * Mitzenmacher 2006). {@link TwoGenerationBloom} ages it: inserts go to the current generation,
 * lookups see both, and the older one is dropped when the current one is full, so the filter
 * remembers at least the last `capacity` inserts with a bounded false-positive rate (about
 * (1 − e^(−k·n/m))^k per generation: m = 2^23 bits, k = 4, n = 800k → 1.2 %).
 */
class BloomBits {
  readonly bits: Uint32Array;
  readonly #mask: number;
  count = 0;

  constructor(log2Bits: number) {
    this.bits = new Uint32Array(1 << (log2Bits - 5));
    this.#mask = (1 << log2Bits) - 1;
  }

  has(h1: number, h2: number, k: number): boolean {
    for (let i = 0; i < k; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.#mask;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  set(h1: number, h2: number, k: number): void {
    for (let i = 0; i < k; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.#mask;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.count++;
  }

  clear(): void {
    this.bits.fill(0);
    this.count = 0;
  }
}

/** Two Bloom generations: "seen recently?" with bounded memory (2 × 2^log2Bits bits). */
export class TwoGenerationBloom {
  #current: BloomBits;
  #previous: BloomBits;
  readonly #k: number;
  readonly #capacity: number;
  #rotations = 0;

  /**
   * @param log2Bits bits per generation as a power of two (10..30)
   * @param capacity inserts per generation before it rotates
   * @param k probes per item (1..8)
   */
  constructor(log2Bits = 23, capacity = 800_000, k = 4) {
    if (!Number.isInteger(log2Bits) || log2Bits < 10 || log2Bits > 30) throw new RangeError("log2Bits must be 10..30");
    if (!Number.isInteger(k) || k < 1 || k > 8) throw new RangeError("k must be 1..8");
    this.#current = new BloomBits(log2Bits);
    this.#previous = new BloomBits(log2Bits);
    this.#k = k;
    this.#capacity = capacity;
  }

  /**
   * Inserts (a, b) and says whether it is new: false when either generation has (probably) seen
   * it. A seen item found only in the previous generation is copied into the current one.
   */
  insert(a: number, b: number): boolean {
    const h1 = hash2(a, b, 0x51ed);
    const h2 = hash2(b, a, 0x2a1b) | 1;
    if (this.#current.has(h1, h2, this.#k)) return false;
    const seen = this.#previous.has(h1, h2, this.#k);
    if (this.#current.count >= this.#capacity) this.rotate();
    this.#current.set(h1, h2, this.#k);
    return !seen;
  }

  /** Drops the older generation (the current becomes the previous). */
  rotate(): void {
    const old = this.#previous;
    old.clear();
    this.#previous = this.#current;
    this.#current = old;
    this.#rotations++;
  }

  /** Times the filter rotated. */
  get rotations(): number {
    return this.#rotations;
  }

  /** Bytes of memory held. */
  get bytes(): number {
    return this.#current.bits.byteLength + this.#previous.bits.byteLength;
  }
}
