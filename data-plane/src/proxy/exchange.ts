import type { IncomingHttpHeaders } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import type { Socket } from "node:net";
import type { Duplex, Readable } from "node:stream";
import type { TLSSocket } from "node:tls";
import type { Dispatcher } from "undici";
import type {
  CompiledRoute,
  CompiledTarget,
  CompiledUpstream,
  RouteUpstream,
  RuntimeTable,
} from "../config/runtime-table.js";
import { type ErrorCode, Failure } from "../errors.js";
import type { SecurityEvents } from "../events/security-events.js";
import type { Logger } from "../log.js";
import type {
  ConsumerRef,
  DirectResponse,
  HeaderEdits,
  MirrorSender,
  PolicyInstance,
  PolicyRequest,
  ShadowRun,
} from "../policies/types.js";
import type { TrustedProxies } from "../request/client-address.js";
import type { HeaderScan } from "../request/framing.js";
import { type RequestView, requestView } from "../request/request-view.js";
import type { TrafficStats } from "../telemetry/traffic-stats.js";
import type { UpstreamCall } from "../upstream/dispatch/upstream-call.js";
import type { PoolManager, PoolSpec } from "../upstream/pool-manager.js";
import type { TimeoutsMs } from "../upstream/timeouts.js";
import { classifyUpstreamError } from "../upstream/upstream-errors.js";
import { BodyTooLargeError } from "./body-limit.js";
import type { DownstreamRequest, DownstreamResponse, ProxyResponse } from "./downstream.js";
import type { HeaderValues, OutgoingHeaders } from "./hop-by-hop.js";
import { failToProxy, logging, responseFilter } from "./phases.js";
import { requestIdFrom } from "./request-id.js";
import { switchingProtocolsHead, tunnel } from "./websocket.js";

/** What every exchange of one proxy server shares. */
export interface ProxyServices {
  readonly log: Logger;
  readonly pools: PoolManager;
  /** True once the server drains for shutdown: responses then carry `Connection: close`. */
  readonly closing: boolean;
  /** The node's security event channel (every refusal is emitted here). */
  readonly events: SecurityEvents;
  /** Traffic counters fed by the `logging` phase (optional: tests without telemetry). */
  readonly stats?: TrafficStats | undefined;
  /** Trusted proxies for the client address, `null` when none are configured. */
  readonly trustedProxies: TrustedProxies | null;
  /** Header fields a request may carry at most (HTTP/1.x; HTTP/2 enforces its own). */
  readonly limits: { readonly maxHeaders: number; readonly maxBodyBytes: number };
  /** A client connection became a tunnel (WebSocket): it leaves HTTP connection tracking. */
  tunnelOpened(client: Socket): void;
}

/** The view of a request refused before its view was built (fields empty). */
export const EMPTY_VIEW: RequestView = requestView({
  method: "",
  path: "",
  matchPath: "",
  query: "",
  host: "",
  authority: "",
  clientAddress: "",
  peerAddress: "",
  forwardedFor: [],
});

class ClientClosedError extends Error {
  override readonly name = "ClientClosedError";
  readonly code = "CLIENT_CLOSED";
}

// Module-level listeners (`this` is the response): no closure per request.
function onResponseClose(this: DownstreamResponse): void {
  this.exchange?.onClientClose();
}
function onResponseDrain(this: DownstreamResponse): void {
  this.exchange?.resumeUpstream();
}

const NO_HEADERS: OutgoingHeaders = Object.freeze({}) as OutgoingHeaders;

/**
 * One request's state through the phases, the call the upstream client works on, and the undici
 * dispatch handler of its upstream exchange: response headers go through `response_filter` then
 * to the client, body chunks are written as they come with backpressure (the upstream read
 * pauses while the client is slow), and upstream errors go to `fail_to_proxy`.
 */
export class Exchange implements PolicyRequest, UpstreamCall, Dispatcher.DispatchHandler {
  readonly req: DownstreamRequest;
  readonly res: DownstreamResponse;
  readonly services: ProxyServices;
  /** The table this request runs on, read once at the start. */
  readonly table: RuntimeTable | undefined;
  readonly requestId: string;
  /** performance.now() at the start, in ms. */
  readonly startedAt: number;
  /** The client connection is TLS (the HTTPS listener; always so for HTTP/2). */
  readonly tls: boolean;
  /** The request's authority as sent: `Host`, or HTTP/2's `:authority` (RFC 9113 §8.3.1); `view.authority` is the checked one. */
  readonly host: string | undefined;
  /** The canonical view, set once by `request_filter` (EMPTY_VIEW before, or when the request was refused first). */
  view: RequestView = EMPTY_VIEW;
  /** Canonical path, without the query (what routes and policies see; = `view.path`). */
  path = "";
  /** Raw query string, `""` or `"?..."`. */
  query = "";
  /** What the header scan of `request_filter` found (framing of the body). */
  scan: HeaderScan | undefined = undefined;
  /**
   * Body limit, bytes (-1: none): the smallest of the policies that ran while `request_filter`
   * runs its chain, then the one in force (see `settleBodyLimit` in phases.ts).
   */
  maxBodyBytes = -1;
  /** The policy that refused or answered the request, `null` when none did. */
  deniedBy: PolicyInstance | null = null;
  /** A policy's own answer (CORS preflight), sent instead of proxying. */
  directResponse: DirectResponse | null = null;
  /** Response header additions from policies that allowed the request, applied in order. */
  responseEdits: Readonly<Record<string, string>>[] | null = null;
  /** Path sent upstream (after `strip_prefix`). */
  upstreamPath = "";
  /** The prefix `strip_prefix` removed, `""` if none. */
  strippedPrefix = "";
  route: CompiledRoute | undefined = undefined;
  /** The upstream a `canary` policy chose instead of the route's, `null` for the route's own. */
  upstreamChoice: RouteUpstream | null = null;
  /** The mirror that sampled this request (`mirror` policy), `null` when none did. */
  mirror: MirrorSender | null = null;
  /** The shadow copy of this request in progress, `null` when none. */
  shadow: ShadowRun | null = null;
  /** The target of the current upstream attempt. */
  target: CompiledTarget | undefined = undefined;
  /** The balancer counts this request on `target` and no attempt took the release over. */
  targetHeld = false;
  /** Hash of the balancing key (ring hash), or -1. */
  hashKey = -1;
  /** Path and query sent upstream (set by `upstream_request_filter`). */
  forwardPath = "";
  /** Upstream request headers (set by `upstream_request_filter`). */
  upstreamHeaders: OutgoingHeaders = NO_HEADERS;
  /** The body stream to forward (set by `request_body_filter`), or `null`. */
  forwardBody: Readable | null = null;
  /** The protocol a WebSocket request upgrades to (`websocket`), or `null`. */
  upgrade: string | null = null;
  /** Bytes the client sent after its upgrade request (the first frames), for the upstream. */
  upgradeHead: Buffer | null = null;
  /** The connection became a tunnel (101 sent). */
  upgraded = false;
  /** The client sent `Expect: 100-continue`: `100 Continue` is sent once the request may go on. */
  expectContinue = false;
  /** Header edits from policies, applied in order. */
  edits: HeaderEdits[] | null = null;
  /** The consumer the request authenticated as (first authentication policy that resolved one). */
  consumer: ConsumerRef | null = null;
  /** Authentication methods that accepted the request, in route order (`jwt`, `api-key`, …). */
  authMethods: string[] | null = null;
  upstreamStatus = 0;
  /** Set by fail_to_proxy. */
  errorCode: ErrorCode | undefined = undefined;
  /** A security event was emitted for this request's refusal (fail_to_proxy then emits none). */
  eventEmitted = false;
  #controller: Dispatcher.DispatchController | null = null;
  #upstreamDone = false;
  #clientClosed = false;

  constructor(
    req: DownstreamRequest,
    res: DownstreamResponse,
    table: RuntimeTable | undefined,
    services: ProxyServices,
  ) {
    this.req = req;
    this.res = res;
    this.table = table;
    this.services = services;
    const h = req.headers;
    this.requestId = requestIdFrom(h["x-request-id"]);
    this.startedAt = performance.now();
    if (res.h2) {
      this.tls = true;
      this.host = (h[":authority"] as string | undefined) ?? h.host;
    } else {
      this.tls = (req.socket as TLSSocket).encrypted === true;
      this.host = h.host;
    }
    res.exchange = this;
    // `on`, not `once`: a response closes once, and `once` would allocate a wrapper per request.
    res.on("close", onResponseClose);
  }

  get method(): string {
    return this.req.method ?? "GET";
  }

  get headers(): IncomingHttpHeaders {
    return this.req.headers;
  }

  get rawHeaders(): readonly string[] {
    return this.req.rawHeaders;
  }

  /** Id of the matched route (`""` before routing). */
  get routeId(): string {
    return this.route?.id ?? "";
  }

  /**
   * The client connection. HTTP/2: the session's socket (one object per connection, unlike each
   * stream's `req.socket`), so per-connection verdicts such as the mtls policy's are reused.
   */
  get socket(): PolicyRequest["socket"] {
    const req = this.req;
    if (this.res.h2) {
      const session = (req as Http2ServerRequest).stream.session;
      if (session !== undefined) return session.socket as PolicyRequest["socket"];
    }
    return req.socket as PolicyRequest["socket"];
  }

  // --- UpstreamCall (valid once a route matched) -----------------------------------------------

  /** The route's upstream, or the one its `canary` policy chose. */
  get upstream(): CompiledUpstream {
    const c = this.upstreamChoice;
    return c === null ? this.route!.upstream : c.upstream;
  }

  get timeouts(): TimeoutsMs {
    const c = this.upstreamChoice;
    return c === null ? this.route!.timeouts : c.timeouts;
  }

  get poolSpecs(): readonly PoolSpec[] | null {
    const c = this.upstreamChoice;
    return c === null ? this.route!.poolSpecs : c.poolSpecs;
  }

  get preserveHost(): boolean {
    return this.route!.preserveHost;
  }

  get pools(): PoolManager {
    return this.services.pools;
  }

  /** True once the client connection is gone: nothing more is sent. */
  get clientClosed(): boolean {
    return this.#clientClosed;
  }

  /** The response closed (finished or aborted): abort the upstream exchange if still running, then log. */
  onClientClose(): void {
    this.#clientClosed = true;
    if (!this.#upstreamDone && this.#controller !== null)
      this.#controller.abort(new ClientClosedError("client closed"));
    this.res.exchange = null;
    logging(this);
  }

  /** The client drained its buffer: read from the upstream again. */
  resumeUpstream(): void {
    this.#controller?.resume();
  }

  // --- undici DispatchHandler --------------------------------------------------------------

  onRequestStart(controller: Dispatcher.DispatchController, _context: unknown): void {
    this.#controller = controller;
    if (this.#clientClosed) controller.abort(new ClientClosedError("client closed"));
  }

  /**
   * The upstream switched protocols (101): the same `response_filter` runs on its headers, the
   * 101 goes to the client, and the two sockets are joined. Logging runs when the tunnel closes.
   */
  onRequestUpgrade(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: HeaderValues,
    upstream: Duplex,
  ): void {
    this.#upstreamDone = true;
    this.#controller = null;
    const res = this.res as ProxyResponse;
    const client = res.socket;
    if (this.#clientClosed || client === null || client.destroyed) {
      upstream.destroy();
      return;
    }
    let head: string;
    try {
      head = switchingProtocolsHead(responseFilter(this, headers), this.upgrade ?? "websocket");
    } catch (err) {
      upstream.destroy();
      failToProxy(this, new Failure("UPSTREAM_BAD_RESPONSE", null, err));
      return;
    }
    this.upstreamStatus = statusCode;
    this.upgraded = true;
    // The response object lets go of the socket: from here on it carries WebSocket frames.
    res.exchange = null;
    res.off("close", onResponseClose);
    res.detachSocket(client);
    this.services.tunnelOpened(client);
    client.write(head);
    tunnel(client, upstream, this.upgradeHead, () => this.onClientClose());
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: HeaderValues,
    _statusMessage?: string,
  ): void {
    if (statusCode < 200) return; // 1xx interim responses are not relayed
    this.upstreamStatus = statusCode;
    if (this.shadow !== null) this.shadow.primaryResponse(statusCode);
    try {
      this.res.writeHead(statusCode, responseFilter(this, headers));
    } catch (err) {
      // node refused a header name or value: the response is unusable. Drop the headers set so
      // far so that none of the upstream's leaks into the error answer.
      for (const name of this.res.getHeaderNames()) this.res.removeHeader(name);
      failToProxy(this, new Failure("UPSTREAM_BAD_RESPONSE", null, err));
      controller.abort(err as Error);
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    // Writing to an ended response would emit an unhandled 'error': stop the upstream instead.
    if (this.res.writableEnded || this.res.gone) {
      controller.abort(new ClientClosedError("response already closed"));
      return;
    }
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once("drain", onResponseDrain);
    }
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, _trailers: HeaderValues): void {
    this.#upstreamDone = true;
    this.#controller = null;
    this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, err: Error): void {
    this.#upstreamDone = true;
    this.#controller = null;
    if (this.#clientClosed) return; // we aborted it; logging already ran
    if (err instanceof BodyTooLargeError) {
      failToProxy(this, new Failure("PAYLOAD_TOO_LARGE", null, "body_too_large"));
      return;
    }
    failToProxy(this, new Failure(classifyUpstreamError(err), null, err));
  }
}
