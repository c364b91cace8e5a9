import { LogCollapsingLowestDenseDDSketch } from "@datadog/sketches-js";

/**
 * Body sizes per route as a DDSketch (Masson et al. 2019, Datadog's maintained implementation):
 * every quantile within ±2 % of the true value, mergeable by adding bins, at most 512 bins
 * (the lowest collapse first, so p99 stays exact to 2 %). Sizes are whole bytes (0..2^32 − 1), so
 * bin keys are bounded; the wire form is the non-empty bins (validated on decode: the library's
 * own protobuf decoder would allocate a dense array as wide as the largest key a peer sends).
 */
export const SIZE_RELATIVE_ACCURACY = 0.02;
/** Most bins kept. */
export const SIZE_MAX_BINS = 512;

const probe = new LogCollapsingLowestDenseDDSketch({
  relativeAccuracy: SIZE_RELATIVE_ACCURACY,
  binLimit: SIZE_MAX_BINS,
});
/** Largest bin key a size can have. */
export const SIZE_MAX_KEY = probe.mapping.key(2 ** 32);

/** Non-empty bins of a size sketch: `zeros` empty bodies, then (key, count) pairs, keys increasing. */
export interface SizeBins {
  readonly zeros: number;
  readonly keys: readonly number[];
  readonly counts: readonly number[];
}

export class SizeSketch {
  readonly #dd = new LogCollapsingLowestDenseDDSketch({
    relativeAccuracy: SIZE_RELATIVE_ACCURACY,
    binLimit: SIZE_MAX_BINS,
  });

  /** Adds a body of `bytes` bytes (`weight` times). */
  accept(bytes: number, weight = 1): void {
    this.#dd.accept(bytes, weight);
  }

  /** Bodies counted. */
  get count(): number {
    return this.#dd.count;
  }

  /** The size at quantile `q` (0..1), bytes; 0 when empty. */
  quantile(q: number): number {
    return this.#dd.count === 0 ? 0 : this.#dd.getValueAtQuantile(q);
  }

  /** Adds `other`'s bins. */
  merge(other: SizeSketch): void {
    this.#dd.merge(other.#dd);
  }

  /** The non-empty bins. */
  toBins(): SizeBins {
    const store = this.#dd.store;
    const keys: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < store.bins.length; i++) {
      const c = store.bins[i]!;
      if (c > 0) {
        keys.push(i + store.offset);
        counts.push(c);
      }
    }
    return { zeros: this.#dd.zeroCount, keys, counts };
  }

  /**
   * A sketch from bins (as {@link SizeSketch.toBins} made them).
   * @throws RangeError naming what is wrong: more than {@link SIZE_MAX_BINS} bins, keys not
   *   increasing integers in 0..SIZE_MAX_KEY, counts not positive safe integers
   */
  static fromBins(b: SizeBins): SizeSketch {
    if (b.keys.length !== b.counts.length) throw new RangeError("keys and counts differ in length");
    if (b.keys.length > SIZE_MAX_BINS) throw new RangeError(`more than ${SIZE_MAX_BINS} bins`);
    if (!Number.isSafeInteger(b.zeros) || b.zeros < 0) throw new RangeError("zeros must be a count");
    const s = new SizeSketch();
    if (b.zeros > 0) s.#dd.accept(0, b.zeros);
    let prev = -1;
    for (let i = 0; i < b.keys.length; i++) {
      const k = b.keys[i]!;
      const c = b.counts[i]!;
      if (!Number.isInteger(k) || k <= prev || k < 0 || k > SIZE_MAX_KEY) throw new RangeError(`bin key ${i} invalid`);
      if (!Number.isSafeInteger(c) || c <= 0) throw new RangeError(`bin count ${i} invalid`);
      prev = k;
      s.#dd.accept(s.#dd.mapping.value(k), c);
    }
    return s;
  }
}
