/**
 * The detector's own time line, monotonic whatever the records say: a record time that jumps
 * back by more than `maxSkewMs` (the wall clock was set back) or forward by more than `maxGapMs`
 * (set forward, or a suspended VM) is re-anchored so that time goes on from where it was, and
 * the jump is counted. Smaller steps back (records slightly out of order) count as "now". So a
 * clock jump never empties every window at once (a flood of false "returns to normal") nor
 * divides by a negative interval.
 */
export class DetectorClock {
  readonly maxSkewMs: number;
  readonly maxGapMs: number;
  #offset = 0;
  #now = Number.NEGATIVE_INFINITY;
  #jumps = 0;
  #late = 0;

  constructor(maxSkewMs = 5_000, maxGapMs = 300_000) {
    this.maxSkewMs = maxSkewMs;
    this.maxGapMs = maxGapMs;
  }

  /** The effective time (ms) of a record stamped `t`; never less than the previous one. */
  at(t: number): number {
    if (!Number.isFinite(t)) return this.#now === Number.NEGATIVE_INFINITY ? 0 : this.#now;
    let e = t + this.#offset;
    const now = this.#now;
    if (now === Number.NEGATIVE_INFINITY) {
      this.#now = e;
      return e;
    }
    if (e < now - this.maxSkewMs || e > now + this.maxGapMs) {
      this.#jumps++;
      this.#offset += now - e;
      e = now;
    } else if (e < now) {
      this.#late++;
      e = now;
    }
    this.#now = e;
    return e;
  }

  /** The latest effective time (ms); -Infinity before the first record. */
  get now(): number {
    return this.#now;
  }

  /** Clock jumps re-anchored. */
  get jumps(): number {
    return this.#jumps;
  }

  /** Records that arrived slightly out of order. */
  get late(): number {
    return this.#late;
  }
}
