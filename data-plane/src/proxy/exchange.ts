import { type IncomingHttpHeaders, type IncomingMessage, ServerResponse } from "node:http";
import type { Dispatcher } from "undici";
import type { CompiledRoute, CompiledTarget, RuntimeTable } from "../config/runtime-table.js";
import { type ErrorCode, Failure } from "../errors.js";
import type { SecurityEvents } from "../events/security-events.js";
import type { Logger } from "../log.js";
import type { ConsumerRef, HeaderEdits, PolicyRequest } from "../policies/types.js";
import type { TrafficStats } from "../telemetry/traffic-stats.js";
import type { PoolManager } from "../upstream/pool-manager.js";
import { classifyUpstreamError } from "../upstream/upstream-errors.js";
import type { HeaderValues } from "./hop-by-hop.js";
import { failToProxy, logging, responseFilter } from "./phases.js";
import { requestIdFrom } from "./request-id.js";

/** What every exchange of one proxy server shares. */
export interface ProxyServices {
  readonly log: Logger;
  readonly pools: PoolManager;
  /** True once the server drains for shutdown: responses then carry `Connection: close`. */
  readonly closing: boolean;
  /** The node's security event channel (policy refusals are emitted here). */
  readonly events: SecurityEvents;
  /** Traffic counters fed by the `logging` phase (optional: tests without telemetry). */
  readonly stats?: TrafficStats | undefined;
}

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
  /** Normalized path, without the query (what routes and policies see). */
  path = "";
  /** Raw query string, `""` or `"?..."`. */
  query = "";
  /** Path sent upstream (after `strip_prefix`). */
  upstreamPath = "";
  /** The prefix `strip_prefix` removed, `""` if none. */
  strippedPrefix = "";
  route: CompiledRoute | undefined = undefined;
  target: CompiledTarget | undefined = undefined;
  /** Header edits from policies, applied in order. */
  edits: HeaderEdits[] | null = null;
  /** The consumer the request authenticated as (first authentication policy that resolved one). */
  consumer: ConsumerRef | null = null;
  /** Authentication methods that accepted the request, in route order (`jwt`, `api-key`, …). */
  authMethods: string[] | null = null;
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

  get socket(): PolicyRequest["socket"] {
    return this.req.socket as PolicyRequest["socket"];
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
    failToProxy(this, new Failure(classifyUpstreamError(err), null, err));
  }
}
