/**
 * The upstream client, composed like undici's interceptors (`lib/interceptor/`): a dispatch
 * function `(call, handler) => void` wrapped by interceptors `(next) => dispatch`. Each compiled
 * upstream builds its chain once at compile time, outermost first:
 *
 *     circuit breaker → total timeout → retry (budgeted) → attempt (one target) → undici Pool
 *
 * Per request, each layer that acts allocates one small handler object that forwards undici's
 * DispatchHandler callbacks to the next; no closure is made per request. Layers communicate
 * only through the {@link UpstreamCall} and the handler callbacks, never through the proxy loop.
 */
import type { Duplex, Readable } from "node:stream";
import type { Dispatcher } from "undici";
import type { CompiledTarget, CompiledUpstream } from "../../config/runtime-table.js";
import type { ForwardedFields } from "../../http/field-copy.js";
import type { HeaderValues, OutgoingHeaders } from "../../http/headers.js";
import type { RequestBody } from "../../http/request-body.js";
import type { PoolManager, PoolSpec } from "../pool-manager.js";
import type { TimeoutsMs } from "../timeouts.js";

/** What the upstream client needs of one proxied request (the Exchange implements it). */
export interface UpstreamCall {
  readonly method: string;
  /** Path and query sent upstream, origin form (`/a/b?x=1`). */
  readonly forwardPath: string;
  /** Upstream request headers; `host` is rewritten when a retry moves to another target. */
  readonly upstreamHeaders: OutgoingHeaders;
  /** The client's field lines forwarded byte for byte (the engine's raw copy), or `null`. */
  readonly forward: ForwardedFields | null;
  /** The request body (the engine's streaming body, or a stream), or `null` when there is none. */
  readonly forwardBody: RequestBody | Readable | null;
  readonly upstream: CompiledUpstream;
  /** The route's timeouts (its overrides over the upstream's). */
  readonly timeouts: TimeoutsMs;
  /** The route's pool specs per target index when it overrides the connect timeout, else `null`. */
  readonly poolSpecs: readonly PoolSpec[] | null;
  /** Keep the client's `Host` (route `preserve_host`): a retry does not rewrite it. */
  readonly preserveHost: boolean;
  /** Hash of the request's balancing key (ring hash), or -1. */
  readonly hashKey: number;
  /** The protocol to upgrade to (`websocket`), or `null` for a plain exchange. */
  readonly upgrade: string | null;
  /** The target of the current attempt. */
  target: CompiledTarget | undefined;
  /**
   * True while the balancer counts this call on `target` and no attempt took over the release
   * (the attempt layer releases when its exchange ends; `logging` releases what is left).
   */
  targetHeld: boolean;
  readonly pools: PoolManager;
}

/** Sends a call upstream; the outcome arrives on `handler` (errors too, never thrown). */
export type UpstreamDispatch = (call: UpstreamCall, handler: Dispatcher.DispatchHandler) => void;

/** Wraps a dispatch (undici interceptor shape). */
export type UpstreamInterceptor = (next: UpstreamDispatch) => UpstreamDispatch;

/** Builds `interceptors[0](interceptors[1](…(inner)))`: the first interceptor is the outermost. */
export function composeDispatch(
  inner: UpstreamDispatch,
  interceptors: readonly UpstreamInterceptor[],
): UpstreamDispatch {
  let d = inner;
  for (let i = interceptors.length - 1; i >= 0; i--) d = interceptors[i]!(d);
  return d;
}

/** In-flight counts of one upstream, shared by every table that has it (the breaker's and budget's input). */
export class UpstreamCounters {
  /** Requests inside the upstream client (from the breaker in, to the end of the response). */
  active = 0;
  /** Attempts dispatched to a pool and not yet written to a connection. */
  pending = 0;
  /** Retry attempts in flight. */
  retries = 0;
  /** Retries sent since the upstream appeared (cumulative: `palisade_upstream_retries_total`). */
  retried = 0;
  /** Requests the circuit breaker refused (cumulative: `palisade_upstream_circuit_breaker_overflows_total`). */
  overflows = 0;
  /** Targets ejected by outlier detection (cumulative: `palisade_upstream_outlier_ejections_total`). */
  ejections = 0;
  /** Active probes answered 2xx/3xx (cumulative: `palisade_upstream_health_checks_total`). */
  checksOk = 0;
  /** Active probes that failed: another status, a timeout, a connection failure (cumulative). */
  checksFailed = 0;
}

/**
 * Forwards every DispatchHandler callback to `next`: the base of the interceptors' handlers
 * (undici's DecoratorHandler).
 */
export class ForwardingHandler implements Dispatcher.DispatchHandler {
  protected readonly next: Dispatcher.DispatchHandler;

  constructor(next: Dispatcher.DispatchHandler) {
    this.next = next;
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.next.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: HeaderValues,
    socket: Duplex,
  ): void {
    this.next.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: HeaderValues,
    statusMessage?: string,
  ): void {
    this.next.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.next.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: HeaderValues): void {
    this.next.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, err: Error): void {
    this.next.onResponseError?.(controller, err);
  }
}

/** A typed error of the upstream client, with the registry code it maps to. */
export class UpstreamClientError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "UpstreamClientError";
    this.code = code;
  }
}
