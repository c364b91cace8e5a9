/**
 * Target selection for an upstream. Balancers work on target indexes, skip targets whose
 * {@link TargetHealth} is not `available`, and keep their counters in #fields: a compiled table
 * is immutable, its balancers (and the health objects) are the only state that moves.
 *
 * Panic mode (Envoy's panic threshold at its limit): when no target is available, health is
 * ignored and every target takes traffic again, so that a flapping health check cannot take a
 * whole upstream down by itself.
 */
import { createHash } from "node:crypto";
import type { TargetHealth } from "./target-health.js";

/** Picks a target index per request; `release` is called once that exchange is over. */
export interface Balancer {
  /**
   * @param key unsigned 32-bit hash of the request's key (ring hash), or -1 when there is none
   * @param exclude index not to pick (the target that just failed, on a retry), or -1
   * @returns a target index, or -1 when the upstream has no target. With one target, or when
   *   every other target is excluded, the excluded one may come back.
   */
  pick(key: number, exclude: number): number;
  /** The exchange on target `index` is over (least-requests bookkeeping). */
  release(index: number): void;
}

/**
 * Smooth weighted round-robin, as nginx `ngx_http_upstream_get_peer`: every pick adds each
 * available target's weight to its current weight, takes the largest, and subtracts the total of
 * the available weights from it. Weights {5,1,1} give a a b a c a a, spread out rather than in
 * bursts. O(targets) per pick.
 */
export class SmoothWeightedRoundRobin implements Balancer {
  readonly #weights: Float64Array;
  readonly #current: Float64Array;
  readonly #health: readonly TargetHealth[];

  /**
   * @param weights one positive weight per target
   * @param health one health object per target, same order
   */
  constructor(weights: readonly number[], health: readonly TargetHealth[]) {
    this.#weights = Float64Array.from(weights);
    this.#current = new Float64Array(weights.length);
    this.#health = health;
  }

  pick(_key: number, exclude: number): number {
    const n = this.#weights.length;
    if (n <= 1) return n - 1;
    const best = this.#pick(exclude, true);
    if (best >= 0) return best;
    const panic = this.#pick(exclude, false);
    return panic >= 0 ? panic : exclude;
  }

  #pick(exclude: number, healthy: boolean): number {
    const w = this.#weights;
    const cur = this.#current;
    const health = this.#health;
    let best = -1;
    let total = 0;
    for (let i = 0; i < w.length; i++) {
      if (i === exclude || (healthy && !health[i]!.available)) continue;
      cur[i]! += w[i]!;
      total += w[i]!;
      if (best < 0 || cur[i]! > cur[best]!) best = i;
    }
    if (best >= 0) cur[best]! -= total;
    return best;
  }

  release(_index: number): void {}
}

/**
 * Least requests with the power of two choices (Mitzenmacher; Envoy's LEAST_REQUEST default):
 * two distinct available targets at random, the one with fewer requests in flight per unit of
 * weight wins. O(1) per pick, and it avoids the herd that "always the least loaded" causes when
 * several balancers (workers) see the same counts.
 */
export class LeastRequests implements Balancer {
  readonly #weights: Float64Array;
  readonly #active: Uint32Array;
  readonly #health: readonly TargetHealth[];

  /**
   * @param weights one positive weight per target
   * @param health one health object per target, same order
   */
  constructor(weights: readonly number[], health: readonly TargetHealth[]) {
    this.#weights = Float64Array.from(weights);
    this.#active = new Uint32Array(weights.length);
    this.#health = health;
  }

  pick(_key: number, exclude: number): number {
    const n = this.#weights.length;
    if (n === 0) return -1;
    let choice: number;
    if (n === 1) choice = 0;
    else {
      const a = this.#random(exclude, -1);
      const b = a < 0 ? -1 : this.#random(exclude, a);
      if (a < 0) choice = exclude;
      else if (b < 0) choice = a;
      else {
        const w = this.#weights;
        const act = this.#active;
        choice = (act[b]! + 1) / w[b]! < (act[a]! + 1) / w[a]! ? b : a;
      }
    }
    this.#active[choice]!++;
    return choice;
  }

  /** A random available index other than `exclude` and `other` (panic: any), or -1. */
  #random(exclude: number, other: number): number {
    const n = this.#weights.length;
    const health = this.#health;
    // A few random probes find one fast when most targets are up; then a scan from a random start.
    for (let tries = 0; tries < 4; tries++) {
      const i = Math.floor(Math.random() * n);
      if (i !== exclude && i !== other && health[i]!.available) return i;
    }
    const start = Math.floor(Math.random() * n);
    for (const healthy of [true, false]) {
      for (let k = 0; k < n; k++) {
        const i = (start + k) % n;
        if (i !== exclude && i !== other && (!healthy || health[i]!.available)) return i;
      }
    }
    return -1;
  }

  release(index: number): void {
    if (this.#active[index]! > 0) this.#active[index]!--;
  }
}

/** Virtual nodes of a target of the default weight (100), as ketama's 160 per server. */
const POINTS_PER_100 = 160;
/** Virtual nodes on the whole ring at the most (weights are scaled down past it). */
const MAX_RING_SIZE = 131_072;

/**
 * Consistent hashing on a ring (Karger et al.; ketama placement): each target gets 160 virtual
 * nodes per 100 of weight, whatever the other targets, placed at the md5 of `host:port-N`; a
 * request goes to the first node clockwise from its key's hash, skipping unavailable (and
 * excluded) targets. Adding or removing a target moves only the keys next to its nodes. A
 * request without a key gets a random available target.
 */
export class RingHash implements Balancer {
  readonly #points: Uint32Array;
  readonly #owners: Int32Array;
  readonly #health: readonly TargetHealth[];

  /**
   * @param ids one stable identity per target (`host:port`), placing its virtual nodes
   * @param weights one positive weight per target
   * @param health one health object per target, same order
   */
  constructor(ids: readonly string[], weights: readonly number[], health: readonly TargetHealth[]) {
    this.#health = health;
    const total = weights.reduce((a, b) => a + b, 0);
    // Fixed points per weight keep a target's points when others come and go (minimal moves).
    const perWeight = Math.min(POINTS_PER_100 / 100, MAX_RING_SIZE / Math.max(1, total));
    const nodes: Array<[point: number, owner: number]> = [];
    ids.forEach((id, owner) => {
      const count = Math.max(1, Math.round(weights[owner]! * perWeight));
      // One md5 digest gives four 32-bit points (ketama).
      for (let i = 0; i * 4 < count; i++) {
        const d = createHash("md5").update(`${id}-${i}`).digest();
        for (let j = 0; j < 4 && i * 4 + j < count; j++) nodes.push([d.readUInt32LE(j * 4), owner]);
      }
    });
    nodes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.#points = Uint32Array.from(nodes, (n) => n[0]);
    this.#owners = Int32Array.from(nodes, (n) => n[1]);
  }

  /** Virtual nodes on the ring. */
  get size(): number {
    return this.#points.length;
  }

  pick(key: number, exclude: number): number {
    const n = this.#health.length;
    if (n <= 1) return n - 1;
    const points = this.#points;
    let start: number;
    if (key < 0) start = Math.floor(Math.random() * points.length);
    else {
      // First point >= key (binary search), wrapping to 0.
      let lo = 0;
      let hi = points.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (points[mid]! < key) lo = mid + 1;
        else hi = mid;
      }
      start = lo === points.length ? 0 : lo;
    }
    const found = this.#walk(start, exclude, true);
    if (found >= 0) return found;
    const panic = this.#walk(start, exclude, false);
    return panic >= 0 ? panic : exclude;
  }

  #walk(start: number, exclude: number, healthy: boolean): number {
    const owners = this.#owners;
    const health = this.#health;
    const len = owners.length;
    for (let k = 0; k < len; k++) {
      const owner = owners[(start + k) % len]!;
      if (owner !== exclude && (!healthy || health[owner]!.available)) return owner;
    }
    return -1;
  }

  release(_index: number): void {}
}
