import type { Socket } from "node:net";
import type { HttpRequestError } from "./http-error.js";
import type { RequestLimits } from "./request-parser.js";
import type { ServerConnection } from "./server-connection.js";
import type { ServerExchange } from "./server-exchange.js";

/** What every connection of one server shares (the server implements it; live values). */
export interface ServerSettings {
  readonly limits: RequestLimits;
  /** ms; see {@link HttpServerOptions}. */
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly lingerMs: number;
  /** How long a connection must have been idle before a drain closes it, ms. */
  readonly drainQuietMs: number;
  readonly maxPipelined: number;
  readonly maxDiscardBytes: number;
  /** The lines a keep-alive response carries (see {@link HttpServerOptions.keepAliveHint}). */
  readonly keepAliveLines: string;
  readonly draining: boolean;
  onRequest(exchange: ServerExchange): void;
  onRefusal(err: HttpRequestError, socket: Socket): void;
  connectionClosed(connection: ServerConnection): void;
  connectionDetached(connection: ServerConnection): void;
}

/** Options of the engine's HTTP/1.1 server (ms, bytes, counts). */
export interface HttpServerOptions {
  /**
   * Gets each request once its turn comes (pipelined requests one at a time, in order). It sets
   * `exchange.listener`, answers with `writeHead` / `write` / `end`, reads the body with
   * `exchange.body.start(sink)`. A throw is answered 500 (or cuts a started response).
   */
  readonly onRequest: (exchange: ServerExchange) => void;
  /**
   * A request the engine refused before the handler saw it (malformed, too large, CONNECT, an
   * unsupported version or expectation, cut by the client's shutdown): for security events and
   * logs. Timeouts are not reported here. The engine answers it itself.
   */
  readonly onRefusal?: (err: HttpRequestError, socket: Socket) => void;
  /** Request line and header section, bytes (`--max-header-bytes`). Default 32,768. */
  readonly maxHeaderBytes?: number;
  /** The request line alone, bytes (414 above). Default and maximum: `maxHeaderBytes`. */
  readonly maxRequestLineBytes?: number;
  /** Header fields at most (`--max-headers`). Default 100. */
  readonly maxHeaders?: number;
  /** Time to receive a request head from its first byte, ms (slowloris). Default 15,000. */
  readonly headersTimeoutMs?: number;
  /** Time to receive a whole request from its first byte, ms. Default 120,000. */
  readonly requestTimeoutMs?: number;
  /** Idle time of a keep-alive connection, ms. Default 5,000. */
  readonly keepAliveTimeoutMs?: number;
  /** Requests read ahead and queued on one connection at most (pipelining). Default 16. */
  readonly maxPipelined?: number;
  /**
   * How long a closing connection waits for more bytes from a client it reads and drops, ms
   * (each byte restarts the wait, 30 s at most in all). Default 2,000.
   */
  readonly lingerMs?: number;
  /**
   * A request body left unread when its answer ended is read and dropped (keeping the
   * connection) up to this many bytes; more and the connection closes. Default 262,144.
   */
  readonly maxDiscardBytes?: number;
  /**
   * Send `connection: keep-alive` and `keep-alive: timeout=<s>` on responses that keep the
   * connection (as node:http does), so clients stop reusing it before the server closes it.
   * Default true.
   */
  readonly keepAliveHint?: boolean;
}
