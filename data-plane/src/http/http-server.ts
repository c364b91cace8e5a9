import type { Socket } from "node:net";
import type { HttpRequestError } from "./http-error.js";
import type { RequestLimits } from "./request-parser.js";
import { ServerConnection } from "./server-connection.js";
import type { ServerExchange } from "./server-exchange.js";
import type { HttpServerOptions, ServerSettings } from "./server-settings.js";

export type { HttpServerOptions } from "./server-settings.js";

/** How often a draining server looks for quiet connections, ms. */
const DRAIN_SWEEP_MS = 250;

function sweep(server: HttpServer): void {
  server.checkTimeouts(Date.now());
}

/**
 * Palisade's HTTP/1.1 server: takes connected sockets — plain from a `net.Server`, or TLS sockets
 * that negotiated `http/1.1` (ALPN `h2` stays with node:http2) — and serves each with a
 * {@link ServerConnection}. It does not listen itself: the listener hands it sockets with
 * {@link accept}. Listeners must be created with `allowHalfOpen: true`, so that a client that
 * shuts its sending side still gets its answers.
 *
 * Deadlines are checked by one sweep for all connections (every `min(1 s, headersTimeoutMs / 4)`,
 * as node's `connectionsCheckingInterval`), not by a timer per request. {@link close} drains:
 * every response from then on carries `Connection: close`, a connection closes after its
 * current exchange or once it has been quiet for a sweep, and what is left at the deadline is cut.
 */
export class HttpServer implements ServerSettings {
  readonly limits: RequestLimits;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly lingerMs: number;
  readonly drainQuietMs = DRAIN_SWEEP_MS;
  readonly maxPipelined: number;
  readonly maxDiscardBytes: number;
  readonly keepAliveLines: string;
  readonly #onRequest: (exchange: ServerExchange) => void;
  readonly #onRefusal: ((err: HttpRequestError, socket: Socket) => void) | undefined;
  readonly #connections = new Set<ServerConnection>();
  readonly #sweepMs: number;
  #timer: NodeJS.Timeout | undefined;
  #draining = false;

  /** @throws RangeError on a limit that is not a positive integer */
  constructor(opts: HttpServerOptions) {
    const maxHeaderBytes = positive("maxHeaderBytes", opts.maxHeaderBytes ?? 32_768);
    this.limits = Object.freeze({
      maxHeaderBytes,
      maxRequestLineBytes: Math.min(
        positive("maxRequestLineBytes", opts.maxRequestLineBytes ?? maxHeaderBytes),
        maxHeaderBytes,
      ),
      maxHeaders: positive("maxHeaders", opts.maxHeaders ?? 100),
    });
    this.requestTimeoutMs = positive("requestTimeoutMs", opts.requestTimeoutMs ?? 120_000);
    this.headersTimeoutMs = Math.min(
      positive("headersTimeoutMs", opts.headersTimeoutMs ?? 15_000),
      this.requestTimeoutMs,
    );
    this.keepAliveTimeoutMs = positive("keepAliveTimeoutMs", opts.keepAliveTimeoutMs ?? 5_000);
    this.lingerMs = positive("lingerMs", opts.lingerMs ?? 2_000);
    this.maxPipelined = positive("maxPipelined", opts.maxPipelined ?? 16);
    this.maxDiscardBytes = opts.maxDiscardBytes ?? 262_144;
    this.keepAliveLines =
      opts.keepAliveHint === false
        ? ""
        : `connection: keep-alive\r\nkeep-alive: timeout=${Math.floor(this.keepAliveTimeoutMs / 1000)}\r\n`;
    this.#onRequest = opts.onRequest;
    this.#onRefusal = opts.onRefusal;
    this.#sweepMs = Math.max(
      10,
      Math.min(1_000, Math.floor(Math.min(this.headersTimeoutMs, this.keepAliveTimeoutMs) / 4)),
    );
  }

  /** Open connections (handed-over sockets not counted). */
  get size(): number {
    return this.#connections.size;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Serves a connected socket (plain, or TLS after its handshake). */
  accept(socket: Socket): void {
    if (this.#draining) {
      socket.destroy();
      return;
    }
    this.#connections.add(new ServerConnection(socket, this));
    if (this.#timer === undefined) {
      this.#timer = setInterval(sweep, this.#sweepMs, this);
      this.#timer.unref();
    }
  }

  /** One sweep over every connection's deadlines (the interval calls it). */
  checkTimeouts(now: number): void {
    for (const c of this.#connections) c.checkTimeouts(now);
  }

  /**
   * Graceful close: drains until every connection has ended or `deadlineMs` passed, then cuts the
   * rest. Stop the listener first (it must not hand over new sockets).
   */
  async close(deadlineMs = 10_000): Promise<void> {
    if (!this.#draining) {
      this.#draining = true;
      clearInterval(this.#timer);
      this.#timer = setInterval(sweep, Math.min(this.#sweepMs, DRAIN_SWEEP_MS), this);
      this.#timer.unref();
    }
    const until = Date.now() + deadlineMs;
    while (this.#connections.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    for (const c of this.#connections) c.destroy();
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  // --- ServerSettings ----------------------------------------------------------------------------

  onRequest(exchange: ServerExchange): void {
    this.#onRequest(exchange);
  }

  onRefusal(err: HttpRequestError, socket: Socket): void {
    this.#onRefusal?.(err, socket);
  }

  connectionClosed(connection: ServerConnection): void {
    this.#connections.delete(connection);
    this.#stopIfIdle();
  }

  connectionDetached(connection: ServerConnection): void {
    this.#connections.delete(connection);
    this.#stopIfIdle();
  }

  #stopIfIdle(): void {
    if (this.#connections.size === 0 && !this.#draining && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

function positive(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}
