/** Full updates in flight at once by default (sent and not yet answered), over all node streams. */
export const FULL_UPDATES_IN_FLIGHT = 32;

/**
 * Bounds how many full updates are in flight at once (sent, not yet ACKed or NACKed, stream
 * still open). A full update of 10,000 routes is 1.5 MB, held in the stream's write buffer until
 * the node reads it: 1,000 new nodes joining at once (or a fleet sent far back by a rollback)
 * held ~1.5 GB on the control plane, and a node whose stream waits behind a saturated core can
 * miss its keepalive and reconnect, which throws its update away and sends it again
 * (bench/sync/fleet.mjs). Beyond the bound a stream waits in FIFO order, connected, and gets its
 * update as soon as another is answered; deltas never wait. Istio's discovery server bounds its
 * pushes the same way (PILOT_PUSH_THROTTLE: concurrent pushes).
 */
export class FullUpdateGate {
  readonly #limit: number;
  #inFlight = 0;
  readonly #waiting = new Set<() => void>();

  /** @param limit full updates in flight at most (≥ 1); default {@link FULL_UPDATES_IN_FLIGHT} */
  constructor(limit = FULL_UPDATES_IN_FLIGHT) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`full update limit must be ≥ 1, got ${limit}`);
    this.#limit = limit;
  }

  /** Full updates in flight now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Streams waiting for a slot. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * Takes a slot when one is free (@returns true: send now, {@link release} once answered);
   * else queues `retry`, called (once) when a slot frees, and @returns false. A caller that no
   * longer wants a slot calls {@link cancel}.
   */
  acquire(retry: () => void): boolean {
    if (this.#inFlight < this.#limit) {
      this.#waiting.delete(retry);
      this.#inFlight++;
      return true;
    }
    this.#waiting.add(retry);
    return false;
  }

  /** Gives a slot back and lets waiting streams try again, oldest first, while slots are free. */
  release(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    for (const retry of this.#waiting) {
      if (this.#inFlight >= this.#limit) return;
      this.#waiting.delete(retry);
      retry();
    }
  }

  /** Forgets a waiting stream (closed). */
  cancel(retry: () => void): void {
    this.#waiting.delete(retry);
  }
}
