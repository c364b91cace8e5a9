import type { Duplex } from "node:stream";
import type { Dispatcher } from "undici";
import type { HeaderValues } from "../../http/headers.js";
import type { BreakerSettings } from "../upstream-settings.js";
import {
  ForwardingHandler,
  UpstreamClientError,
  type UpstreamCounters,
  type UpstreamInterceptor,
} from "./upstream-call.js";

/**
 * The one error of an open breaker. Shared (it carries nothing per request), so shedding load
 * captures no stack trace per request.
 */
const OVERLOADED = new UpstreamClientError("PALISADE_UPSTREAM_OVERLOADED", "upstream circuit breaker open");

/**
 * Circuit breaker (Envoy's cluster circuit breakers): a request finds the upstream with
 * `maxRequests` requests in flight or `maxPending` attempts waiting for a connection and is
 * answered 503 `UPSTREAM_OVERLOADED` at once, instead of queueing behind a struggling service.
 * Counts live in the upstream's {@link UpstreamCounters}, shared across config versions.
 */
export function circuitBreaker(limits: BreakerSettings): UpstreamInterceptor {
  return (next) => (call, handler) => {
    const counters = call.upstream.counters;
    if (counters.active >= limits.maxRequests || counters.pending >= limits.maxPending) {
      counters.overflows++;
      handler.onResponseError?.(null as unknown as Dispatcher.DispatchController, OVERLOADED);
      return;
    }
    counters.active++;
    next(call, new BreakerHandler(handler, counters));
  };
}

/** Counts the request out when its exchange ends, however it ends. */
class BreakerHandler extends ForwardingHandler {
  readonly #counters: UpstreamCounters;
  #done = false;

  constructor(next: Dispatcher.DispatchHandler, counters: UpstreamCounters) {
    super(next);
    this.#counters = counters;
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#counters.active--;
  }

  override onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: HeaderValues,
    socket: Duplex,
  ): void {
    // The HTTP exchange is over; the tunnel that follows is not an upstream request.
    this.#finish();
    this.next.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  override onResponseEnd(controller: Dispatcher.DispatchController, trailers: HeaderValues): void {
    this.#finish();
    this.next.onResponseEnd?.(controller, trailers);
  }

  override onResponseError(controller: Dispatcher.DispatchController, err: Error): void {
    this.#finish();
    this.next.onResponseError?.(controller, err);
  }
}
