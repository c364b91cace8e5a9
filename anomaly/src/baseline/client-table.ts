import { CountMinSketch } from "../sketch/count-min.js";
import { hash2 } from "../sketch/mix.js";

/**
 * The clients the detector tracks one by one, in a fixed budget: a hash table of at most
 * `capacity` entries kept in typed arrays (struct of arrays: ~170 bytes an entry, no object per
 * client). A client is an address, a consumer or a credential (kind + four key words).
 *
 * When the table is full a newcomer must win its place (TinyLFU admission, Einziger et al. 2017):
 * a count-min sketch counts every client's recent requests, and the newcomer replaces the
 * least active of 8 sampled entries only if the sketch says it is more frequent. So a burst of
 * one million one-request addresses leaves the table's attackers and regulars in place, while
 * a client that keeps sending is admitted within a few requests.
 *
 * Per entry: decayed counts with a 60 s time constant (they read as "per minute"): requests,
 * authentication failures, new distinct paths, oversized bodies, new content types; slow counts
 * with a 30 min time constant (the client's own baseline); the last object id and the length of
 * the current sequential walk; two generations (5 min each) of 64-bit linear-counting bitmaps of
 * the user agents and addresses seen (Whang et al. 1990); counts since the last summary.
 */

/** Client kinds. */
export const ClientKind = { address: 1, consumer: 2, credential: 3 } as const;
/** One of {@link ClientKind}'s values. */
export type ClientKind = (typeof ClientKind)[keyof typeof ClientKind];

/** Fast (60 s) counters. */
export const FAST = { requests: 0, failures: 1, novel: 2, oversized: 3, newContentType: 4 } as const;
const NFAST = 5;
/** Slow (30 min) counters. */
export const SLOW = { requests: 0, failures: 1, novel: 2 } as const;
const NSLOW = 3;
/** Counts since the last summary. */
export const INTERVAL = { requests: 0, failures: 1, novel: 2 } as const;
const NINTERVAL = 3;

/** Time constant of the fast counts, ms. */
export const FAST_TAU_MS = 60_000;
/** Time constant of the slow counts (own baseline), ms. */
export const SLOW_TAU_MS = 1_800_000;
/** Length of one fingerprint bitmap generation, ms. */
export const FINGERPRINT_GENERATION_MS = 300_000;
/** Age after which a client's own baseline is trusted, ms. */
export const BASELINE_MATURE_MS = 600_000;

/** Linear-counting estimate of distinct items in a 64-bit bitmap (two words). */
export function bitmapDistinct(lo: number, hi: number): number {
  const ones = popcount(lo) + popcount(hi);
  if (ones >= 64) return 64 * Math.log(64); // saturated: ≈ 266
  return -64 * Math.log((64 - ones) / 64);
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

export class ClientTable {
  readonly capacity: number;
  readonly #bucketMask: number;
  readonly #heads: Int32Array;
  readonly next: Int32Array;
  readonly kind: Uint8Array;
  readonly keys: Uint32Array;
  readonly lo: Uint32Array;
  readonly hi: Uint32Array;
  readonly firstMs: Float64Array;
  readonly lastMs: Float64Array;
  readonly route: Uint32Array;
  readonly fast: Float32Array;
  readonly slow: Float32Array;
  readonly lastObject: Uint32Array;
  readonly seqRun: Uint16Array;
  readonly maxSeqRun: Uint16Array;
  /** [uaCur lo, hi, uaPrev lo, hi, addrCur lo, hi, addrPrev lo, hi] per entry. */
  readonly prints: Uint32Array;
  readonly printGen: Float64Array;
  /** Largest distinct addresses / user agents seen in an earlier generation (own baseline). */
  readonly printMax: Float32Array;
  readonly interval: Uint32Array;
  readonly alertUntil: Float64Array;
  /** Bit per detection kind (DETECTION_KINDS index) open on the entry until `alertUntil`. */
  readonly openKinds: Uint8Array;
  readonly #frequency: CountMinSketch;
  #size = 0;
  #rng = 0x9e3779b9;
  #evicted = 0;
  #refused = 0;

  /** @param capacity entries, a power of two (1,024..4,194,304) */
  constructor(capacity = 131_072) {
    if (!Number.isInteger(capacity) || capacity < 1024 || capacity > 1 << 22 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError("capacity must be a power of two in 1024..4194304");
    }
    this.capacity = capacity;
    this.#bucketMask = capacity - 1;
    this.#heads = new Int32Array(capacity).fill(-1);
    this.next = new Int32Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.keys = new Uint32Array(capacity * 4);
    this.lo = new Uint32Array(capacity);
    this.hi = new Uint32Array(capacity);
    this.firstMs = new Float64Array(capacity);
    this.lastMs = new Float64Array(capacity);
    this.route = new Uint32Array(capacity);
    this.fast = new Float32Array(capacity * NFAST);
    this.slow = new Float32Array(capacity * NSLOW);
    this.lastObject = new Uint32Array(capacity);
    this.seqRun = new Uint16Array(capacity);
    this.maxSeqRun = new Uint16Array(capacity);
    this.prints = new Uint32Array(capacity * 8);
    this.printGen = new Float64Array(capacity);
    this.printMax = new Float32Array(capacity * 2);
    this.interval = new Uint32Array(capacity * NINTERVAL);
    this.alertUntil = new Float64Array(capacity);
    this.openKinds = new Uint8Array(capacity);
    // Admission sketch: 64 Ki × 4 counters (1 MiB); aged when it has counted 10 × its width.
    this.#frequency = new CountMinSketch(1 << 16, 4);
  }

  /** Key hash words of a client (the sketches' key: global, so nodes' sketches merge). */
  static hashLo(kind: number, k0: number, k1: number, k2: number, k3: number): number {
    return hash2((k0 ^ k1 ^ kind) >>> 0, (k2 ^ Math.imul(k3, 0x27d4eb2d)) >>> 0, 0x1234 + kind);
  }

  static hashHi(kind: number, k0: number, k1: number, k2: number, k3: number): number {
    return hash2(k3, (k0 + k1 + k2 + kind) >>> 0, 0x4321);
  }

  /**
   * The entry of a client at time `now` (ms), created if admitted: its index, or -1 when the
   * table is full and the client did not win a place. Decays the entry's counts to `now`.
   */
  touch(kind: number, k0: number, k1: number, k2: number, k3: number, now: number): number {
    const lo = ClientTable.hashLo(kind, k0, k1, k2, k3);
    const hi = ClientTable.hashHi(kind, k0, k1, k2, k3);
    const freq = this.#frequency.add(lo, hi);
    if (this.#frequency.total > this.#frequency.width * 10) this.#frequency.halve();
    const b = lo & this.#bucketMask;
    for (let i = this.#heads[b]!; i !== -1; i = this.next[i]!) {
      if (this.lo[i] === lo && this.hi[i] === hi && this.kind[i] === kind) {
        this.#decay(i, now);
        return i;
      }
    }
    let slot: number;
    if (this.#size < this.capacity) {
      slot = this.#size++;
    } else {
      const victim = this.#victim(now);
      if (victim === -1 || this.#frequency.estimate(this.lo[victim]!, this.hi[victim]!) >= freq) {
        this.#refused++;
        return -1;
      }
      this.#unlink(victim);
      this.#evicted++;
      slot = victim;
    }
    this.#init(slot, kind, k0, k1, k2, k3, lo, hi, now);
    this.next[slot] = this.#heads[b]!;
    this.#heads[b] = slot;
    return slot;
  }

  #init(i: number, kind: number, k0: number, k1: number, k2: number, k3: number, lo: number, hi: number, now: number) {
    this.kind[i] = kind;
    this.keys[i * 4] = k0;
    this.keys[i * 4 + 1] = k1;
    this.keys[i * 4 + 2] = k2;
    this.keys[i * 4 + 3] = k3;
    this.lo[i] = lo;
    this.hi[i] = hi;
    this.firstMs[i] = now;
    this.lastMs[i] = now;
    this.route[i] = 0;
    this.fast.fill(0, i * NFAST, i * NFAST + NFAST);
    this.slow.fill(0, i * NSLOW, i * NSLOW + NSLOW);
    this.lastObject[i] = 0xffffffff;
    this.seqRun[i] = 0;
    this.maxSeqRun[i] = 0;
    this.prints.fill(0, i * 8, i * 8 + 8);
    this.printGen[i] = now;
    this.printMax[i * 2] = 0;
    this.printMax[i * 2 + 1] = 0;
    this.interval.fill(0, i * NINTERVAL, i * NINTERVAL + NINTERVAL);
    this.alertUntil[i] = 0;
    this.openKinds[i] = 0;
  }

  #decay(i: number, now: number): void {
    const dt = now - this.lastMs[i]!;
    if (dt > 0) {
      const f = Math.exp(-dt / FAST_TAU_MS);
      const at = i * NFAST;
      for (let c = 0; c < NFAST; c++) this.fast[at + c]! *= f;
      const s = Math.exp(-dt / SLOW_TAU_MS);
      const bt = i * NSLOW;
      for (let c = 0; c < NSLOW; c++) this.slow[bt + c]! *= s;
      this.lastMs[i] = now;
    }
    if (now - this.printGen[i]! >= FINGERPRINT_GENERATION_MS) {
      const p = i * 8;
      const stale = now - this.printGen[i]! >= 2 * FINGERPRINT_GENERATION_MS;
      // Remember the largest earlier counts as the consumer's own baseline.
      const ua = bitmapDistinct(this.prints[p]!, this.prints[p + 1]!);
      const ad = bitmapDistinct(this.prints[p + 4]!, this.prints[p + 5]!);
      if (ua > this.printMax[i * 2 + 1]!) this.printMax[i * 2 + 1] = ua;
      if (ad > this.printMax[i * 2]!) this.printMax[i * 2] = ad;
      this.prints[p + 2] = stale ? 0 : this.prints[p]!;
      this.prints[p + 3] = stale ? 0 : this.prints[p + 1]!;
      this.prints[p + 6] = stale ? 0 : this.prints[p + 4]!;
      this.prints[p + 7] = stale ? 0 : this.prints[p + 5]!;
      this.prints[p] = 0;
      this.prints[p + 1] = 0;
      this.prints[p + 4] = 0;
      this.prints[p + 5] = 0;
      this.printGen[i] = now;
    }
  }

  /** Activity of entry `i` now (decayed requests), for eviction. */
  #activity(i: number, now: number): number {
    return this.fast[i * NFAST]! * Math.exp(-(now - this.lastMs[i]!) / FAST_TAU_MS);
  }

  #victim(now: number): number {
    let best = -1;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let n = 0; n < 8; n++) {
      this.#rng ^= this.#rng << 13;
      this.#rng ^= this.#rng >>> 17;
      this.#rng ^= this.#rng << 5;
      const i = (this.#rng >>> 0) & this.#bucketMask;
      if (this.alertUntil[i]! > now) continue; // a client under an open detection stays
      const s = this.#activity(i, now);
      if (s < bestScore) {
        bestScore = s;
        best = i;
      }
    }
    return best;
  }

  #unlink(i: number): void {
    const b = this.lo[i]! & this.#bucketMask;
    let prev = -1;
    for (let j = this.#heads[b]!; j !== -1; j = this.next[j]!) {
      if (j === i) {
        if (prev === -1) this.#heads[b] = this.next[j]!;
        else this.next[prev] = this.next[j]!;
        return;
      }
      prev = j;
    }
  }

  /** Adds `n` to fast counter `c` (and the matching slow and interval counters) of entry `i`. */
  count(i: number, c: number, n = 1): number {
    const at = i * NFAST + c;
    const v = this.fast[at]! + n;
    this.fast[at] = v;
    if (c <= SLOW.novel) {
      if (this.alertUntil[i]! <= this.lastMs[i]!) this.slow[i * NSLOW + c]! += n;
      this.interval[i * NINTERVAL + c]! += n;
    }
    return v;
  }

  /** Fast counter `c` of entry `i` (per minute). */
  rate(i: number, c: number): number {
    return this.fast[i * NFAST + c]!;
  }

  /**
   * The client's own baseline of counter `c` per minute, or -1 while the entry is younger than
   * {@link BASELINE_MATURE_MS} (not yet trusted). A constant rate r gives r whatever the age
   * (the slow count is divided by the decayed exposure time).
   */
  baseline(i: number, c: number, now: number): number {
    const age = now - this.firstMs[i]!;
    if (age < BASELINE_MATURE_MS) return -1;
    const exposureMin = (SLOW_TAU_MS / 60_000) * (1 - Math.exp(-age / SLOW_TAU_MS));
    return this.slow[i * NSLOW + c]! / exposureMin;
  }

  /**
   * Follows entry `i`'s object ids: a step of 1–3 up or down extends the sequential walk (a
   * scraper paging through ids), any other jump ends it; repeats of one id change nothing.
   */
  walk(i: number, objectId: number): void {
    const last = this.lastObject[i]!;
    const d = objectId - last;
    if (last !== 0xffffffff && ((d >= 1 && d <= 3) || (d <= -1 && d >= -3))) {
      if (this.seqRun[i]! < 65_535) this.seqRun[i]!++;
      if (this.seqRun[i]! > this.maxSeqRun[i]!) this.maxSeqRun[i] = this.seqRun[i]!;
    } else if (d !== 0) {
      this.seqRun[i] = 0;
    }
    this.lastObject[i] = objectId;
  }

  /** Records a user agent and an address hash in entry `i`'s fingerprint bitmaps. */
  fingerprint(i: number, uaHash: number, addressHash: number): void {
    const p = i * 8;
    if (uaHash !== 0) {
      const b = (Math.imul(uaHash, 0x9e3779b1) >>> 26) & 63;
      if (b < 32) this.prints[p]! |= 1 << b;
      else this.prints[p + 1]! |= 1 << (b - 32);
    }
    const a = (Math.imul(addressHash, 0x85ebca6b) >>> 26) & 63;
    if (a < 32) this.prints[p + 4]! |= 1 << a;
    else this.prints[p + 5]! |= 1 << (a - 32);
  }

  /** Distinct user agents and addresses over the current and previous generation. */
  distinctPrints(i: number): { userAgents: number; addresses: number } {
    const p = i * 8;
    return {
      userAgents: bitmapDistinct(
        (this.prints[p]! | this.prints[p + 2]!) >>> 0,
        (this.prints[p + 1]! | this.prints[p + 3]!) >>> 0,
      ),
      addresses: bitmapDistinct(
        (this.prints[p + 4]! | this.prints[p + 6]!) >>> 0,
        (this.prints[p + 5]! | this.prints[p + 7]!) >>> 0,
      ),
    };
  }

  /** Counts of entry `i` since the last summary, then zeroes them. */
  takeInterval(i: number, out: Uint32Array): void {
    const at = i * NINTERVAL;
    for (let c = 0; c < NINTERVAL; c++) {
      out[c] = this.interval[at + c]!;
      this.interval[at + c] = 0;
    }
  }

  /** Entries in use. */
  get size(): number {
    return this.#size;
  }

  /** Entries evicted for a more frequent newcomer. */
  get evicted(): number {
    return this.#evicted;
  }

  /** Newcomers refused a place (table full, not frequent enough). */
  get refused(): number {
    return this.#refused;
  }

  /** Bytes of typed-array memory held (table and admission sketch). */
  get bytes(): number {
    let n = this.#frequency.counters.byteLength + this.#heads.byteLength;
    for (const a of [
      this.next,
      this.kind,
      this.keys,
      this.lo,
      this.hi,
      this.firstMs,
      this.lastMs,
      this.route,
      this.fast,
      this.slow,
      this.lastObject,
      this.seqRun,
      this.maxSeqRun,
      this.prints,
      this.printGen,
      this.printMax,
      this.interval,
      this.alertUntil,
      this.openKinds,
    ]) {
      n += a.byteLength;
    }
    return n;
  }
}
