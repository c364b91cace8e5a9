import { AnomalyError } from "../errors.js";

/**
 * Stable small integers for config ids (routes, upstreams, consumers), so the record carries a
 * 32-bit index instead of a string. Append-only: an id keeps its index across config versions,
 * so a record written under the old config still names the right route after a swap. Index 0 is
 * reserved for "none"; past `capacity` new ids share index 0 (bounded memory; counted in
 * `overflowed`). The data plane interns when it compiles a config (never per request) and sends
 * {@link Interner.names} to the detector worker.
 */
export class Interner {
  readonly #index = new Map<string, number>();
  readonly #names: string[] = [""];
  readonly #capacity: number;
  #overflowed = 0;

  /** @throws AnomalyError ENGINE_OPTIONS_INVALID when capacity is not an integer in 1..1,000,000 */
  constructor(capacity = 65_535) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1_000_000) {
      throw new AnomalyError("ENGINE_OPTIONS_INVALID", "capacity", "an integer in 1..1000000");
    }
    this.#capacity = capacity;
  }

  /** The index of `id` (interned on first use); 0 for `""` or past capacity. */
  intern(id: string): number {
    if (id === "") return 0;
    const i = this.#index.get(id);
    if (i !== undefined) return i;
    if (this.#names.length > this.#capacity) {
      this.#overflowed++;
      return 0;
    }
    const n = this.#names.length;
    this.#names.push(id);
    this.#index.set(id, n);
    return n;
  }

  /** The index of `id` if interned, else 0 (never interns: safe on the hot path). */
  get(id: string | undefined): number {
    return id === undefined ? 0 : (this.#index.get(id) ?? 0);
  }

  /** Ids by index (index 0 is `""`); a copy. */
  names(): string[] {
    return this.#names.slice();
  }

  /** Ids that did not get an index because the interner was full. */
  get overflowed(): number {
    return this.#overflowed;
  }
}
