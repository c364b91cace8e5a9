/**
 * Top-K heavy hitters by the Space-Saving algorithm (Metwally, Agrawal & El Abbadi 2005): `k`
 * counters; an unseen key replaces the smallest counter and inherits its count as its error. Any
 * key whose true count exceeds N/k is guaranteed to be in the table; `count − error` is a lower
 * bound and `count` an upper bound of its true count. Keys are numbers (client keys).
 */
export class SpaceSaving {
  readonly k: number;
  readonly #slots = new Map<number, number>();
  readonly keys: Float64Array;
  readonly counts: Float64Array;
  readonly errors: Float64Array;
  #size = 0;

  /** @param k table size, 1..65536 */
  constructor(k: number) {
    if (!Number.isInteger(k) || k < 1 || k > 65_536) throw new RangeError("k must be 1..65536");
    this.k = k;
    this.keys = new Float64Array(k);
    this.counts = new Float64Array(k);
    this.errors = new Float64Array(k);
  }

  /** Adds `n` to `key`. */
  add(key: number, n = 1): void {
    const at = this.#slots.get(key);
    if (at !== undefined) {
      this.counts[at]! += n;
      return;
    }
    if (this.#size < this.k) {
      const i = this.#size++;
      this.keys[i] = key;
      this.counts[i] = n;
      this.errors[i] = 0;
      this.#slots.set(key, i);
      return;
    }
    let min = 0;
    for (let i = 1; i < this.k; i++) if (this.counts[i]! < this.counts[min]!) min = i;
    this.#slots.delete(this.keys[min]!);
    this.keys[min] = key;
    this.errors[min] = this.counts[min]!;
    this.counts[min]! += n;
    this.#slots.set(key, min);
  }

  /** Entries, largest count first: `[key, count, error]`. */
  top(limit = this.k): Array<[key: number, count: number, error: number]> {
    const out: Array<[number, number, number]> = [];
    for (let i = 0; i < this.#size; i++) out.push([this.keys[i]!, this.counts[i]!, this.errors[i]!]);
    out.sort((a, b) => b[1] - a[1]);
    return out.slice(0, limit);
  }

  /** Number of keys held. */
  get size(): number {
    return this.#size;
  }

  /** Empties the table. */
  clear(): void {
    this.#slots.clear();
    this.#size = 0;
  }
}
