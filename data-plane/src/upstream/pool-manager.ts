import { ClientPool } from "../http/client-pool.js";

/** How the node verifies an https target. */
export interface UpstreamTlsSpec {
  /** False only when the upstream's `tls.skip_verify` says so. */
  readonly rejectUnauthorized: boolean;
  /** PEM CA bundle; `undefined` = the system's CAs. */
  readonly ca: string | undefined;
  /** SNI and the name verified; `undefined` = the target's host when it is a DNS name. */
  readonly servername: string | undefined;
}

/** What the pool manager needs to build (and share) the pool of one target. */
export interface PoolSpec {
  /** Identity: equal keys share one pool (origin, connect timeout, connection limit, TLS). */
  readonly key: string;
  /** `http://host:port` or `https://host:port`. */
  readonly origin: string;
  /** Connect timeout (TCP and TLS), ms. */
  readonly connectMs: number;
  /** Connections to the target at most; 0 = unlimited. */
  readonly maxConnections: number;
  /** TLS verification settings of an https origin, `null` for http. */
  readonly tls: UpstreamTlsSpec | null;
}

/** Options of {@link PoolManager}. */
export interface PoolManagerOptions {
  /** How long a pool no longer used by the live table stays open before a graceful close, ms. Default 30,000. */
  readonly graceMs?: number;
  /** Idle keep-alive socket lifetime, ms. Default 4,000 (below common upstream idle timeouts of 5 s). */
  readonly keepAliveTimeoutMs?: number;
}

/**
 * Owns one pool (keep-alive connections, no pipelining: one request per connection at a time, as
 * nginx and Envoy do with HTTP/1.1 upstreams) per pool spec, created lazily on first use: the
 * HTTP engine's `ClientPool` (http/client-pool.ts, plain and TLS targets), under the layers of
 * upstream/dispatch/ (its `dispatch` takes undici's dispatch shape). Pools live outside
 * compiled tables, so a config swap reuses the pools of unchanged targets; {@link retain}
 * schedules a graceful close of the others after `graceMs`, by which time requests that started
 * on the old table have dispatched (a pool's close waits for them).
 */
export class PoolManager {
  #pools = new Map<string, ClientPool>();
  #live: ReadonlySet<string> = new Set();
  #timers = new Map<string, NodeJS.Timeout>();
  #graceMs: number;
  #keepAliveTimeoutMs: number;
  #closed = false;

  constructor(opts: PoolManagerOptions = {}) {
    this.#graceMs = opts.graceMs ?? 30_000;
    this.#keepAliveTimeoutMs = opts.keepAliveTimeoutMs ?? 4_000;
  }

  /** The pool of a spec, created on first use. */
  get(spec: PoolSpec): ClientPool {
    const pool = this.#pools.get(spec.key);
    return pool === undefined ? this.#create(spec) : pool;
  }

  #create(spec: PoolSpec): ClientPool {
    const pool = this.#engine(spec);
    this.#pools.set(spec.key, pool);
    // A late request of an old table may create a pool the live table does not use.
    if (!this.#live.has(spec.key) || this.#closed) this.#scheduleClose(spec.key);
    return pool;
  }

  #engine(spec: PoolSpec): ClientPool {
    const url = new URL(spec.origin);
    const tls = spec.tls;
    return new ClientPool({
      host: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
      port: Number(url.port) || (url.protocol === "https:" ? 443 : 80),
      tls:
        tls === null
          ? null
          : {
              rejectUnauthorized: tls.rejectUnauthorized,
              ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
              ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
            },
      connectTimeoutMs: spec.connectMs,
      maxConnections: spec.maxConnections,
      keepAliveTimeoutMs: this.#keepAliveTimeoutMs,
    });
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

async function closeWithin(pool: ClientPool, deadlineMs: number): Promise<void> {
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
