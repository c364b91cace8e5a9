/** Reconnect delays of the config stream, in ms. */
export interface BackoffOptions {
  /** First delay ceiling, ms. Default 250. */
  readonly baseMs?: number;
  /** Largest delay, ms. Default 5,000. */
  readonly capMs?: number;
  /** Uniform random in [0, 1). Default Math.random. */
  readonly random?: () => number;
}

/**
 * "Full jitter" exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * delay = random(0, min(cap, base * 2^attempt)). Spreads a fleet's reconnects after a control
 * plane restart instead of having every node retry in lock step.
 */
export class Backoff {
  #baseMs: number;
  #capMs: number;
  #random: () => number;
  #attempt = 0;

  constructor(opts: BackoffOptions = {}) {
    this.#baseMs = opts.baseMs ?? 250;
    this.#capMs = opts.capMs ?? 5_000;
    this.#random = opts.random ?? Math.random;
  }

  /** The next delay in ms; each call doubles the ceiling up to the cap. */
  next(): number {
    const ceiling = Math.min(this.#capMs, this.#baseMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.floor(this.#random() * ceiling);
  }

  /** Back to the first delay (after a successful connection). */
  reset(): void {
    this.#attempt = 0;
  }
}
