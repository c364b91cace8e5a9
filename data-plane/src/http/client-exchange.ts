import type { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import type { ForwardedFields } from "./field-copy.js";
import type { OutgoingHeaders } from "./headers.js";
import type { RequestBody } from "./request-body.js";

/**
 * One upstream request, in the shape undici's `dispatch` takes (the subset the proxy's upstream
 * client uses: upstream/dispatch/attempt.ts), plus the engine's own fast paths.
 */
export interface ClientRequestOptions {
  /** origin-form target, `/path?query`. */
  readonly path: string;
  readonly method: string;
  /** Header fields, lower-case names (`host` included). A `content-length` declares the body length. */
  readonly headers?: OutgoingHeaders | null;
  /** Lines of the client's head copied byte for byte (engine only; see field-copy.ts). */
  readonly forward?: ForwardedFields | null;
  /** The body: the engine's streaming request body, a node Readable, or bytes. */
  readonly body?: RequestBody | Readable | Buffer | string | null;
  /** Time from the request written to the end of the response head, ms (0/absent: none). */
  readonly headersTimeout?: number | null;
  /** Longest silence between two pieces of the response body, ms (0/absent: none). */
  readonly bodyTimeout?: number | null;
  /** The protocol to upgrade to (`websocket`), or `null`. */
  readonly upgrade?: string | null;
  /**
   * Give the handler's `onResponseStart` the engine's lazy {@link ResponseHead} (cast from its
   * `headers` parameter) instead of a header object: an engine-aware handler builds nothing.
   */
  readonly responseHead?: boolean;
}

/** What a request needs of the pool and connection that carry it. */
export interface ExchangeCarrier {
  /** The exchange was aborted by its handler's side. */
  abortExchange(ex: ClientExchange, reason: Error): void;
  /** The handler paused or resumed reading the response. */
  flowChanged(ex: ClientExchange): void;
}

/**
 * One upstream exchange as its handler sees it: the undici `DispatchController` (abort, pause,
 * resume) the handler gets in `onRequestStart`, and the one place the handler's outcome
 * callbacks are called from — each outcome (end, upgrade or error) at most once.
 */
export class ClientExchange implements Dispatcher.DispatchController {
  readonly opts: ClientRequestOptions;
  readonly handler: Dispatcher.DispatchHandler;
  /** The pool (while queued) or the connection (once carried). */
  carrier: ExchangeCarrier;
  #aborted = false;
  #paused = false;
  #reason: Error | null = null;
  #done = false;

  constructor(opts: ClientRequestOptions, handler: Dispatcher.DispatchHandler, carrier: ExchangeCarrier) {
    this.opts = opts;
    this.handler = handler;
    this.carrier = carrier;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get reason(): Error | null {
    return this.#reason;
  }

  /** An outcome was delivered: nothing more goes to the handler. */
  get done(): boolean {
    return this.#done;
  }

  abort(reason: Error): void {
    if (this.#aborted || this.#done) return;
    this.#aborted = true;
    this.#reason = reason;
    this.carrier.abortExchange(this, reason);
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.carrier.flowChanged(this);
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.carrier.flowChanged(this);
  }

  /** The request is about to be written: tells the handler. @returns false when it aborted meanwhile */
  started(): boolean {
    this.handler.onRequestStart?.(this, null);
    return !this.#aborted;
  }

  /** Ends the exchange with an error (once). */
  fail(err: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.handler.onResponseError?.(this, err);
  }

  /** Marks the outcome delivered (the connection called end or upgrade itself). */
  settle(): boolean {
    if (this.#done) return false;
    this.#done = true;
    return true;
  }
}
