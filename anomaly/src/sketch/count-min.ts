/**
 * Count-min sketch (Cormode & Muthukrishnan 2005) with conservative update (Estan & Varghese
 * 2002): `depth` rows of `width` saturating 32-bit counters. An estimate never undercounts; it
 * overcounts by at most e/width × (total added) with probability 1 − e^−depth. Keys are two
 * well-mixed 32-bit words (ClientTable.hashLo/hashHi); row r uses column `lo + r × hi` (double
 * hashing, Kirsch & Mitzenmacher 2006: as good as independent hashes, no rehash). Two sketches of the same shape merge by adding
 * counters, so per-node sketches sum to a fleet sketch.
 */
export class CountMinSketch {
  readonly depth: number;
  readonly width: number;
  readonly #mask: number;
  readonly counters: Uint32Array;
  #total = 0;

  /**
   * @param width counters per row, a power of two (2..2^24)
   * @param depth rows, 1..8
   * @throws RangeError when the shape is out of range
   */
  constructor(width: number, depth: number, counters?: Uint32Array) {
    if (!Number.isInteger(width) || width < 2 || width > 1 << 24 || (width & (width - 1)) !== 0) {
      throw new RangeError("width must be a power of two in 2..2^24");
    }
    if (!Number.isInteger(depth) || depth < 1 || depth > 8) throw new RangeError("depth must be 1..8");
    this.width = width;
    this.depth = depth;
    this.#mask = width - 1;
    this.counters = counters ?? new Uint32Array(width * depth);
    if (this.counters.length !== width * depth) throw new RangeError("counters length must be width × depth");
    if (counters !== undefined) for (let i = 0; i < width; i++) this.#total += counters[i]!;
  }

  /** Adds `n` (a positive integer) to the key (lo, hi) with conservative update; returns the new estimate. */
  add(lo: number, hi: number, n = 1): number {
    const c = this.counters;
    const step = hi | 1;
    const target = Math.min(0xffffffff, this.estimate(lo, hi) + n);
    for (let r = 0; r < this.depth; r++) {
      const i = r * this.width + ((lo + Math.imul(r, step)) & this.#mask);
      if (c[i]! < target) c[i] = target;
    }
    this.#total += n;
    return target;
  }

  /** The estimated count of (lo, hi): never below the true count. */
  estimate(lo: number, hi: number): number {
    const c = this.counters;
    let min = 0xffffffff;
    const step = hi | 1;
    for (let r = 0; r < this.depth; r++) {
      const v = c[r * this.width + ((lo + Math.imul(r, step)) & this.#mask)]!;
      if (v < min) min = v;
    }
    return min;
  }

  /** Total of all additions (the N of the error bound). */
  get total(): number {
    return this.#total;
  }

  /** Halves every counter (TinyLFU's aging step: old frequencies fade). */
  halve(): void {
    const c = this.counters;
    for (let i = 0; i < c.length; i++) c[i] = c[i]! >>> 1;
    this.#total = Math.floor(this.#total / 2);
  }

  /** Sets every counter to 0. */
  clear(): void {
    this.counters.fill(0);
    this.#total = 0;
  }

  /**
   * Adds `other`'s counters into this sketch (saturating).
   * @throws RangeError when the shapes differ
   */
  merge(other: CountMinSketch): void {
    if (other.width !== this.width || other.depth !== this.depth) throw new RangeError("count-min shapes differ");
    const a = this.counters;
    const b = other.counters;
    for (let i = 0; i < a.length; i++) {
      const s = a[i]! + b[i]!;
      a[i] = Math.min(s, 0xffffffff);
    }
    this.#total += other.total;
  }
}
