import { Readable } from "node:stream";
import type { BodySink } from "./body-decoder.js";
import type { FieldList } from "./field-list.js";
import { HttpRequestError } from "./http-error.js";

/** Receives a request body as it streams in. */
export interface RequestBodySink extends BodySink {
  /** The body ended; `trailers` holds the trailer fields of a chunked body (empty when none). */
  onBodyEnd(trailers: FieldList): void;
  /** The body cannot complete: a framing error, its limit, the client left, a timeout. */
  onBodyError(err: HttpRequestError): void;
}

/** What a request body needs of its connection. */
export interface BodyOwner {
  /** The consumer started or resumed: decode what is buffered, read the socket again. */
  bodyFlowing(body: RequestBody): void;
  /** The consumer will start reading: answer `100 Continue` first if the client waits for it. */
  bodyStarting(body: RequestBody): void;
}

const DROP: RequestBodySink = {
  onBodyData: () => true,
  onBodyEnd: () => {},
  onBodyError: () => {},
};

const TOO_LARGE = new HttpRequestError("PAYLOAD_TOO_LARGE", "body_too_large", true);

/**
 * The body of one request, pushed by the connection as it decodes it, pulled at the pace of its
 * one consumer. Nothing is read before {@link start} (so `100 Continue` is sent only once the
 * request may go on, RFC 9110 §10.1.1, and a refused request's body is never forwarded); when
 * the consumer's `onBodyData` returns false, decoding stops and the socket is paused until
 * {@link resume}. Chunks are views of the received bytes, passed on without copies.
 */
export class RequestBody implements BodySink {
  /** The declared Content-Length, `null` for a chunked body. */
  readonly declaredLength: number | null;
  readonly #owner: BodyOwner;
  #sink: RequestBodySink | null = null;
  #paused = false;
  #limit = -1;
  #received = 0;
  #ended = false;
  #error: HttpRequestError | null = null;
  /** Bytes read ahead by {@link peek}, delivered to the consumer first; `null` when none were. */
  #held: Buffer[] | null = null;
  #heldTrailers: FieldList | null = null;

  constructor(owner: BodyOwner, declaredLength: number | null) {
    this.#owner = owner;
    this.declaredLength = declaredLength;
  }

  /** Body bytes received so far. */
  get received(): number {
    return this.#received;
  }

  /** The whole body was received. */
  get complete(): boolean {
    return this.#ended;
  }

  /** Why the body failed, `null` while it has not. */
  get error(): HttpRequestError | null {
    return this.#error;
  }

  /** A consumer started reading (or the body is being dropped). */
  get started(): boolean {
    return this.#sink !== null;
  }

  /** The connection may decode into this body now. */
  get flowing(): boolean {
    return this.#sink !== null && !this.#paused && !this.#ended && this.#error === null;
  }

  /**
   * Caps the body at `maxBytes`: the chunk that crosses it is not passed on and the body fails
   * with 413 `PAYLOAD_TOO_LARGE` (`body_too_large`). A declared Content-Length over the cap is the
   * caller's to refuse before starting.
   */
  setLimit(maxBytes: number): void {
    this.#limit = maxBytes;
  }

  /**
   * Starts delivering to `sink` (one consumer per body). After {@link peek}, the bytes read ahead
   * come first (in one go: they are bounded by the peek), then the rest as it arrives.
   */
  start(sink: RequestBodySink): void {
    const held = this.#held;
    if (held !== null) {
      this.#held = null;
      this.#sink = sink;
      if (this.#error !== null) {
        sink.onBodyError(this.#error);
        return;
      }
      for (let i = 0; i < held.length; i++) sink.onBodyData(held[i]!);
      if (this.#ended) {
        sink.onBodyEnd(this.#heldTrailers!);
        return;
      }
      this.resume();
      return;
    }
    if (this.#sink !== null) throw new Error("request body already started");
    this.#owner.bodyStarting(this);
    this.#sink = sink;
    if (this.#error !== null) {
      sink.onBodyError(this.#error);
      return;
    }
    this.#owner.bodyFlowing(this);
  }

  /**
   * Reads up to `maxBytes` of the body ahead, before its consumer starts (a policy inspects it
   * before any byte goes upstream): sends `100 Continue` if asked for, then calls `done` with
   * the bytes read and whether that was the whole body, and stops reading until {@link start}.
   * A body that fails meanwhile (framing, limit, the client left) never calls `done`: its
   * failure reaches the exchange's listener as any body's does.
   */
  peek(maxBytes: number, done: (body: Buffer, complete: boolean) => void): void {
    if (this.#sink !== null) throw new Error("request body already started");
    const held: Buffer[] = [];
    this.#held = held;
    let bytes = 0;
    let called = false;
    const finish = (complete: boolean) => {
      if (called) return;
      called = true;
      done(held.length === 1 ? held[0]! : Buffer.concat(held, bytes), complete);
    };
    this.#owner.bodyStarting(this);
    this.#sink = {
      onBodyData: (chunk) => {
        held.push(chunk);
        bytes += chunk.length;
        if (bytes < maxBytes) return true;
        this.#paused = true;
        finish(false);
        return false;
      },
      onBodyEnd: (trailers) => {
        this.#heldTrailers = trailers;
        finish(true);
      },
      onBodyError: () => {},
    };
    if (this.#error !== null || this.#ended) {
      if (this.#ended) finish(true);
      return;
    }
    this.#owner.bodyFlowing(this);
  }

  /** Reads and drops the body (a refused request whose connection should stay usable). */
  discard(): void {
    if (this.#sink === null) {
      this.#sink = DROP;
      this.#owner.bodyFlowing(this);
    } else {
      this.#sink = DROP;
      this.resume();
    }
  }

  /** Stops reading until {@link resume}. */
  pause(): void {
    this.#paused = true;
  }

  /** Reads again after {@link pause} or after `onBodyData` returned false. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#sink !== null) this.#owner.bodyFlowing(this);
  }

  /**
   * The body as a node Readable (for consumers built on streams); starts it. Errors become
   * `Error`s with a code (see {@link HttpRequestError.toError}).
   */
  toReadable(): Readable {
    const body = this;
    const readable = new Readable({
      read() {
        body.resume();
      },
    });
    this.start({
      onBodyData(chunk) {
        if (!readable.push(chunk)) body.pause();
        return true;
      },
      onBodyEnd() {
        readable.push(null);
      },
      onBodyError(err) {
        readable.destroy(err.toError());
      },
    });
    return readable;
  }

  // --- the connection's side -----------------------------------------------------------------

  /** Decoded body bytes (BodySink). @returns false when decoding must stop */
  onBodyData(data: Buffer): boolean {
    if (this.#error !== null) return false;
    this.#received += data.length;
    if (this.#limit >= 0 && this.#received > this.#limit) {
      this.fail(TOO_LARGE);
      return false;
    }
    const more = this.#sink!.onBodyData(data);
    if (!more) this.#paused = true;
    return more && !this.#paused;
  }

  /** The body ended. */
  end(trailers: FieldList): void {
    if (this.#ended || this.#error !== null) return;
    this.#ended = true;
    this.#sink?.onBodyEnd(trailers);
  }

  /** The body failed (framing, limit, client gone, timeout); told to the consumer once. */
  fail(err: HttpRequestError): void {
    if (this.#ended || this.#error !== null) return;
    this.#error = err;
    this.#sink?.onBodyError(err);
  }
}
