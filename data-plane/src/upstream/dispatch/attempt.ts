import type { Duplex } from "node:stream";
import type { Dispatcher } from "undici";
import type { CompiledTarget } from "../../config/runtime-table.js";
import type { HeaderValues } from "../../http/headers.js";
import { isLocalAbort } from "../upstream-errors.js";
import type { UpstreamCall, UpstreamDispatch } from "./upstream-call.js";

/** The controller an attempt gives the layers above it: undici's, plus whether the request went out. */
export interface AttemptController extends Dispatcher.DispatchController {
  /**
   * True once undici began writing the request to a connection: from then on the upstream may
   * have acted on it. False means it never left (e.g. the connection could not be made).
   */
  readonly sent: boolean;
}

/**
 * The innermost layer: one exchange with `call.target` through its pool (http/client-pool.ts). It takes over
 * the balancer slot of the target (released when the exchange ends), counts the attempt as
 * pending until the pool writes it, passes the route's header and body timeouts, and feeds passive
 * outlier detection: a status ≥ 500, a reset or a timeout is a gateway failure, a connection
 * that cannot be made is a connect failure, any other answer is a success. Aborts by the layers
 * above (client gone, total timeout) count as neither.
 *
 * The layers above get this attempt's controller at once (before undici connects), so an abort
 * is never lost while the request waits for a connection.
 */
export const dispatchAttempt: UpstreamDispatch = (call, handler) => {
  const target = call.target!;
  call.targetHeld = false;
  const a = new Attempt(call, target, handler);
  handler.onRequestStart?.(a, null);
  if (a.aborted) a.finishEarly();
  else a.dispatch();
};

class Attempt implements AttemptController, Dispatcher.DispatchHandler {
  readonly #call: UpstreamCall;
  readonly #target: CompiledTarget;
  readonly #next: Dispatcher.DispatchHandler;
  #real: Dispatcher.DispatchController | null = null;
  #sent = false;
  /** Dispatched to the pool and not yet written to a connection. */
  #pending = false;
  #aborted = false;
  #paused = false;
  #reason: Error | null = null;
  /** Outcome delivered to the layer above (end or error): later undici callbacks are dropped. */
  #finished = false;
  #released = false;
  #recorded = false;

  constructor(call: UpstreamCall, target: CompiledTarget, next: Dispatcher.DispatchHandler) {
    this.#call = call;
    this.#target = target;
    this.#next = next;
  }

  // --- controller towards the layers above ---------------------------------------------------

  get sent(): boolean {
    return this.#sent;
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

  abort(reason: Error): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    if (this.#real !== null) {
      this.#real.abort(reason);
      return;
    }
    // Still waiting for a connection: undici has no handle to cancel it yet. Finish now for the
    // layers above; the queued request is aborted when undici reaches it (onRequestStart).
    if (this.#pending) this.finishEarly();
  }

  pause(): void {
    this.#paused = true;
    this.#real?.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#real?.resume();
  }

  /** Hands the request to the target's pool. */
  dispatch(): void {
    const call = this.#call;
    const target = this.#target;
    const spec = call.poolSpecs === null ? target.pool : call.poolSpecs[target.index]!;
    this.#pending = true;
    call.upstream.counters.pending++;
    call.pools.get(spec).dispatch(
      {
        path: call.forwardPath,
        method: call.method,
        headers: call.upstreamHeaders,
        forward: call.forward,
        body: call.forwardBody,
        headersTimeout: call.timeouts.headerMs,
        bodyTimeout: call.timeouts.bodyMs,
        upgrade: call.upgrade,
        // The handler gets the engine's lazy response head: no header object is built.
        responseHead: true,
      },
      this,
    );
  }

  /** Ends the attempt for the layers above with the abort reason, before undici answered. */
  finishEarly(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#release();
    this.#next.onResponseError?.(this, this.#reason!);
  }

  // --- undici handler --------------------------------------------------------------------------

  onRequestStart(controller: Dispatcher.DispatchController, _context: unknown): void {
    this.#real = controller;
    this.#sent = true;
    this.#unpend();
    if (this.#aborted) controller.abort(this.#reason!);
    else if (this.#paused) controller.pause();
  }

  onRequestUpgrade(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: HeaderValues,
    socket: Duplex,
  ): void {
    if (this.#finished) {
      socket.destroy();
      return;
    }
    this.#finished = true;
    this.#recorded = true;
    this.#target.health.recordSuccess();
    this.#release();
    this.#next.onRequestUpgrade?.(this, statusCode, headers, socket);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: HeaderValues,
    statusMessage?: string,
  ): void {
    if (this.#finished) return;
    if (statusCode >= 200 && !this.#recorded) {
      this.#recorded = true;
      if (statusCode >= 500) this.#target.health.recordFailure("gateway", this.#call.upstream.health);
      else this.#target.health.recordSuccess();
    }
    this.#next.onResponseStart?.(this, statusCode, headers, statusMessage);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#finished) return;
    this.#next.onResponseData?.(this, chunk);
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, trailers: HeaderValues): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#release();
    this.#next.onResponseEnd?.(this, trailers);
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, err: Error): void {
    this.#unpend();
    if (this.#finished) return;
    this.#finished = true;
    this.#release();
    if (!this.#recorded && !this.#aborted && !isLocalAbort(err)) {
      this.#recorded = true;
      this.#target.health.recordFailure(this.#sent ? "gateway" : "connect", this.#call.upstream.health);
    }
    this.#next.onResponseError?.(this, err);
  }

  #unpend(): void {
    if (this.#pending) {
      this.#pending = false;
      this.#call.upstream.counters.pending--;
    }
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#call.upstream.balancer.release(this.#target.index);
  }
}
