/**
 * The bounded in-memory queue between the request path and the SIEM drainer: a ring buffer.
 * `push` is O(1) and never waits; when the ring is full the oldest event is overwritten and
 * counted (Kong's plugin queues drop the oldest entry at `max_entries`; Envoy's access loggers
 * count `logs_dropped`): the most recent events are the ones an operator needs during an
 * incident, and older ones are the likeliest to be in the spool already.
 */

/** A fixed-capacity FIFO ring. */
export class EventQueue<T> {
  readonly #ring: (T | undefined)[];
  #head = 0;
  #size = 0;
  #pushed = 0;
  #dropped = 0;

  /**
   * @param capacity entries held at most (≥ 1)
   * @throws RangeError when capacity is not a positive integer
   */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`queue capacity ${capacity}`);
    this.#ring = new Array<T | undefined>(capacity);
  }

  /**
   * Adds an entry: O(1), no allocation, never waits.
   * @returns false when the ring was full and the oldest entry was dropped to make room
   */
  push(v: T): boolean {
    const cap = this.#ring.length;
    this.#pushed++;
    if (this.#size === cap) {
      this.#ring[this.#head] = v;
      this.#head = (this.#head + 1) % cap;
      this.#dropped++;
      return false;
    }
    this.#ring[(this.#head + this.#size) % cap] = v;
    this.#size++;
    return true;
  }

  /** Removes and returns up to `max` entries, oldest first. */
  take(max: number): T[] {
    const n = Math.min(max, this.#size);
    const out = new Array<T>(n);
    const cap = this.#ring.length;
    for (let i = 0; i < n; i++) {
      out[i] = this.#ring[this.#head] as T;
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % cap;
    }
    this.#size -= n;
    return out;
  }

  /** Entries waiting. */
  get size(): number {
    return this.#size;
  }

  get capacity(): number {
    return this.#ring.length;
  }

  /** Entries ever pushed. */
  get pushed(): number {
    return this.#pushed;
  }

  /** Entries dropped because the ring was full. */
  get dropped(): number {
    return this.#dropped;
  }
}
