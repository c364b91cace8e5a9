import { createServer, type IncomingMessage, type Server, STATUS_CODES } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { TableHolder } from "../config/table-holder.js";
import { ERRORS, type ErrorCode, errorBody, Failure } from "../errors.js";
import { SecurityEvents } from "../events/security-events.js";
import type { Logger } from "../log.js";
import { canonicalAddress } from "../request/cidr.js";
import type { TrustedProxies } from "../request/client-address.js";
import type { PoolManager } from "../upstream/pool-manager.js";
import { Exchange, ProxyResponse, type ProxyServices } from "./exchange.js";
import {
  DIRECT,
  failToProxy,
  requestBodyFilter,
  requestFilter,
  sendDirectResponse,
  upstreamPeer,
  upstreamRequestFilter,
  upstreamTargetPath,
} from "./phases.js";
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
  /** Where security events go. Default: a private channel. */
  readonly events?: SecurityEvents;
  /** Proxies whose forwarding header names the client (`--trusted-proxies`). Default: none. */
  readonly trustedProxies?: TrustedProxies | null;
}

/**
 * The proxy listener (node:http), and the orchestrator of the phases in phases.ts:
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
  readonly events: SecurityEvents;
  readonly trustedProxies: TrustedProxies | null;
  #holder: TableHolder;
  #server: Server<typeof IncomingMessage, typeof ProxyResponse>;
  #closing = false;

  constructor(opts: ProxyServerOptions) {
    this.#holder = opts.holder;
    this.pools = opts.pools;
    this.log = opts.log;
    this.events = opts.events ?? new SecurityEvents();
    this.trustedProxies = opts.trustedProxies ?? null;
    this.#server = createServer<typeof IncomingMessage, typeof ProxyResponse>(
      {
        ServerResponse: ProxyResponse,
        // Strict llhttp whatever --insecure-http-parser says: lenient parsing is how CL.TE,
        // obs-fold and bare-LF smuggling get in (cases C25, C29).
        insecureHTTPParser: false,
        // request_filter checks Host itself (one JSON error shape, and absolute-form targets).
        requireHostHeader: false,
        headersTimeout: opts.headersTimeoutMs ?? 15_000,
        requestTimeout: opts.requestTimeoutMs ?? 120_000,
        keepAliveTimeout: opts.keepAliveTimeoutMs ?? 5_000,
        // How often node enforces the two timeouts above, ms (default 30 s is too coarse).
        connectionsCheckingInterval: 1_000,
      },
      (req, res) => this.#onRequest(req, res),
    );
    this.#server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => this.#onClientError(err, socket));
  }

  /** True once {@link close} started. */
  get closing(): boolean {
    return this.#closing;
  }

  /** The node:http server (to listen on). */
  get server(): Server<typeof IncomingMessage, typeof ProxyResponse> {
    return this.#server;
  }

  /** The bound address, once listening. */
  address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  #onRequest(req: IncomingMessage, res: ProxyResponse): void {
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
    if (failure === DIRECT) {
      sendDirectResponse(ex);
      return;
    }
    if (failure !== undefined) {
      failToProxy(ex, failure);
      return;
    }
    if (ex.clientClosed) return;
    try {
      const body = requestBodyFilter(ex);
      const target = upstreamPeer(ex);
      if (target instanceof Failure) {
        failToProxy(ex, target);
        return;
      }
      const headers = upstreamRequestFilter(ex, target);
      this.pools.get(target).dispatch({ path: upstreamTargetPath(ex), method: ex.method, headers, body }, ex);
    } catch (err) {
      failToProxy(ex, new Failure("INTERNAL", null, err));
    }
  }

  /**
   * Errors node raises before a request object exists: parse errors (the strict llhttp refuses
   * CL+TE, obs-fold, bad header bytes, bad chunk sizes…), header overflow, request timeout.
   * Answered with the JSON error shape and `Connection: close`, and emitted as a security event
   * (timeouts excepted).
   */
  #onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    // A response for an earlier (pipelined) request is pending or streaming on this socket:
    // writing an error now would splice it into that response or take its place. Close instead.
    if (err.code === "ECONNRESET" || !socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
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
    if (code !== "REQUEST_TIMEOUT") {
      const peer = socket.remoteAddress;
      this.events.emit({
        type: code === "HEADERS_TOO_LARGE" ? "request_too_large" : "request_rejected",
        reason: parseErrorReason(err.code),
        time: Date.now(),
        code,
        status,
        requestId: id,
        route: null,
        policy: null,
        policyType: null,
        consumer: null,
        clientAddress: peer === undefined ? null : (canonicalAddress(peer) ?? peer),
        method: null,
        path: null,
      });
    }
    const body = errorBody(code, id);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${id}\r\nconnection: close\r\n\r\n${body}`,
    );
  }

  /**
   * Stops accepting connections and lets in-flight requests finish (responses now carry
   * `Connection: close`); after `deadlineMs` the remaining connections are cut.
   */
  async close(deadlineMs = 10_000): Promise<void> {
    if (!this.#server.listening) return;
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    // Keep-alive connections become idle as their last response ends: close them then.
    const sweep = setInterval(() => this.#server.closeIdleConnections(), 100);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    await Promise.race([closed, late]);
    clearInterval(sweep);
    clearTimeout(timer);
    this.#server.closeAllConnections();
    await closed;
  }
}

/** Reason codes of the parse errors node raises before a request exists (security events). */
function parseErrorReason(code: string | undefined): string {
  return code === undefined ? "parse_error" : code.toLowerCase();
}
