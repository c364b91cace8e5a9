import { type IncomingHttpHeaders, type IncomingMessage, ServerResponse } from "node:http";
import type { Dispatcher } from "undici";
import type { CompiledRoute, CompiledTarget, RuntimeTable } from "../config/runtime-table.js";
import { type ErrorCode, Failure } from "../errors.js";
import type { SecurityEvents } from "../events/security-events.js";
import type { Logger } from "../log.js";
import type { ConsumerRef, DirectResponse, HeaderEdits, PolicyInstance, PolicyRequest } from "../policies/types.js";
import type { TrustedProxies } from "../request/client-address.js";
import type { HeaderScan } from "../request/framing.js";
import { type RequestView, requestView } from "../request/request-view.js";
import type { PoolManager } from "../upstream/pool-manager.js";
import { classifyUpstreamError } from "../upstream/upstream-errors.js";
import { BodyTooLargeError } from "./body-limit.js";
import type { HeaderValues } from "./hop-by-hop.js";
import { failToProxy, logging, responseFilter } from "./phases.js";
import { requestIdFrom } from "./request-id.js";

/** What every exchange of one proxy server shares. */
export interface ProxyServices {
  readonly log: Logger;
  readonly pools: PoolManager;
  /** True once the server drains for shutdown: responses then carry `Connection: close`. */
  readonly closing: boolean;
  /** The node's security event channel (every refusal is emitted here). */
  readonly events: SecurityEvents;
  /** Trusted proxies for the client address, `null` when none are configured. */
  readonly trustedProxies: TrustedProxies | null;
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

/** The node:http response class of the proxy server: it carries its exchange. */
export class ProxyResponse extends ServerResponse<IncomingMessage> {
  exchange: Exchange | null = null;
}

class ClientClosedError extends Error {
  override readonly name = "ClientClosedError";
  readonly code = "CLIENT_CLOSED";
}

// Module-level listeners (`this` is the response): no closure per request.
function onResponseClose(this: ProxyResponse): void {
  this.exchange?.onClientClose();
}
function onResponseDrain(this: ProxyResponse): void {
  this.exchange?.resumeUpstream();
}

/**
 * One request's state through the phases, and the undici dispatch handler of its upstream
 * exchange: response headers go through `response_filter` then to the client, body chunks are
 * written as they come with backpressure (the upstream read pauses while the client is slow),
 * and upstream errors go to `fail_to_proxy`.
 */
export class Exchange implements PolicyRequest, Dispatcher.DispatchHandler {
  readonly req: IncomingMessage;
  readonly res: ProxyResponse;
  readonly services: ProxyServices;
  /** The table this request runs on, read once at the start. */
  readonly table: RuntimeTable | undefined;
  readonly requestId: string;
  /** performance.now() at the start, in ms. */
  readonly startedAt: number;
  /** The canonical view, set once by `request_filter` (EMPTY_VIEW before, or when the request was refused first). */
  view: RequestView = EMPTY_VIEW;
  /** Canonical path, without the query (what routes and policies see; = `view.path`). */
  path = "";
  /** Raw query string, `""` or `"?..."`. */
  query = "";
  /** What the header scan of `request_filter` found (framing of the body). */
  scan: HeaderScan | undefined = undefined;
  /** The consumer an authentication policy resolved, `null` when none. */
  consumer: ConsumerRef | null = null;
  /** Smallest body limit of the policies that ran, bytes (-1: none). */
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
  target: CompiledTarget | undefined = undefined;
  /** Header edits from policies, applied in order. */
  edits: HeaderEdits[] | null = null;
  upstreamStatus = 0;
  /** Set by fail_to_proxy. */
  errorCode: ErrorCode | undefined = undefined;
  #controller: Dispatcher.DispatchController | null = null;
  #upstreamDone = false;
  #clientClosed = false;

  constructor(req: IncomingMessage, res: ProxyResponse, table: RuntimeTable | undefined, services: ProxyServices) {
    this.req = req;
    this.res = res;
    this.table = table;
    this.services = services;
    this.requestId = requestIdFrom(req.headers["x-request-id"]);
    this.startedAt = performance.now();
    res.exchange = this;
    res.once("close", onResponseClose);
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

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: HeaderValues,
    _statusMessage?: string,
  ): void {
    if (statusCode < 200) return; // 1xx interim responses are not relayed
    this.upstreamStatus = statusCode;
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
    if (this.res.writableEnded || this.res.destroyed) {
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
