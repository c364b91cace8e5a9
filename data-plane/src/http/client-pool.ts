import { connect as netConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { Dispatcher } from "undici";
import { ClientConnection, type ConnectionOwner } from "./client-connection.js";
import { ClientExchange, type ClientRequestOptions, type ExchangeCarrier } from "./client-exchange.js";
import { ClientError } from "./http-error.js";
import type { ResponseLimits } from "./response-parser.js";

/** How an https target is verified. */
export interface ClientTls {
  /** SNI and the name verified; default: the host when it is a DNS name. */
  readonly servername?: string;
  /** PEM CA bundle; default: the system's CAs. */
  readonly ca?: string;
  /** False only when the upstream's `tls.skip_verify` says so. Default true. */
  readonly rejectUnauthorized?: boolean;
}

/** Options of a {@link ClientPool} (ms, counts). */
export interface ClientPoolOptions {
  readonly host: string;
  readonly port: number;
  /** TLS settings of an https target, `null` (default) for plain HTTP. */
  readonly tls?: ClientTls | null;
  /** Time to connect (TCP and TLS), ms. Default 5,000. */
  readonly connectTimeoutMs?: number;
  /** Connections at most; 0 = unlimited (default). Requests over it wait in order. */
  readonly maxConnections?: number;
  /** Idle lifetime of a kept connection, ms. Default 4,000 (below common upstream idle timeouts of 5 s). */
  readonly keepAliveTimeoutMs?: number;
  /** A `Keep-Alive: timeout=N` hint shorter than ours wins, minus this margin, ms. Default 1,000. */
  readonly keepAliveThresholdMs?: number;
  /** Response head limits. */
  readonly limits?: ResponseLimits;
}

/** Queue of waiting exchanges: an array with a moving head (O(1) shift). */
class WaitQueue {
  #items: ClientExchange[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(ex: ClientExchange): void {
    this.#items.push(ex);
  }

  shift(): ClientExchange | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const ex = this.#items[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return ex;
  }

  remove(ex: ClientExchange): boolean {
    const i = this.#items.indexOf(ex, this.#head);
    if (i < 0) return false;
    this.#items.splice(i, 1);
    return true;
  }
}

function sweepIdle(pool: ClientPool): void {
  pool.closeExpired(Date.now());
}

/**
 * The keep-alive connections to one upstream target, over `net` or `tls` sockets
 * ({@link ClientConnection}: one exchange at a time, no pipelining). `dispatch` takes undici's
 * dispatch options and handler (the v2 `DispatchHandler`: `onRequestStart` … `onResponseError`),
 * so it sits under upstream/dispatch/attempt.ts exactly where an undici `Pool` does, and the
 * retry, breaker, timeout and health layers above work unchanged: `onRequestStart` comes when a
 * connection is ready and the request is about to be written (a connect failure therefore
 * arrives without it: "never sent"), errors carry undici's codes.
 *
 * Idle connections are reused last-in first-out (the warmest first) and closed after
 * `keepAliveTimeoutMs` (or the upstream's shorter `Keep-Alive` hint); an idle connection that
 * the upstream closes, or that receives any byte, is dropped at once. A connection is reused
 * only after an exchange that ended cleanly (see ClientConnection).
 */
export class ClientPool implements ConnectionOwner, ExchangeCarrier {
  readonly #opts: Required<Omit<ClientPoolOptions, "tls" | "limits">> & {
    tls: ClientTls | null;
    limits: ResponseLimits;
  };
  readonly #all = new Set<ClientConnection>();
  readonly #idle: ClientConnection[] = [];
  readonly #queue = new WaitQueue();
  #connecting = 0;
  #timer: NodeJS.Timeout | undefined;
  #closing = false;
  #closed: Array<() => void> = [];

  constructor(opts: ClientPoolOptions) {
    this.#opts = {
      host: opts.host,
      port: opts.port,
      tls: opts.tls ?? null,
      connectTimeoutMs: opts.connectTimeoutMs ?? 5_000,
      maxConnections: opts.maxConnections ?? 0,
      keepAliveTimeoutMs: opts.keepAliveTimeoutMs ?? 4_000,
      keepAliveThresholdMs: opts.keepAliveThresholdMs ?? 1_000,
      limits: opts.limits ?? {},
    };
  }

  /** Open connections (idle, busy and connecting). */
  get connections(): number {
    return this.#all.size;
  }

  /** Idle connections. */
  get idle(): number {
    return this.#idle.length;
  }

  /** Requests waiting for a connection. */
  get pending(): number {
    return this.#queue.size;
  }

  /**
   * Sends a request; the outcome arrives on `handler` (never thrown).
   * @returns true (the pool queues what it cannot start at once)
   */
  dispatch(opts: ClientRequestOptions, handler: Dispatcher.DispatchHandler): boolean {
    const ex = new ClientExchange(opts, handler, this);
    if (this.#closing) {
      ex.fail(new ClientError("UND_ERR_CLOSED", "the pool is closed"));
      return true;
    }
    const conn = this.#takeIdle();
    if (conn !== undefined) {
      conn.run(ex);
      return true;
    }
    this.#queue.push(ex);
    const max = this.#opts.maxConnections;
    if (this.#connecting < this.#queue.size && (max === 0 || this.#all.size < max)) this.#connect();
    return true;
  }

  /** Graceful close: no new requests; in-flight ones finish, idle connections close. */
  close(): Promise<void> {
    this.#closing = true;
    for (const c of this.#idle) c.close();
    if (this.#all.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#closed.push(resolve));
  }

  /** Destroys every connection; waiting and in-flight requests fail with `UND_ERR_CLOSED`. */
  destroy(): Promise<void> {
    this.#closing = true;
    const err = new ClientError("UND_ERR_CLOSED", "the pool was destroyed");
    for (let ex = this.#queue.shift(); ex !== undefined; ex = this.#queue.shift()) ex.fail(err);
    for (const c of [...this.#all]) c.destroy(err);
    return this.close();
  }

  /** Closes the idle connections whose time is up (the idle sweep). */
  closeExpired(now: number): void {
    for (const c of [...this.#idle]) {
      if (c.idleUntil <= now) c.close();
    }
    if (this.#idle.length === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  // --- ExchangeCarrier (an exchange still waiting for a connection) -------------------------------

  abortExchange(ex: ClientExchange, reason: Error): void {
    if (this.#queue.remove(ex)) ex.fail(reason);
  }

  flowChanged(_ex: ClientExchange): void {}

  // --- ConnectionOwner -------------------------------------------------------------------------------

  connectionReady(conn: ClientConnection): void {
    this.#connecting--;
    this.#next(conn);
  }

  connectFailed(conn: ClientConnection, err: Error): void {
    this.#connecting--;
    this.#all.delete(conn);
    // The connection was opened for the request at the head of the queue; the others try again.
    this.#queue.shift()?.fail(err);
    const max = this.#opts.maxConnections;
    if (!this.#closing && this.#queue.size > this.#connecting && (max === 0 || this.#all.size < max)) this.#connect();
    this.#checkClosed();
  }

  connectionIdle(conn: ClientConnection, keepAliveMs: number): void {
    const o = this.#opts;
    let ms = o.keepAliveTimeoutMs;
    if (keepAliveMs >= 0) ms = Math.min(ms, keepAliveMs - o.keepAliveThresholdMs);
    if (ms <= 0 || this.#closing) {
      conn.close();
      return;
    }
    conn.idleUntil = Date.now() + ms;
    this.#next(conn);
  }

  connectionGone(conn: ClientConnection): void {
    this.#all.delete(conn);
    const i = this.#idle.indexOf(conn);
    if (i >= 0) this.#idle.splice(i, 1);
    const max = this.#opts.maxConnections;
    if (!this.#closing && this.#queue.size > this.#connecting && (max === 0 || this.#all.size < max)) this.#connect();
    this.#checkClosed();
  }

  /** Gives a free connection the next waiting request, or keeps it idle. */
  #next(conn: ClientConnection): void {
    const ex = this.#queue.shift();
    if (ex !== undefined) {
      conn.run(ex);
      return;
    }
    if (this.#closing) {
      conn.close();
      return;
    }
    this.#idle.push(conn);
    if (this.#timer === undefined) {
      const every = Math.max(50, Math.min(1_000, Math.floor(this.#opts.keepAliveTimeoutMs / 4)));
      this.#timer = setInterval(sweepIdle, every, this);
      this.#timer.unref();
    }
  }

  #takeIdle(): ClientConnection | undefined {
    for (let c = this.#idle.pop(); c !== undefined; c = this.#idle.pop()) {
      if (c.idle) return c;
    }
    return undefined;
  }

  #connect(): void {
    const o = this.#opts;
    const tls = o.tls;
    const socket =
      tls === null
        ? netConnect({ host: o.host, port: o.port })
        : tlsConnect({
            host: o.host,
            port: o.port,
            ALPNProtocols: ["http/1.1"],
            rejectUnauthorized: tls.rejectUnauthorized ?? true,
            ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
            ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
          });
    this.#connecting++;
    this.#all.add(new ClientConnection(socket, this, o.limits, o.connectTimeoutMs, tls !== null));
  }

  #checkClosed(): void {
    if (!this.#closing || this.#all.size > 0) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const r of this.#closed.splice(0)) r();
  }
}
