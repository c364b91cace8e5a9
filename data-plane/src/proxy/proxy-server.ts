import {
  createServer as createH2Server,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from "node:http2";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { TableHolder } from "../config/table-holder.js";
import { refusalEventType, SecurityEvents } from "../events/security-events.js";
import type { HttpRequestError } from "../http/http-error.js";
import { HttpServer } from "../http/http-server.js";
import type { ServerExchange } from "../http/server-exchange.js";
import type { Logger } from "../log.js";
import type { Policy, Recorder } from "../policies/contract.js";
import { ProxyLoop } from "../proxy-loop.js";
import { canonicalAddress } from "../request/cidr.js";
import type { TrustedProxies } from "../request/client-address.js";
import type { AccessLog } from "../telemetry/access-log.js";
import type { SpanExport } from "../telemetry/span-exporter.js";
import type { TrafficStats } from "../telemetry/traffic-stats.js";
import type { PoolManager } from "../upstream/pool-manager.js";
import { Exchange, type ProxyServices } from "./exchange.js";
import { H2Downstream } from "./h2-downstream.js";
import { requestIdFrom } from "./request-id.js";

/** Client-side limits and timeouts of the proxy listeners (all ms / bytes / counts). */
export interface ClientLimits {
  /** Time to receive the request headers, ms (slowloris). Default 15,000. */
  readonly headersTimeoutMs?: number;
  /** Time to receive the whole request, ms. Default 120,000. */
  readonly requestTimeoutMs?: number;
  /** Idle time of a client keep-alive connection (HTTP/2: of a session), ms. Default 5,000. */
  readonly keepAliveTimeoutMs?: number;
  /** Size of the request line and header section, bytes. Default 32,768. */
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
  /** Node-wide recorders of finished exchanges (the anomaly detector's). Default: none. */
  readonly recorders?: readonly Recorder[];
  /** The access log (`--access-log`). Default: none (the debug line only). */
  readonly accessLog?: AccessLog | null;
  /** Probability (0–1) that a trace the node starts is sampled (`--trace-sample-ratio`). Default 0. */
  readonly traceSampleRatio?: number;
  /** Node-wide policies run first in `request_filter` (the anomaly decisions). Default: none. */
  readonly guards?: readonly Policy[];
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
 * The proxy's listeners and the request loop behind them. HTTP/1.x is served by Palisade's own
 * engine (http/): the plain listener (`net`, half-open allowed so a client that shuts its side
 * still gets its answers) hands its sockets to the engine's `HttpServer`, and the HTTPS listener
 * hands it the TLS connections that chose `http/1.1`; connections that chose `h2` go to a
 * node:http2 server, whose streams are adapted to the same shape (h2-downstream.ts). Every
 * request becomes an {@link Exchange} run by the one {@link ProxyLoop}. Requests the engine
 * refuses before the loop sees them (malformed, too large, CONNECT, an unsupported version) are
 * answered by the engine with Palisade's JSON error and reported here as security events.
 */
export class ProxyServer implements ProxyServices {
  readonly log: Logger;
  readonly pools: PoolManager;
  readonly events: SecurityEvents;
  readonly stats: TrafficStats | undefined;
  readonly trustedProxies: TrustedProxies | null;
  readonly recorders: readonly Recorder[];
  readonly accessLog: AccessLog | null;
  /** Set by the node's tracing (node-tracing.ts) when a config changes it; read per request. */
  traceSampleRatio: number;
  /** The OTLP span export, `null` while off (node-tracing.ts); read per sampled request. */
  spans: SpanExport | null = null;
  readonly guards: readonly Policy[];
  readonly loop = new ProxyLoop();
  readonly #holder: TableHolder;
  readonly #net: Server;
  readonly #http: HttpServer;
  #h2: Http2Server | undefined;
  readonly #h2Sessions = new Set<Http2Session>();
  readonly #tunnels = new Set<Duplex>();
  readonly #limits: Required<ClientLimits>;
  #closing = false;

  constructor(opts: ProxyServerOptions) {
    this.#holder = opts.holder;
    this.pools = opts.pools;
    this.log = opts.log;
    this.events = opts.events ?? new SecurityEvents();
    this.stats = opts.stats;
    this.trustedProxies = opts.trustedProxies ?? null;
    this.recorders = opts.recorders ?? [];
    this.accessLog = opts.accessLog ?? null;
    this.traceSampleRatio = opts.traceSampleRatio ?? 0;
    this.guards = opts.guards ?? [];
    const requestTimeoutMs = opts.requestTimeoutMs ?? 120_000;
    this.#limits = {
      // A header timeout longer than the request timeout makes no sense: the headers are part of it.
      headersTimeoutMs: Math.min(opts.headersTimeoutMs ?? 15_000, requestTimeoutMs),
      requestTimeoutMs,
      keepAliveTimeoutMs: opts.keepAliveTimeoutMs ?? 5_000,
      maxHeaderBytes: opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
      maxHeaders: opts.maxHeaders ?? DEFAULT_MAX_HEADERS,
      maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    };
    const limits = this.#limits;
    this.#http = new HttpServer({
      headersTimeoutMs: limits.headersTimeoutMs,
      requestTimeoutMs: limits.requestTimeoutMs,
      keepAliveTimeoutMs: limits.keepAliveTimeoutMs,
      maxHeaderBytes: limits.maxHeaderBytes,
      maxHeaders: limits.maxHeaders,
      onRequest: (sx: ServerExchange) => this.loop.run(new Exchange(sx, this.#holder.table, this, this.loop)),
      onRefusal: (err, socket) => this.#onRefusal(err, socket),
    });
    this.#net = createServer({ allowHalfOpen: true }, (socket: Socket) => this.accept(socket));
  }

  /** True once {@link close} started: HTTP/1.x answers then carry `Connection: close`. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Client limits in force. */
  get limits(): Readonly<Required<ClientLimits>> {
    return this.#limits;
  }

  /** The plain listener (to listen on). */
  get server(): Server {
    return this.#net;
  }

  /** Serves an HTTP/1.x connection: a plain socket, or a TLS socket that chose `http/1.1`. */
  accept(socket: Socket): void {
    const stats = this.stats;
    if (stats !== undefined) {
      stats.activeConnections++;
      socket.once("close", () => stats.activeConnections--);
    }
    this.#http.accept(socket);
  }

  /**
   * The node:http2 server, created on first use. It never listens itself: the HTTPS listener
   * hands it the TLS connections that negotiated `h2` (ALPN, RFC 7301).
   */
  get h2(): Http2Server {
    if (this.#h2 === undefined) {
      const limits = this.#limits;
      const h2 = createH2Server({
        // Header limits as for HTTP/1.1 (+4 for the pseudo-headers), RFC 9113 §6.5.2.
        maxHeaderListPairs: limits.maxHeaders + 4,
        settings: { maxHeaderListSize: limits.maxHeaderBytes },
      });
      h2.on("request", (req: Http2ServerRequest, res: Http2ServerResponse) => this.#onH2Request(req, res, false));
      h2.on("checkContinue", (req: Http2ServerRequest, res: Http2ServerResponse) => this.#onH2Request(req, res, true));
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

  /** The bound address of the plain listener, once listening. */
  address(): AddressInfo {
    return this.#net.address() as AddressInfo;
  }

  /** A client connection became a tunnel: HTTP drain no longer applies; it is cut at the deadline. */
  tunnelOpened(client: Duplex): void {
    this.#tunnels.add(client);
    client.once("close", () => this.#tunnels.delete(client));
  }

  #onH2Request(req: Http2ServerRequest, res: Http2ServerResponse, expectContinue: boolean): void {
    const d = new H2Downstream(req, res, expectContinue, this.#limits.requestTimeoutMs);
    this.loop.run(new Exchange(d, this.#holder.table, this, this.loop));
  }

  /** A request the engine refused before the loop saw it: a security event (timeouts excepted). */
  #onRefusal(err: HttpRequestError, socket: Socket): void {
    if (err.code === "REQUEST_TIMEOUT") return;
    const peer = socket.remoteAddress;
    this.events.emit({
      type: refusalEventType(err.code) ?? "request_rejected",
      reason: err.reason,
      time: Date.now(),
      code: err.code,
      status: err.status,
      requestId: requestIdFrom(undefined),
      route: null,
      policy: null,
      policyType: null,
      consumer: null,
      clientAddress: peer === undefined ? null : (canonicalAddress(peer) ?? peer),
      method: null,
      path: null,
    });
  }

  /**
   * Graceful stop: stops accepting connections; in-flight requests finish (HTTP/1.x responses
   * now carry `Connection: close`, HTTP/2 sessions get a GOAWAY); a keep-alive connection is
   * closed once quiet (no request in progress, none started: the engine's drain never cuts a
   * client that is sending its next request); after `deadlineMs` whatever is left (WebSocket
   * tunnels included) is cut.
   */
  async close(deadlineMs = 10_000): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const closed = new Promise<void>((resolve) => {
      if (!this.#net.listening) resolve();
      else this.#net.close(() => resolve());
    });
    const sessionsClosed = Promise.all([...this.#h2Sessions].map((s) => closeSession(s)));
    const started = Date.now();
    const drained = (async () => {
      await Promise.all([this.#http.close(deadlineMs), sessionsClosed]);
      while (this.#tunnels.size > 0 && Date.now() - started < deadlineMs) await new Promise((r) => setTimeout(r, 50));
    })();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    await Promise.race([drained, late]);
    clearTimeout(timer);
    for (const s of this.#h2Sessions) s.destroy();
    for (const t of this.#tunnels) t.destroy();
    await closed;
  }
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
