import { createServer, type IncomingMessage, type Server, STATUS_CODES } from "node:http";
import { createServer as createH2Server, type Http2Server, type Http2Session } from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import type { TableHolder } from "../config/table-holder.js";
import { ERRORS, type ErrorCode, errorBody, Failure } from "../errors.js";
import type { Logger } from "../log.js";
import type { PoolManager } from "../upstream/pool-manager.js";
import { type DownstreamRequest, type DownstreamResponse, ProxyH2Response, ProxyResponse } from "./downstream.js";
import { Exchange, type ProxyServices } from "./exchange.js";
import { failToProxy, requestBodyFilter, requestFilter, upstreamPeer, upstreamRequestFilter } from "./phases.js";
import { requestIdFrom } from "./request-id.js";

/** Options of {@link ProxyServer}. */
export interface ProxyServerOptions {
  /** Where the live table is read, once per request. */
  readonly holder: TableHolder;
  /** Upstream connection pools. */
  readonly pools: PoolManager;
  readonly log: Logger;
  /** Time to receive the request headers, ms (node `headersTimeout`). Default 15,000. */
  readonly headersTimeoutMs?: number;
  /** Time to receive the whole request, ms (node `requestTimeout`). Default 120,000. */
  readonly requestTimeoutMs?: number;
  /** Idle time of a client keep-alive connection, ms. Default 5,000. */
  readonly keepAliveTimeoutMs?: number;
}

/**
 * The proxy's HTTP servers — node:http for HTTP/1.x (the plain listener binds it; the HTTPS
 * listener hands it TLS connections that chose `http/1.1`) and node:http2 for connections that
 * chose `h2` — and the orchestrator of the phases in phases.ts:
 *
 *     request_filter → request_body_filter → upstream_peer → upstream_request_filter
 *       → dispatch to the target's undici pool → response_filter → (stream body) → logging
 *
 * Any phase's Failure and any upstream error go to `fail_to_proxy`. Bodies are streamed both
 * ways. Client-side parse errors (malformed requests node rejects before a request exists) get
 * the same JSON error shape, written on the socket.
 */
export class ProxyServer implements ProxyServices {
  readonly log: Logger;
  readonly pools: PoolManager;
  #holder: TableHolder;
  #server: Server<typeof IncomingMessage, typeof ProxyResponse>;
  #h2: Http2Server | undefined;
  #h2Sessions = new Set<Http2Session>();
  #closing = false;

  constructor(opts: ProxyServerOptions) {
    this.#holder = opts.holder;
    this.pools = opts.pools;
    this.log = opts.log;
    this.#server = createServer<typeof IncomingMessage, typeof ProxyResponse>(
      {
        ServerResponse: ProxyResponse,
        headersTimeout: opts.headersTimeoutMs ?? 15_000,
        requestTimeout: opts.requestTimeoutMs ?? 120_000,
        keepAliveTimeout: opts.keepAliveTimeoutMs ?? 5_000,
        // How often node enforces the two timeouts above, ms (default 30 s is too coarse).
        connectionsCheckingInterval: 1_000,
      },
      (req, res) => this.#onRequest(req, res),
    );
    this.#server.on("clientError", onClientError);
  }

  /** True once {@link close} started. */
  get closing(): boolean {
    return this.#closing;
  }

  /** The node:http server (to listen on). */
  get server(): Server<typeof IncomingMessage, typeof ProxyResponse> {
    return this.#server;
  }

  /**
   * The node:http2 server, created on first use. It never listens itself: the HTTPS listener
   * hands it the TLS connections that negotiated `h2` (ALPN, RFC 7301).
   */
  get h2(): Http2Server {
    if (this.#h2 === undefined) {
      // The cast: node's typings cannot express a response subclass of the compat API.
      const h2 = createH2Server({ Http2ServerResponse: ProxyH2Response }, (req, res) =>
        this.#onRequest(req, res as ProxyH2Response),
      ) as unknown as Http2Server;
      h2.on("session", (session: Http2Session) => {
        this.#h2Sessions.add(session);
        session.once("close", () => this.#h2Sessions.delete(session));
        if (this.#closing) session.close();
      });
      this.#h2 = h2;
    }
    return this.#h2;
  }

  /** The bound address, once listening. */
  address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  #onRequest(req: DownstreamRequest, res: DownstreamResponse): void {
    const ex = new Exchange(req, res, this.#holder.table, this);
    let filtered: Failure | undefined | Promise<Failure | undefined>;
    try {
      filtered = requestFilter(ex);
    } catch (err) {
      failToProxy(ex, new Failure("INTERNAL", null, err));
      return;
    }
    if (filtered instanceof Promise) {
      filtered.then(
        (f) => this.#afterRequestFilter(ex, f),
        (err: unknown) => failToProxy(ex, new Failure("INTERNAL", null, err)),
      );
    } else {
      this.#afterRequestFilter(ex, filtered);
    }
  }

  #afterRequestFilter(ex: Exchange, failure: Failure | undefined): void {
    if (failure !== undefined) {
      failToProxy(ex, failure);
      return;
    }
    if (ex.clientClosed) return;
    try {
      ex.forwardBody = requestBodyFilter(ex);
      const target = upstreamPeer(ex);
      if (target instanceof Failure) {
        failToProxy(ex, target);
        return;
      }
      ex.upstreamHeaders = upstreamRequestFilter(ex, target);
      ex.forwardPath = ex.upstreamPath + ex.query;
      // The upstream client: breaker → total timeout → retry → attempt → pool (upstream/dispatch/).
      ex.upstream.dispatch(ex, ex);
    } catch (err) {
      failToProxy(ex, new Failure("INTERNAL", null, err));
    }
  }

  /**
   * Stops accepting connections and lets in-flight requests finish (HTTP/1.x responses now carry
   * `Connection: close`, HTTP/2 sessions get a GOAWAY); after `deadlineMs` the remaining
   * connections are cut.
   */
  async close(deadlineMs = 10_000): Promise<void> {
    if (!this.#server.listening) return;
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const sessionsClosed = Promise.all([...this.#h2Sessions].map((s) => closeSession(s)));
    this.#server.closeIdleConnections();
    // Keep-alive connections become idle as their last response ends: close them then.
    const sweep = setInterval(() => this.#server.closeIdleConnections(), 100);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    await Promise.race([Promise.all([closed, sessionsClosed]), late]);
    clearInterval(sweep);
    clearTimeout(timer);
    this.#server.closeAllConnections();
    for (const s of this.#h2Sessions) s.destroy();
    await closed;
  }
}

/** Graceful HTTP/2 close: GOAWAY, then resolves once the session's streams are done. */
function closeSession(session: Http2Session): Promise<void> {
  return new Promise((resolve) => {
    if (session.closed || session.destroyed) {
      resolve();
      return;
    }
    session.once("close", () => resolve());
    session.close();
  });
}

/** Errors node raises before a request object exists (parse errors, header timeout). */
function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const code: ErrorCode =
    err.code === "HPE_HEADER_OVERFLOW"
      ? "HEADERS_TOO_LARGE"
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? "REQUEST_TIMEOUT"
        : "BAD_REQUEST";
  const status = ERRORS[code].status;
  const id = requestIdFrom(undefined);
  const body = errorBody(code, id);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${id}\r\nconnection: close\r\n\r\n${body}`,
  );
}
