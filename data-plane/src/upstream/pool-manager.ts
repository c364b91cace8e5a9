import { type Dispatcher, Pool } from "undici";
import type { TimeoutsMs } from "./timeouts.js";

/** What the pool manager needs of a target: a pool key and how to build the pool. */
export interface PoolTarget {
  /** Identity of the pool: equal keys share one pool (origin + timeouts). */
  readonly poolKey: string;
  /** `http://host:port` or `https://host:port`. */
  readonly origin: string;
  readonly timeouts: TimeoutsMs;
}

/** Options of {@link PoolManager}. */
export interface PoolManagerOptions {
  /** How long a pool no longer used by the live table stays open before a graceful close, ms. Default 30,000. */
  readonly graceMs?: number;
  /** Idle keep-alive socket lifetime, ms. Default 4,000 (below common upstream idle timeouts of 5 s). */
  readonly keepAliveTimeoutMs?: number;
}

/**
 * Owns one undici `Pool` (keep-alive connections) per upstream target, created lazily on first
 * use. Pools live outside compiled tables, so a config swap reuses the pools of unchanged
 * targets; {@link retain} schedules a graceful close of the others after `graceMs`, by which
 * time requests that started on the old table have dispatched (undici's close waits for them).
 */
export class PoolManager {
  #pools = new Map<string, Pool>();
  #live: ReadonlySet<string> = new Set();
  #timers = new Map<string, NodeJS.Timeout>();
  #graceMs: number;
  #keepAliveTimeoutMs: number;
  #closed = false;

  constructor(opts: PoolManagerOptions = {}) {
    this.#graceMs = opts.graceMs ?? 30_000;
    this.#keepAliveTimeoutMs = opts.keepAliveTimeoutMs ?? 4_000;
  }

  /** The pool for a target, created on first use. */
  get(target: PoolTarget): Dispatcher {
    let pool = this.#pools.get(target.poolKey);
    if (pool === undefined) {
      pool = new Pool(target.origin, {
        connect: { timeout: target.timeouts.connectMs },
        headersTimeout: target.timeouts.headerMs,
        bodyTimeout: target.timeouts.bodyMs,
        keepAliveTimeout: this.#keepAliveTimeoutMs,
      });
      this.#pools.set(target.poolKey, pool);
      // A late request of an old table may create a pool the live table does not use.
      if (!this.#live.has(target.poolKey) || this.#closed) this.#scheduleClose(target.poolKey);
    }
    return pool;
  }

  /** Pools currently open. */
  get size(): number {
    return this.#pools.size;
  }

  /** Declares the pool keys the live table uses; every other pool is closed after the grace period. */
  retain(keys: ReadonlySet<string>): void {
    this.#live = keys;
    for (const key of this.#pools.keys()) {
      if (keys.has(key)) this.#cancelClose(key);
      else this.#scheduleClose(key);
    }
  }

  /**
   * Closes every pool: graceful (in-flight requests finish) until `deadlineMs`, then destroyed.
   */
  async close(deadlineMs = 10_000): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => closeWithin(p, deadlineMs)));
  }

  #scheduleClose(key: string): void {
    if (this.#timers.has(key)) return;
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      if (this.#live.has(key)) return;
      const pool = this.#pools.get(key);
      if (pool === undefined) return;
      this.#pools.delete(key);
      void closeWithin(pool, this.#graceMs);
    }, this.#graceMs);
    timer.unref();
    this.#timers.set(key, timer);
  }

  #cancelClose(key: string): void {
    const t = this.#timers.get(key);
    if (t !== undefined) {
      clearTimeout(t);
      this.#timers.delete(key);
    }
  }
}

async function closeWithin(pool: Pool, deadlineMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"late">((resolve) => {
    timer = setTimeout(resolve, deadlineMs, "late");
    timer.unref();
  });
  try {
    const r = await Promise.race([pool.close().then(() => "closed" as const), deadline]);
    if (r === "late") await pool.destroy();
  } catch {
    await pool.destroy().catch(() => {});
  } finally {
    clearTimeout(timer);
  }
}
