/**
 * Target selection for an upstream. Balancers work on target indexes and keep their counters in
 * #fields: a compiled table is immutable, its balancers are the only state that moves.
 */

/** Picks a target index per request; `release` is called once the exchange is over. */
export interface Balancer {
  /** @returns a target index, or -1 when the upstream has no target */
  pick(): number;
  /** The exchange on target `index` is over (least-requests bookkeeping). */
  release(index: number): void;
}

/**
 * Smooth weighted round-robin, as nginx `ngx_http_upstream_get_peer`: every pick adds each
 * target's weight to its current weight, takes the largest, and subtracts the total from it.
 * Weights {5,1,1} give a a b a c a a, spread out rather than in bursts. O(targets) per pick.
 */
export class SmoothWeightedRoundRobin implements Balancer {
  #weights: Float64Array;
  #current: Float64Array;
  #total: number;

  /** @param weights one positive weight per target */
  constructor(weights: readonly number[]) {
    this.#weights = Float64Array.from(weights);
    this.#current = new Float64Array(weights.length);
    this.#total = weights.reduce((a, b) => a + b, 0);
  }

  pick(): number {
    const n = this.#weights.length;
    if (n <= 1) return n - 1;
    const w = this.#weights;
    const cur = this.#current;
    let best = 0;
    for (let i = 0; i < n; i++) {
      cur[i]! += w[i]!;
      if (cur[i]! > cur[best]!) best = i;
    }
    cur[best]! -= this.#total;
    return best;
  }

  release(_index: number): void {}
}

/**
 * Least requests: the target with the fewest in-flight exchanges per unit of weight; ties go
 * round-robin so equal targets share the load.
 */
export class LeastRequests implements Balancer {
  #weights: Float64Array;
  #active: Uint32Array;
  #next = 0;

  /** @param weights one positive weight per target */
  constructor(weights: readonly number[]) {
    this.#weights = Float64Array.from(weights);
    this.#active = new Uint32Array(weights.length);
  }

  pick(): number {
    const n = this.#weights.length;
    if (n === 0) return -1;
    const start = this.#next;
    this.#next = (start + 1) % n;
    let best = start;
    let bestLoad = (this.#active[start]! + 1) / this.#weights[start]!;
    for (let k = 1; k < n; k++) {
      const i = (start + k) % n;
      const load = (this.#active[i]! + 1) / this.#weights[i]!;
      if (load < bestLoad) {
        best = i;
        bestLoad = load;
      }
    }
    this.#active[best]!++;
    return best;
  }

  release(index: number): void {
    if (this.#active[index]! > 0) this.#active[index]!--;
  }
}
