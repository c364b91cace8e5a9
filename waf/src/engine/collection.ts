import type { ByteString } from "../bytes.js";
import { type Entry, entry } from "./entry.js";

/**
 * A writable collection (TX, or a persistent one opened with initcol): keys are
 * case-insensitive, the key as first written is kept for MATCHED_VAR_NAME. Values may carry an
 * expiry (expirevar), in ms since the epoch.
 */
export class MutableCollection {
  readonly name: string;
  readonly #items = new Map<string, { key: ByteString; value: ByteString; expires: number }>();
  #now: () => number;

  constructor(name: string, now: () => number = Date.now) {
    this.name = name;
    this.#now = now;
  }

  /** The value of `key` (case-insensitive), or undefined. */
  get(key: string): ByteString | undefined {
    const lk = key.toLowerCase();
    const item = this.#items.get(lk);
    if (item === undefined) return undefined;
    if (item.expires !== 0 && item.expires <= this.#now()) {
      this.#items.delete(lk);
      return undefined;
    }
    return item.value;
  }

  set(key: string, value: ByteString): void {
    const lk = key.toLowerCase();
    const item = this.#items.get(lk);
    if (item) {
      item.value = value;
      item.expires = 0;
    } else this.#items.set(lk, { key, value, expires: 0 });
  }

  delete(key: string): void {
    this.#items.delete(key.toLowerCase());
  }

  /** Makes `key` expire `seconds` from now (expirevar). */
  expire(key: string, seconds: number): void {
    const item = this.#items.get(key.toLowerCase());
    if (item) item.expires = this.#now() + Math.max(0, seconds) * 1000;
  }

  /** Every live member as entries (`TX:score`). */
  entries(): Entry[] {
    const out: Entry[] = [];
    const now = this.#now();
    for (const [lk, item] of this.#items) {
      if (item.expires !== 0 && item.expires <= now) {
        this.#items.delete(lk);
        continue;
      }
      out.push(entry(this.name, item.key, item.value));
    }
    return out;
  }

  /** The entry of one key, or undefined. */
  entryOf(key: string): Entry | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    return entry(this.name, this.#items.get(key.toLowerCase())!.key, v);
  }

  /** Number of members (expired ones included until read). */
  get size(): number {
    return this.#items.size;
  }
}
