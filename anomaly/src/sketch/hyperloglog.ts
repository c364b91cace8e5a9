import { fmix32 } from "./mix.js";

/**
 * HyperLogLog distinct counter (Flajolet et al. 2007) over 32-bit hashes, with the small-range
 * linear-counting correction of the paper (Heule et al. 2013 §5.2 discuss the same threshold).
 * `2^p` one-byte registers: relative standard error 1.04/√(2^p) (p = 10: 3.3 %, 1 KiB). Merging
 * takes the register-wise maximum, so node sketches union exactly into a fleet sketch.
 */
export class HyperLogLog {
  readonly p: number;
  readonly registers: Uint8Array;

  /**
   * @param p precision, 4..16
   * @param registers existing registers (length 2^p) to wrap, e.g. decoded from a summary
   * @throws RangeError when p or the registers are out of range
   */
  constructor(p: number, registers?: Uint8Array) {
    if (!Number.isInteger(p) || p < 4 || p > 16) throw new RangeError("precision must be 4..16");
    this.p = p;
    this.registers = registers ?? new Uint8Array(1 << p);
    if (this.registers.length !== 1 << p) throw new RangeError("registers length must be 2^p");
    const maxRank = 32 - p + 1;
    for (let i = 0; i < this.registers.length; i++) {
      if (this.registers[i]! > maxRank) throw new RangeError(`register ${i} above ${maxRank}`);
    }
  }

  /** Adds an item by its 32-bit hash (mixed again here, so weak hashes such as FNV are fine). */
  add(hash: number): void {
    const h = fmix32(hash);
    const idx = h >>> (32 - this.p);
    const rest = (h << this.p) >>> 0;
    const rank = rest === 0 ? 32 - this.p + 1 : Math.clz32(rest) + 1;
    if (rank > this.registers[idx]!) this.registers[idx] = rank;
  }

  /** Estimated number of distinct items added. */
  estimate(): number {
    const m = this.registers.length;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      const r = this.registers[i]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = m === 16 ? 0.673 : m === 32 ? 0.697 : m === 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    if (raw <= 2.5 * m && zeros > 0) return m * Math.log(m / zeros);
    return raw;
  }

  /**
   * Register-wise maximum with `other` (set union).
   * @throws RangeError when the precisions differ
   */
  merge(other: HyperLogLog): void {
    if (other.p !== this.p) throw new RangeError("hyperloglog precisions differ");
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < a.length; i++) if (b[i]! > a[i]!) a[i] = b[i]!;
  }

  /** Empties the sketch. */
  clear(): void {
    this.registers.fill(0);
  }

  /** True when nothing was added. */
  get empty(): boolean {
    for (let i = 0; i < this.registers.length; i++) if (this.registers[i] !== 0) return false;
    return true;
  }
}
