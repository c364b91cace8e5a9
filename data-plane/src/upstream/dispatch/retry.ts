import type { Duplex } from "node:stream";
import type { Dispatcher } from "undici";
import type { CompiledUpstream } from "../../config/runtime-table.js";
import type { HeaderValues } from "../../http/headers.js";
import { classifyUpstreamError } from "../upstream-errors.js";
import type { RetrySettings } from "../upstream-settings.js";
import type { AttemptController } from "./attempt.js";
import {
  type UpstreamCall,
  UpstreamClientError,
  type UpstreamDispatch,
  type UpstreamInterceptor,
} from "./upstream-call.js";

/** Idempotent methods (RFC 9110 §9.2.2): sending them twice has the effect of sending them once. */
const IDEMPOTENT: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);

/** Abort reason of an attempt whose answer is dropped to try again. */
const DISCARDED = new UpstreamClientError("PALISADE_RETRY", "attempt discarded for a retry");

/** First backoff when a retry must go back to the same target, ms (Envoy's 25 ms base). */
const BACKOFF_BASE_MS = 25;
const BACKOFF_MAX_MS = 250;

/**
 * Retries (Envoy's retry policy, nginx's `proxy_next_upstream`), at most `maxRetries` times, each
 * on another target when there is one (the failed one is excluded from the pick; jittered
 * backoff when it cannot be avoided):
 * - the request never left (connect refused, connect timeout, TLS or DNS failure) — any method,
 *   since the upstream cannot have acted on it and the body is still unread;
 * - after it was sent, only an idempotent request (RFC 9110 §9.2.2) without a body (a streamed
 *   body cannot be replayed): on a reset or closed connection before the response, or on a
 *   status listed in `onStatuses`. A POST that reached the upstream is never repeated.
 * Never after the response started reaching the client, never on a header timeout (a slow
 * upstream is not hammered). Retries are budgeted: retries in flight stay under
 * max(`minConcurrent`, `budgetPercent`% of the upstream's requests in flight), so a failing
 * upstream does not get its load multiplied.
 */
export function retry(settings: RetrySettings): UpstreamInterceptor {
  return (next) => (call, handler) => {
    new RetryHandler(call, next, handler, settings).start();
  };
}

function retryLater(h: RetryHandler): void {
  h.attempt();
}

/**
 * Stands between the caller and the attempts: the caller sees one controller and one response
 * for the whole sequence of attempts.
 */
class RetryHandler implements Dispatcher.DispatchController, Dispatcher.DispatchHandler {
  readonly #call: UpstreamCall;
  readonly #next: UpstreamDispatch;
  readonly #handler: Dispatcher.DispatchHandler;
  readonly #settings: RetrySettings;
  #attempt: AttemptController | null = null;
  #retries = 0;
  /** The current attempt is a retry (counted in the upstream's retries in flight). */
  #inRetry = false;
  /** The response started reaching the caller: no more retries. */
  #responded = false;
  /** The current attempt's answer is being dropped (a retried status). */
  #discarding = false;
  #timer: NodeJS.Timeout | undefined;
  #aborted = false;
  #paused = false;
  #reason: Error | null = null;
  #done = false;

  constructor(
    call: UpstreamCall,
    next: UpstreamDispatch,
    handler: Dispatcher.DispatchHandler,
    settings: RetrySettings,
  ) {
    this.#call = call;
    this.#next = next;
    this.#handler = handler;
    this.#settings = settings;
  }

  start(): void {
    this.#handler.onRequestStart?.(this, null);
    if (this.#aborted) {
      this.#fail(this.#reason!);
      return;
    }
    this.attempt();
  }

  /** Sends the current target an attempt. */
  attempt(): void {
    this.#timer = undefined;
    if (this.#aborted) {
      this.#fail(this.#reason!);
      return;
    }
    this.#discarding = false;
    this.#next(this.#call, this);
  }

  // --- controller towards the caller ---------------------------------------------------------

  get aborted(): boolean {
    return this.#aborted;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get reason(): Error | null {
    return this.#reason;
  }

  abort(reason: Error): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    if (this.#timer !== undefined) {
      // Between two attempts: nothing in flight to abort.
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#fail(reason);
      return;
    }
    this.#attempt?.abort(reason);
  }

  pause(): void {
    this.#paused = true;
    this.#attempt?.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#attempt?.resume();
  }

  // --- handler of each attempt ---------------------------------------------------------------

  onRequestStart(controller: Dispatcher.DispatchController, _context: unknown): void {
    this.#attempt = controller as AttemptController;
    if (this.#aborted) controller.abort(this.#reason!);
    else if (this.#paused) controller.pause();
  }

  onRequestUpgrade(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: HeaderValues,
    socket: Duplex,
  ): void {
    this.#endAttempt();
    this.#responded = true;
    this.#done = true;
    this.#handler.onRequestUpgrade?.(this, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: HeaderValues,
    statusMessage?: string,
  ): void {
    if (statusCode >= 200 && this.#settings.onStatuses.has(statusCode) && this.#mayRetry(true)) {
      this.#discarding = true;
      controller.abort(DISCARDED);
      return;
    }
    if (statusCode >= 200) this.#responded = true;
    this.#handler.onResponseStart?.(this, statusCode, headers, statusMessage);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#discarding) return;
    this.#handler.onResponseData?.(this, chunk);
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, trailers: HeaderValues): void {
    if (this.#discarding) return;
    this.#endAttempt();
    this.#done = true;
    this.#handler.onResponseEnd?.(this, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, err: Error): void {
    const attempt = controller as AttemptController;
    this.#endAttempt();
    if (this.#discarding) {
      this.#retry();
      return;
    }
    if (!this.#responded && !this.#aborted && this.#retriable(attempt, err)) {
      this.#retry();
      return;
    }
    this.#fail(err);
  }

  // --- decisions -------------------------------------------------------------------------------

  #retriable(attempt: AttemptController, err: Error): boolean {
    if (!attempt.sent) return classifyUpstreamError(err) !== "UPSTREAM_OVERLOADED" && this.#mayRetry(false);
    return classifyUpstreamError(err) === "UPSTREAM_UNAVAILABLE" && this.#mayRetry(true);
  }

  /** Retries left, budget left, and (after a send) an idempotent method without a body. */
  #mayRetry(sent: boolean): boolean {
    const call = this.#call;
    if (this.#retries >= this.#settings.maxRetries) return false;
    if (sent && (call.forwardBody !== null || !IDEMPOTENT.has(call.method))) return false;
    const counters = call.upstream.counters;
    const budget = Math.max(this.#settings.minConcurrent, (counters.active * this.#settings.budgetPercent) / 100);
    return counters.retries < budget;
  }

  #retry(): void {
    const call = this.#call;
    const upstream: CompiledUpstream = call.upstream;
    const failed = call.target!.index;
    this.#retries++;
    this.#inRetry = true;
    upstream.counters.retries++;
    upstream.counters.retried++;
    const index = upstream.balancer.pick(call.hashKey, failed);
    const target = upstream.targets[index]!;
    call.target = target;
    call.targetHeld = true;
    if (!call.preserveHost) call.upstreamHeaders.host = target.hostHeader;
    if (index !== failed) {
      this.attempt();
      return;
    }
    // Nowhere else to go: back off (full jitter) before asking the same target again.
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (this.#retries - 1));
    this.#timer = setTimeout(retryLater, Math.random() * cap, this);
  }

  #endAttempt(): void {
    this.#attempt = null;
    if (this.#inRetry) {
      this.#inRetry = false;
      this.#call.upstream.counters.retries--;
    }
  }

  #fail(err: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#handler.onResponseError?.(this, err);
  }
}
