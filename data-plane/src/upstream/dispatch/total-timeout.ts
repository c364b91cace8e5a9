import type { Duplex } from "node:stream";
import type { Dispatcher } from "undici";
import type { HeaderValues } from "../../http/headers.js";
import { ForwardingHandler, UpstreamClientError, type UpstreamInterceptor } from "./upstream-call.js";

/**
 * Total timeout (Envoy's route timeout): the whole exchange — connecting, every retry, the
 * response body — must end within the route's `total_ms`, or it is aborted with
 * `UND_ERR_TOTAL_TIMEOUT` (504 before the response started, a cut connection after). A call
 * whose timeouts have no total passes through without a handler.
 */
export function totalTimeout(): UpstreamInterceptor {
  return (next) => (call, handler) => {
    const ms = call.timeouts.totalMs;
    if (ms === 0) {
      next(call, handler);
      return;
    }
    next(call, new TotalTimeoutHandler(handler, ms));
  };
}

function onTimeout(h: TotalTimeoutHandler): void {
  h.expire();
}

class TotalTimeoutHandler extends ForwardingHandler {
  #controller: Dispatcher.DispatchController | null = null;
  #timer: NodeJS.Timeout | undefined;
  #expired = false;

  constructor(next: Dispatcher.DispatchHandler, ms: number) {
    super(next);
    this.#timer = setTimeout(onTimeout, ms, this);
  }

  expire(): void {
    this.#timer = undefined;
    this.#expired = true;
    this.#controller?.abort(new UpstreamClientError("UND_ERR_TOTAL_TIMEOUT", "total upstream timeout"));
  }

  override onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#controller = controller;
    if (this.#expired) controller.abort(new UpstreamClientError("UND_ERR_TOTAL_TIMEOUT", "total upstream timeout"));
    this.next.onRequestStart?.(controller, context);
  }

  override onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: HeaderValues,
    socket: Duplex,
  ): void {
    clearTimeout(this.#timer);
    this.next.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  override onResponseEnd(controller: Dispatcher.DispatchController, trailers: HeaderValues): void {
    clearTimeout(this.#timer);
    this.next.onResponseEnd?.(controller, trailers);
  }

  override onResponseError(controller: Dispatcher.DispatchController, err: Error): void {
    clearTimeout(this.#timer);
    this.next.onResponseError?.(controller, err);
  }
}
