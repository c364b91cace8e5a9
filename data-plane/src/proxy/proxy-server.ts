import { createServer, type IncomingMessage, type Server, STATUS_CODES } from "node:http";
import {
  constants,
  createServer as createH2Server,
  type Http2Server,
  type Http2ServerRequest,
  type Http2Session,
} from "node:http2";
import { type AddressInfo, Server as NetServer, type Socket } from "node:net";
import type { TableHolder } from "../config/table-holder.js";
import { ERRORS, type ErrorCode, errorBody, Failure } from "../errors.js";
import { SecurityEvents } from "../events/security-events.js";
import type { Logger } from "../log.js";
import type { MirrorSender } from "../policies/types.js";
import { canonicalAddress } from "../request/cidr.js";
import type { TrustedProxies } from "../request/client-address.js";
import type { TrafficStats } from "../telemetry/traffic-stats.js";
import type { PoolManager } from "../upstream/pool-manager.js";
import { ConnectionTracker } from "./connections.js";
import { type DownstreamRequest, type DownstreamResponse, ProxyH2Response, ProxyResponse } from "./downstream.js";
import { Exchange, type ProxyServices } from "./exchange.js";
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
import { isWebSocketUpgrade } from "./websocket.js";

/** Client-side limits and timeouts of the proxy listeners (all ms / bytes / counts). */
export interface ClientLimits {
  /** Time to receive the request headers, ms (node `headersTimeout`; slowloris). Default 15,000. */
  readonly headersTimeoutMs?: number;
  /** Time to receive the whole request, ms (node `requestTimeout`). Default 120,000. */
  readonly requestTimeoutMs?: number;
  /** Idle time of a client keep-alive connection (HTTP/2: of a session), ms. Default 5,000. */
  readonly keepAliveTimeoutMs?: number;
  /** Size of the request line and header section, bytes (node `maxHeaderSize`). Default 32,768. */
  readonly maxHeaderBytes?: number;
  /** Header fields in a request at most. Default 100. */
  readonly maxHeaders?: number;
  /**
   * Request body limit, bytes, of a route that sets none when the table's settings set none and
   * no `request-size` policy sets one; 0 = none. Default 8 MiB ({@link DEFAULT_MAX_BODY_BYTES}).
   */
  readonly maxBodyBytes?: number;
}

/** Options of {@link ProxyServer}. */
export interface ProxyServerOptions extends ClientLimits {
  /** Where the live table is read, once per request. */
  readonly holder: TableHolder;
  /** Upstream connection pools. */
  readonly pools: PoolManager;
  readonly log: Logger;
  /** Where security events go. Default: a private channel. */
  readonly events?: SecurityEvents;
  /** Traffic counters (requests, latency, security events, open connections). */
  readonly stats?: TrafficStats;
  /** Proxies whose forwarding header names the client (`--trusted-proxies`). Default: none. */
  readonly trustedProxies?: TrustedProxies | null;
}

export const DEFAULT_MAX_HEADER_BYTES = 32_768;
export const DEFAULT_MAX_HEADERS = 100;
/**
 * The default request body limit, bytes (8 MiB): above nginx's 1 MiB `client_max_body_size`,
 * which refuses ordinary API uploads, and far below Kong's 128 MB `request-size-limiting`
 * default, which lets one client tie up an upstream with a body it never meant to accept.
 */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * The proxy's HTTP servers — node:http for HTTP/1.x (the plain listener binds it; the HTTPS
 * listener hands it TLS connections that chose `http/1.1`) and node:http2 for connections that
 * chose `h2` — and the orchestrator of the phases in phases.ts:
 *
 *     request_filter → request_body_filter → upstream_peer → upstream_request_filter
 *       → upstream client (breaker → timeout → retry → attempt → pool) → response_filter
 *       → (stream body) → logging
 *
 * Any phase's Failure and any upstream error go to `fail_to_proxy`. Bodies are streamed both
 * ways. WebSocket upgrades run the same phases, then the sockets are joined. `Expect:
 * 100-continue` is answered only once `request_filter` let the request through. Client-side
 * parse errors (malformed requests node rejects before a request exists) get the same JSON error
 * shape, written on the socket.
 */
export class ProxyServer implements ProxyServices {
  readonly log: Logger;
  readonly pools: PoolManager;
  readonly events: SecurityEvents;
  readonly stats: TrafficStats | undefined;
  readonly trustedProxies: TrustedProxies | null;
  #holder: TableHolder;
  #server: Server<typeof IncomingMessage, typeof ProxyResponse>;
  #h2: Http2Server | undefined;
  #h2Sessions = new Set<Http2Session>();
  #connections = new ConnectionTracker();
  #tunnels = new Set<Socket>();
  #limits: Required<ClientLimits>;
  #closing = false;

  constructor(opts: ProxyServerOptions) {
    this.#holder = opts.holder;
    this.pools = opts.pools;
    this.log = opts.log;
    this.events = opts.events ?? new SecurityEvents();
    this.stats = opts.stats;
    this.trustedProxies = opts.trustedProxies ?? null;
    const requestTimeoutMs = opts.requestTimeoutMs ?? 120_000;
    this.#limits = {
      // node refuses a header timeout longer than the request timeout: the headers are part of it.
      headersTimeoutMs: Math.min(opts.headersTimeoutMs ?? 15_000, requestTimeoutMs),
      requestTimeoutMs,
      keepAliveTimeoutMs: opts.keepAliveTimeoutMs ?? 5_000,
      maxHeaderBytes: opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
      maxHeaders: opts.maxHeaders ?? DEFAULT_MAX_HEADERS,
      maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    };
    const limits = this.#limits;
    this.#server = createServer<typeof IncomingMessage, typeof ProxyResponse>(
      {
        ServerResponse: ProxyResponse,
        // Strict llhttp whatever --insecure-http-parser says: lenient parsing is how CL.TE,
        // obs-fold and bare-LF smuggling get in (cases C25, C29).
        insecureHTTPParser: false,
        // request_filter checks Host itself (one JSON error shape, and absolute-form targets).
        requireHostHeader: false,
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        maxHeaderSize: limits.maxHeaderBytes,
        // How often node enforces the two timeouts above, ms (default 30 s is too coarse).
        connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
      },
      (req, res) => this.#onRequest(req, res),
    );
    // No count cap in node (it would silently drop fields, Host among them): maxHeaderSize bounds
    // the parse, request_filter refuses more than maxHeaders fields with a JSON 431.
    this.#server.maxHeadersCount = 0;
    this.#server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => this.#onClientError(err, socket));
    this.#server.on("connection", (socket: Socket) => this.#connections.add(socket));
    const stats = opts.stats;
    if (stats !== undefined) {
      this.#server.on("connection", (socket: Socket) => {
        stats.activeConnections++;
        socket.once("close", () => stats.activeConnections--);
      });
    }
    this.#server.on("checkContinue", (req: IncomingMessage, res: ProxyResponse) => this.#onRequest(req, res, true));
    this.#server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.#onUpgrade(req, socket, head),
    );
  }

  /** True once {@link close} started. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Client limits in force. */
  get limits(): Readonly<Required<ClientLimits>> {
    return this.#limits;
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
      const limits = this.#limits;
      // The cast: node's typings cannot express a response subclass of the compat API.
      const h2 = createH2Server(
        {
          Http2ServerResponse: ProxyH2Response,
          // Header limits as for HTTP/1.1 (+4 for the pseudo-headers), RFC 9113 §6.5.2.
          maxHeaderListPairs: limits.maxHeaders + 4,
          settings: { maxHeaderListSize: limits.maxHeaderBytes },
        },
        (req, res) => this.#onRequest(req, res as ProxyH2Response),
      ) as unknown as Http2Server;
      h2.on("checkContinue", (req, res) => this.#onRequest(req, res as unknown as ProxyH2Response, true));
      h2.on("session", (session: Http2Session) => {
        this.#h2Sessions.add(session);
        session.once("close", () => this.#h2Sessions.delete(session));
        if (this.#closing) session.close();
        else closeWhenIdle(session, limits.keepAliveTimeoutMs);
      });
      this.#h2 = h2;
    }
    return this.#h2;
  }

  /** The bound address, once listening. */
  address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  /** A client connection became a tunnel: HTTP drain no longer applies; it is cut at the deadline. */
  tunnelOpened(client: Socket): void {
    this.#connections.delete(client);
    this.#tunnels.add(client);
    client.once("close", () => this.#tunnels.delete(client));
  }

  #onRequest(req: DownstreamRequest, res: DownstreamResponse, expectContinue = false): void {
    const ex = new Exchange(req, res, this.#holder.table, this);
    ex.expectContinue = expectContinue;
    if (res.h2) limitH2Body(ex, this.#limits.requestTimeoutMs);
    this.#run(ex);
  }

  #run(ex: Exchange): void {
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
      // RFC 9110 §10.1.1: ask for the body only once the request may go on.
      if (ex.expectContinue) ex.res.writeContinue();
      ex.forwardBody = requestBodyFilter(ex);
      const target = upstreamPeer(ex);
      if (target instanceof Failure) {
        failToProxy(ex, target);
        return;
      }
      ex.upstreamHeaders = upstreamRequestFilter(ex, target);
      ex.forwardPath = upstreamTargetPath(ex);
      if (ex.mirror !== null && ex.upgrade === null) startMirror(ex, ex.mirror);
      // The upstream client: breaker → total timeout → retry → attempt → pool (upstream/dispatch/).
      ex.upstream.dispatch(ex, ex);
    } catch (err) {
      failToProxy(ex, new Failure("INTERNAL", null, err));
    }
  }

  /**
   * node hands over every request with `Connection: upgrade`. A WebSocket request runs the
   * phases on a response bound to the socket (so refusals are ordinary HTTP answers) and, once
   * the upstream switched protocols, becomes a tunnel. Any other upgrade (e.g. `h2c`) is served
   * as a plain request when it has no body (the `Upgrade` header is hop-by-hop), refused otherwise.
   */
  #onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const res = new ProxyResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.once("finish", endUpgradeAnswer);
    socket.on("error", destroySocket);
    const ex = new Exchange(req, res, this.#holder.table, this);
    if (isWebSocketUpgrade(req)) {
      ex.upgrade = "websocket";
      ex.upgradeHead = head;
    } else if (
      head.length > 0 ||
      req.headers["content-length"] !== undefined ||
      req.headers["transfer-encoding"] !== undefined
    ) {
      failToProxy(ex, new Failure("BAD_REQUEST", null, "upgrade request with a body"));
      return;
    }
    this.#run(ex);
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
   * Graceful stop: stops accepting connections; in-flight requests finish (HTTP/1.x responses
   * now carry `Connection: close`, HTTP/2 sessions get a GOAWAY); quiet keep-alive connections
   * are closed (see ConnectionTracker: never one whose client may be sending); after
   * `deadlineMs` whatever is left (including WebSocket tunnels) is cut.
   */
  async close(deadlineMs = 10_000): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    // net.Server's close, not http.Server's: the latter cuts idle keep-alive connections at once,
    // racing with clients that are sending their next request on them.
    const closed = new Promise<void>((resolve) => {
      if (!this.#server.listening) resolve();
      else NetServer.prototype.close.call(this.#server, () => resolve());
    });
    this.#connections.startDrain();
    const sessionsClosed = Promise.all([...this.#h2Sessions].map((s) => closeSession(s)));
    const drained = (async () => {
      await Promise.all([closed, sessionsClosed]);
      // TLS connections handed to node:http are not counted by its listener: wait for them too.
      while (this.#connections.size > 0) await new Promise((r) => setTimeout(r, 50));
      while (this.#tunnels.size > 0) await new Promise((r) => setTimeout(r, 50));
    })();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    await Promise.race([drained, late]);
    clearTimeout(timer);
    this.#connections.destroyAll();
    for (const s of this.#h2Sessions) s.destroy();
    for (const t of this.#tunnels) t.destroy();
    this.#server.closeAllConnections();
    await closed;
  }
}

/**
 * `--client-request-timeout-ms` for an HTTP/2 request with a body (node:http enforces it for
 * HTTP/1.x only): a body not received in time is answered 408, or the stream is reset.
 */
function limitH2Body(ex: Exchange, ms: number): void {
  const req = ex.req as Http2ServerRequest;
  if (req.stream.endAfterHeaders) return;
  const timer = setTimeout(() => {
    if (req.complete) return;
    const stream = req.stream;
    if (ex.res.headersSent) {
      stream.close(constants.NGHTTP2_CANCEL);
      return;
    }
    failToProxy(ex, new Failure("REQUEST_TIMEOUT", null, "HTTP/2 request body not received in time"));
    // The answer is out: tell the client to stop sending (RFC 9113 §8.1, RST_STREAM NO_ERROR).
    ex.res.once("finish", () => stream.close(constants.NGHTTP2_NO_ERROR));
  }, ms);
  timer.unref();
  req.once("end", () => clearTimeout(timer));
  req.stream.once("close", () => clearTimeout(timer));
}

/**
 * Shadow traffic (a `mirror` policy sampled the request): hands the mirror the request exactly as
 * the primary sends it (headers after every policy ran), and forwards the body through the
 * mirror's tap, which copies it without holding it back. Runs right before the primary dispatch;
 * the shadow request itself starts after it.
 */
function startMirror(ex: Exchange, mirror: MirrorSender): void {
  const route = ex.route!;
  const run = mirror.start({
    routeId: route.id,
    method: ex.method,
    upstreamPath: ex.upstreamPath,
    query: ex.query,
    headers: ex.upstreamHeaders,
    body: ex.forwardBody,
    contentLength: ex.scan?.contentLength ?? null,
    preserveHost: route.preserveHost,
    clientAuthority: ex.view.authority,
  });
  if (run === null) return;
  ex.shadow = run;
  ex.forwardBody = run.body;
}

function destroySocket(this: Socket): void {
  this.destroy();
}

/** A response written on an upgrade request's socket ended: the connection ends with it. */
function endUpgradeAnswer(this: ProxyResponse): void {
  const socket = this.socket;
  if (socket !== null && !this.exchange?.upgraded) socket.end();
}

/**
 * Closes an HTTP/2 session (GOAWAY) once it has had no open stream for `idleMs`, as an idle
 * HTTP/1.1 keep-alive connection is closed. Not node's `server.setTimeout`: that one times out
 * streams too, cutting a response whose upstream is merely slow.
 */
function closeWhenIdle(session: Http2Session, idleMs: number): void {
  let open = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    timer = setTimeout(() => session.close(), idleMs);
    timer.unref();
  };
  session.on("stream", (stream: import("node:http2").ServerHttp2Stream) => {
    open++;
    clearTimeout(timer);
    stream.once("close", () => {
      if (--open === 0 && !session.closed) arm();
    });
  });
  session.once("close", () => clearTimeout(timer));
  arm();
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

/** Reason codes of the parse errors node raises before a request exists (security events). */
function parseErrorReason(code: string | undefined): string {
  return code === undefined ? "parse_error" : code.toLowerCase();
}
