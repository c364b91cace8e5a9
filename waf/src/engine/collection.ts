import type { ByteString } from "../bytes.js";
import { type Entry, entry } from "./entry.js";

/**
 * A writable collection (TX, or a persistent one opened with initcol): keys are
 * case-insensitive, the key as first written is kept for MATCHED_VAR_NAME. Values may carry an
 * expiry (expirevar), in ms since the epoch.
 */
export class MutableCollection {
  readonly name: string;
  readonly #items = new Map<string, { entry: Entry; value: ByteString; expires: number }>();
  #now: () => number;
  /** entries() as last built, until the collection changes. */
  #entries: Entry[] | null = null;

  constructor(name: string, now: () => number = Date.now) {
    this.name = name;
    this.#now = now;
  }

  /** The live item of a lower-cased key (an expired one is dropped), or undefined. */
  #live(lk: string): { entry: Entry; value: ByteString; expires: number } | undefined {
    const item = this.#items.get(lk);
    if (item === undefined) return undefined;
    if (item.expires !== 0 && item.expires <= this.#now()) {
      this.#items.delete(lk);
      this.#entries = null;
      return undefined;
    }
    return item;
  }

  /** The value of `key` (case-insensitive), or undefined. */
  get(key: string): ByteString | undefined {
    return this.#live(key.toLowerCase())?.value;
  }

  set(key: string, value: ByteString): void {
    this.#entries = null;
    const lk = key.toLowerCase();
    const item = this.#items.get(lk);
    if (item) {
      if (item.value !== value) {
        item.value = value;
        item.entry = { key: item.entry.key, lkey: lk, name: item.entry.name, value };
      }
      item.expires = 0;
    } else this.#items.set(lk, { entry: entry(this.name, key, value), value, expires: 0 });
  }

  delete(key: string): void {
    this.#entries = null;
    this.#items.delete(key.toLowerCase());
  }

  /** Makes `key` expire `seconds` from now (expirevar). */
  expire(key: string, seconds: number): void {
    const item = this.#items.get(key.toLowerCase());
    if (item) item.expires = this.#now() + Math.max(0, seconds) * 1000;
    this.#entries = null;
  }

  /** Every live member as entries (`TX:score`). */
  entries(): Entry[] {
    if (this.#entries !== null && !this.#expiring) return this.#entries;
    const out: Entry[] = [];
    const now = this.#now();
    for (const [lk, item] of this.#items) {
      if (item.expires !== 0 && item.expires <= now) {
        this.#items.delete(lk);
        continue;
      }
      out.push(item.entry);
    }
    this.#entries = out;
    return out;
  }

  /** The entry of one key (lower-cased), or undefined. */
  entryOf(lkey: string): Entry | undefined {
    return this.#live(lkey)?.entry;
  }

  /** Whether some member has an expiry (entries() must then check the clock). */
  get #expiring(): boolean {
    for (const item of this.#items.values()) if (item.expires !== 0) return true;
    return false;
  }

  /** Number of members (expired ones included until read). */
  get size(): number {
    return this.#items.size;
  }
}
