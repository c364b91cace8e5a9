import type { Dispatcher } from "undici";
import { HttpJsonError, type JsonAnswer, requestJson } from "../auth/http-json.js";
import type { JwksStore } from "./jwks-store.js";
import { type ImportedKey, importJwk } from "./keys.js";

/**
 * A JWKS fetched from a URL (RFC 7517 §5), kept fresh the way Envoy's `remote_jwks` and
 * Istio's key cache are, without their known gaps (envoyproxy/envoy#14557, istio/istio#41588):
 *
 * - cached for its HTTP cache lifetime (`Cache-Control: max-age`, else `Expires`; RFC 9111
 *   §4.2.1), clamped to [min, max] TTL; a default TTL when the answer says nothing;
 * - refreshed in the background once expired, while requests keep using the old set
 *   (stale-while-revalidate): a refresh only happens for a set that requests still use;
 * - refetched at once when a token names an unknown `kid` (key rotation), at most once per
 *   cooldown, with concurrent misses joining the one fetch, so a flood of random `kid`s costs
 *   the IdP at most one request per cooldown (C15);
 * - a failed fetch keeps the last good set; failures back off (1 s, 2 s, 4 s … up to the
 *   cooldown) so a dead IdP is not hammered; a set never fetched stays absent, and the policy
 *   fails closed;
 * - with a {@link JwksStore}, each good fetch is saved, and a new process that finds a saved set
 *   (fetched within `maxTtlMs`) still fetches first, like a process without one: the saved set is
 *   used only when that first fetch fails (the IdP is down), and kept until a fetch succeeds. A
 *   rolling restart or a node restart therefore never turns an IdP outage into 401s, and a saved
 *   set never outvotes a reachable IdP (a key revoked since, or a tampered file, is not trusted
 *   while the IdP answers).
 */

/** Tuning of one remote JWKS, all in ms. */
export interface RemoteJwksOptions {
  readonly minTtlMs: number;
  readonly maxTtlMs: number;
  /** TTL when the answer carries no cache headers. */
  readonly defaultTtlMs: number;
  /** Minimum time between two unknown-`kid` refetches; also caps the failure backoff. */
  readonly cooldownMs: number;
  /** Deadline of one fetch. */
  readonly timeoutMs: number;
}

/** Fetches a JWKS URL (tests inject one). */
export type JwksFetcher = (url: string, timeoutMs: number) => Promise<JsonAnswer>;

/** Receives fetch failures (rate limited per URL by the caller). */
export type JwksWarn = (fields: Record<string, unknown>, msg: string) => void;

/** Largest JWKS document accepted, bytes. */
export const MAX_JWKS_BYTES = 512 * 1024;
/** Keys read from one document; the rest are ignored. */
export const MAX_JWKS_KEYS = 100;

/**
 * The lifetime an HTTP answer gives itself, in ms (RFC 9111 §4.2.1: `max-age` minus `Age`,
 * else `Expires` minus `Date`), 0 for `no-store`/`no-cache`, `undefined` when it says nothing.
 */
export function cacheLifetimeMs(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  now: number,
): number | undefined {
  const one = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v.join(", ") : v;
  };
  const cc = one("cache-control");
  if (cc !== undefined) {
    let maxAge: number | undefined;
    for (const part of cc.split(",")) {
      const d = part.trim().toLowerCase();
      if (d === "no-store" || d === "no-cache") return 0;
      const m = /^max-age="?(\d{1,10})"?$/.exec(d);
      if (m) maxAge = Number(m[1]) * 1000;
    }
    if (maxAge !== undefined) {
      const age = Number(one("age"));
      return Math.max(0, maxAge - (Number.isFinite(age) && age > 0 ? age * 1000 : 0));
    }
  }
  const expires = one("expires");
  if (expires !== undefined) {
    const at = Date.parse(expires);
    if (Number.isNaN(at)) return 0; // RFC 9111 §5.3: an invalid Expires means already expired
    const date = Date.parse(one("date") ?? "");
    return Math.max(0, at - (Number.isNaN(date) ? now : date));
  }
  return undefined;
}

/**
 * Reads the usable keys of a JWKS document: public signature keys of a supported type (keys for
 * encryption, secrets and unknown types are skipped, as IdPs publish those too).
 * @throws HttpJsonError NO_KEYS when the document is not a JWK Set or has no usable key
 */
export function parseRemoteJwks(doc: unknown): readonly ImportedKey[] {
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (typeof doc !== "object" || doc === null || !Array.isArray(keys)) {
    throw new HttpJsonError("NO_KEYS", "the answer is not a JWK Set");
  }
  const out: ImportedKey[] = [];
  const ids = new Set<string>();
  for (const k of keys.slice(0, MAX_JWKS_KEYS)) {
    const imported = importJwk(k, false);
    if (typeof imported === "string" || ids.has(imported.id)) continue;
    ids.add(imported.id);
    out.push(imported);
  }
  if (out.length === 0) throw new HttpJsonError("NO_KEYS", "the JWK Set has no usable signature key");
  return Object.freeze(out);
}

/** One remote JWKS, shared by every policy (and every compile) that uses the same URL and tuning. */
export class RemoteJwks {
  readonly url: string;
  #opts: RemoteJwksOptions;
  #fetcher: JwksFetcher;
  #now: () => number;
  #warn: JwksWarn;
  #keys: readonly ImportedKey[] | undefined;
  #generation = 0;
  #expiresAt = 0;
  #inflight: Promise<void> | undefined;
  #failures = 0;
  #retryAt = 0;
  #lastKidFetchAt = Number.NEGATIVE_INFINITY;
  #lastWarnAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #used = false;
  #disposed = false;
  #fetches = 0;
  #store: JwksStore | undefined;
  #restored = false;
  /** The saved set, held back until a first fetch fails. */
  #saved: readonly ImportedKey[] | undefined;

  /** @param store where good sets are saved and a new process restores them from (none: memory only) */
  constructor(
    url: string,
    opts: RemoteJwksOptions,
    fetcher: JwksFetcher,
    warn: JwksWarn,
    now = Date.now,
    store: JwksStore | undefined = undefined,
  ) {
    this.url = url;
    this.#opts = opts;
    this.#fetcher = fetcher;
    this.#warn = warn;
    this.#now = now;
    this.#store = store;
  }

  /** The last good keys, `undefined` until a fetch succeeded. */
  get keys(): readonly ImportedKey[] | undefined {
    return this.#keys;
  }

  /** Bumped each time the fetched key set changes. */
  get generation(): number {
    return this.#generation;
  }

  /** Fetches started so far (for tests and the status page). */
  get fetches(): number {
    return this.#fetches;
  }

  /**
   * Called by each request that needs keys: marks the set as used and, when it has expired,
   * starts a background refresh (the request goes on with the current keys).
   * @returns the current keys, `undefined` when none was ever fetched
   */
  use(): readonly ImportedKey[] | undefined {
    this.#used = true;
    if (!this.#restored) this.#restore();
    if (this.#keys !== undefined && this.#now() >= this.#expiresAt && this.#inflight === undefined) {
      if (this.#now() >= this.#retryAt) void this.#fetch();
    }
    return this.#keys;
  }

  /**
   * No key was ever fetched: starts a fetch (or joins the running one) unless a recent failure
   * asks to wait.
   * @returns a promise settled when the fetch ends (never rejects), or `undefined` (backing off)
   */
  firstFetch(): Promise<void> | undefined {
    if (this.#inflight !== undefined) return this.#inflight;
    if (this.#now() < this.#retryAt) return undefined;
    return this.#fetch();
  }

  /**
   * A token named a `kid` the set does not have: refetch at once unless an unknown-`kid` refetch
   * ran less than a cooldown ago (or failures ask to wait); a running fetch is joined.
   * @returns a promise settled when the fetch ends (never rejects), or `undefined` (rate limited)
   */
  refetchForUnknownKid(): Promise<void> | undefined {
    if (this.#inflight !== undefined) return this.#inflight;
    const now = this.#now();
    if (now - this.#lastKidFetchAt < this.#opts.cooldownMs || now < this.#retryAt) return undefined;
    this.#lastKidFetchAt = now;
    return this.#fetch();
  }

  /**
   * Once per process, before the first fetch: reads the saved set, if any, and holds it back for
   * {@link #run} to fall back on when a fetch fails while no fetched set exists. A saved document
   * that no longer parses is ignored (one synchronous read of at most 512 KiB, on first use).
   */
  #restore(): void {
    this.#restored = true;
    const doc = this.#store?.load(this.url, this.#opts.maxTtlMs, this.#now());
    if (doc === undefined) return;
    try {
      this.#saved = parseRemoteJwks(doc);
    } catch {
      // not a usable set any more: fetched as if new
    }
  }

  /** Stops background refreshes. */
  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#timer);
  }

  #fetch(): Promise<void> {
    this.#fetches++;
    const p = this.#run().finally(() => {
      this.#inflight = undefined;
    });
    this.#inflight = p;
    return p;
  }

  async #run(): Promise<void> {
    try {
      const answer = await this.#fetcher(this.url, this.#opts.timeoutMs);
      if (answer.status !== 200) throw new HttpJsonError(`HTTP_${answer.status}`, `status ${answer.status}`);
      const keys = parseRemoteJwks(answer.json);
      const now = this.#now();
      const o = this.#opts;
      const ttl = Math.min(o.maxTtlMs, Math.max(o.minTtlMs, cacheLifetimeMs(answer.headers, now) ?? o.defaultTtlMs));
      if (!sameKeys(this.#keys, keys)) {
        this.#keys = keys;
        this.#generation++;
      }
      this.#expiresAt = now + ttl;
      this.#saved = undefined;
      this.#store?.save(this.url, answer.json, now);
      this.#failures = 0;
      this.#retryAt = 0;
      this.#used = false;
      this.#schedule(ttl);
    } catch (err) {
      this.#failures++;
      if (this.#keys === undefined && this.#saved !== undefined) {
        // The IdP is down at this process's start: the predecessor's keys, refreshed when it is back.
        this.#keys = this.#saved;
        this.#generation++;
        this.#expiresAt = 0;
      }
      this.#saved = undefined;
      const backoff = Math.min(1000 * 2 ** Math.min(this.#failures - 1, 10), this.#opts.cooldownMs);
      const now = this.#now();
      this.#retryAt = now + backoff;
      if (now - this.#lastWarnAt >= 10_000) {
        this.#lastWarnAt = now;
        const e = err as { code?: unknown; message?: unknown };
        this.#warn(
          {
            jwks_url: this.url,
            cause: typeof e.code === "string" ? e.code : String(e.message ?? err),
            keeping_last_good: this.#keys !== undefined,
            retry_in_ms: backoff,
          },
          this.#keys === undefined
            ? "jwks unavailable: failing closed"
            : "jwks refresh failed: keeping the last good keys",
        );
      }
      if (this.#keys !== undefined) this.#schedule(backoff);
    }
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    if (this.#disposed) return;
    this.#timer = setTimeout(() => {
      // Only sets that requests still use are refreshed; an idle one refreshes on its next use.
      if (this.#used && this.#inflight === undefined) void this.#fetch();
    }, ms);
    this.#timer.unref();
  }
}

function sameKeys(a: readonly ImportedKey[] | undefined, b: readonly ImportedKey[]): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.id !== b[i]!.id) return false;
  return true;
}

const MAX_URLS = 256;

/**
 * Remote JWKS sets by URL and tuning, kept across config compiles so that a re-publish does not
 * drop fetched keys. Creating an entry does no I/O. Bounded to the last 256 entries.
 */
export class RemoteJwksCache {
  #sets = new Map<string, RemoteJwks>();
  #dispatcher: Dispatcher;
  #warn: JwksWarn;
  #fetcher: JwksFetcher;
  #now: () => number;
  #store: JwksStore | undefined;

  /** @param store where good sets are saved across processes (see {@link RemoteJwks}) */
  constructor(
    dispatcher: Dispatcher,
    warn: JwksWarn = () => {},
    fetcher?: JwksFetcher,
    now = Date.now,
    store: JwksStore | undefined = undefined,
  ) {
    this.#dispatcher = dispatcher;
    this.#warn = warn;
    this.#now = now;
    this.#store = store;
    this.#fetcher =
      fetcher ?? ((url, timeoutMs) => requestJson(this.#dispatcher, url, { timeoutMs, maxBytes: MAX_JWKS_BYTES }));
  }

  /** The shared set for `url` (absolute http(s), already validated) with `opts`. */
  get(url: string, opts: RemoteJwksOptions): RemoteJwks {
    const key = `${url}|${opts.minTtlMs}|${opts.maxTtlMs}|${opts.defaultTtlMs}|${opts.cooldownMs}|${opts.timeoutMs}`;
    let set = this.#sets.get(key);
    if (set !== undefined) {
      // Refresh its place in the LRU order.
      this.#sets.delete(key);
      this.#sets.set(key, set);
      return set;
    }
    set = new RemoteJwks(url, opts, this.#fetcher, this.#warn, this.#now, this.#store);
    if (this.#sets.size >= MAX_URLS) {
      const [oldestKey, oldest] = this.#sets.entries().next().value!;
      oldest.dispose();
      this.#sets.delete(oldestKey);
    }
    this.#sets.set(key, set);
    return set;
  }

  /** Stops every background refresh. */
  close(): void {
    for (const s of this.#sets.values()) s.dispose();
    this.#sets.clear();
  }
}
