import { MutableCollection } from "./collection.js";

/**
 * Node-local persistent collections for `initcol` (IP, GLOBAL, SESSION, USER, RESOURCE): each
 * `collection/key` record lives `ttlSeconds` after its last use (SecCollectionTimeout), and the
 * store keeps at most `maxRecords`, dropping the least recently used. Never shared between
 * nodes (ModSecurity keeps them in a local file; Palisade in memory).
 */
export class PersistentStore {
  readonly #records = new Map<string, { collection: MutableCollection; expires: number }>();
  readonly #maxRecords: number;
  readonly #now: () => number;

  constructor(options: { maxRecords?: number; now?: () => number } = {}) {
    this.#maxRecords = options.maxRecords ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Opens (creating if needed) the record `key` of `collection` (lower-cased name), renewing its TTL. */
  open(collection: string, key: string, ttlSeconds: number): MutableCollection {
    const id = `${collection}\0${key}`;
    const now = this.#now();
    let rec = this.#records.get(id);
    if (rec && rec.expires <= now) {
      this.#records.delete(id);
      rec = undefined;
    }
    if (rec)
      this.#records.delete(id); // re-insert: most recently used last
    else rec = { collection: new MutableCollection(collection.toUpperCase(), this.#now), expires: 0 };
    rec.expires = now + ttlSeconds * 1000;
    this.#records.set(id, rec);
    while (this.#records.size > this.#maxRecords) {
      const oldest = this.#records.keys().next().value as string;
      this.#records.delete(oldest);
    }
    return rec.collection;
  }

  /** Number of live records. */
  get size(): number {
    return this.#records.size;
  }
}
