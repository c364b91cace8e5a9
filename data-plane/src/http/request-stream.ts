import type { Socket } from "node:net";
import type { Readable } from "node:stream";
import { latin1Write } from "./bytes.js";
import type { FieldList } from "./field-list.js";
import { ClientError, type HttpRequestError } from "./http-error.js";
import { RequestBody, type RequestBodySink } from "./request-body.js";

/** A request body as the upstream side takes it. */
export type ClientBody = RequestBody | Readable | Buffer | string | null;

/** What a request stream tells the connection it writes on. */
export interface RequestStreamOwner {
  /** The whole request (head and body) was handed to the socket. */
  requestWritten(): void;
  /** The request cannot be completed: its body failed, or broke its declared length. */
  requestFailed(err: Error): void;
}

const CRLF = Buffer.from("\r\n", "latin1");
const LAST_CHUNK = Buffer.from("0\r\n\r\n", "latin1");
/** A request head and body pieces up to this many bytes are copied into one buffer (one write). */
const COALESCE_MAX = 8 * 1024;

/**
 * Writes one upstream request at a time on a connection's socket: the head (held until the first
 * body bytes so that small ones go with it in one write), then the body — bytes, the engine's
 * {@link RequestBody} or a node Readable — with backpressure (the body pauses while the socket's
 * buffer is full and resumes on its drain), in chunks when its length is unknown, counted
 * against a declared Content-Length. A connection is reused only once its request stream is
 * {@link done}, so a body never feeds the stream of the next request.
 */
export class RequestStream implements RequestBodySink {
  readonly #socket: Socket;
  readonly #owner: RequestStreamOwner;
  #active = false;
  #done = false;
  #pendingHead: Buffer | null = null;
  #chunked = false;
  #declared = -1;
  #sent = 0;
  #body: RequestBody | null = null;
  #readable: Readable | null = null;
  /** The socket is corked until the end of this tick (body pieces of one read go in one write). */
  #corked = false;

  constructor(socket: Socket, owner: RequestStreamOwner) {
    this.#socket = socket;
    this.#owner = owner;
  }

  /** The whole request was handed to the socket. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Starts a request.
   * @param length body bytes: -1 unknown (sent chunked; the head says so), else as declared
   */
  begin(head: Buffer, body: ClientBody, length: number): void {
    this.#active = true;
    this.#done = false;
    this.#pendingHead = head;
    this.#chunked = length < 0;
    this.#declared = length;
    this.#sent = 0;
    if (body === null || typeof body === "string" || Buffer.isBuffer(body)) {
      if (length > 0) this.#write(typeof body === "string" ? Buffer.from(body) : (body as Buffer), false);
      this.#finish();
      return;
    }
    if (body instanceof RequestBody) {
      this.#body = body;
      body.start(this);
      return;
    }
    this.#readable = body;
    body.on("data", this.#onReadableData);
    body.once("end", this.#onReadableEnd);
    body.once("error", this.#onReadableError);
  }

  /** Stops writing (the answer came first, or the exchange failed): what the body still sends is dropped. */
  abandon(): void {
    this.#active = false;
    this.#pendingHead = null;
    this.#body = null;
    this.#releaseReadable();
  }

  /** The socket drained: the body goes on. */
  drained(): void {
    if (this.#body !== null) this.#body.resume();
    else if (this.#readable?.isPaused()) this.#readable.resume();
  }

  // --- RequestBodySink ---------------------------------------------------------------------------

  onBodyData(chunk: Buffer): boolean {
    if (!this.#active) return true; // abandoned: dropped
    this.#sent += chunk.length;
    if (this.#declared >= 0 && this.#sent > this.#declared) {
      this.#fail(new ClientError("UND_ERR_REQ_CONTENT_LENGTH_MISMATCH", "request body longer than its Content-Length"));
      return true;
    }
    return this.#write(chunk, this.#chunked);
  }

  onBodyEnd(_trailers: FieldList): void {
    this.#ended();
  }

  onBodyError(err: HttpRequestError): void {
    if (this.#active) this.#fail(err.toError());
  }

  // --- internals ---------------------------------------------------------------------------------

  #ended(): void {
    if (!this.#active) return;
    if (this.#declared >= 0 && this.#sent !== this.#declared) {
      this.#fail(
        new ClientError("UND_ERR_REQ_CONTENT_LENGTH_MISMATCH", "request body shorter than its Content-Length"),
      );
      return;
    }
    if (this.#chunked) this.#write(LAST_CHUNK, false);
    this.#finish();
  }

  #finish(): void {
    const head = this.#pendingHead;
    if (head !== null) {
      this.#pendingHead = null;
      this.#socket.write(head);
    }
    this.#active = false;
    this.#done = true;
    this.#body = null;
    this.#owner.requestWritten();
  }

  #fail(err: Error): void {
    this.abandon();
    this.#owner.requestFailed(err);
  }

  /**
   * Writes body bytes (in a chunk's framing when `chunked`), after the head if it is still
   * waiting: a small total goes as one buffer (one write); a large chunk is never copied.
   */
  #write(chunk: Buffer, chunked: boolean): boolean {
    const socket = this.#socket;
    // One client read may hold thousands of tiny chunks: their pieces are gathered until the end
    // of the tick and leave in one write, not one system call each.
    if (!this.#corked) {
      this.#corked = true;
      socket.cork();
      process.nextTick(this.#uncork);
    }
    const head = this.#pendingHead;
    this.#pendingHead = null;
    if (head === null && !chunked) return socket.write(chunk);
    const sizeLine = chunked ? `${chunk.length.toString(16)}\r\n` : "";
    const headLen = head === null ? 0 : head.length;
    const total = headLen + sizeLine.length + chunk.length + (chunked ? 2 : 0);
    if (total <= COALESCE_MAX) {
      const buf = Buffer.allocUnsafe(total);
      let off = head === null ? 0 : head.copy(buf, 0);
      if (chunked) off += latin1Write(buf, sizeLine, off);
      off += chunk.copy(buf, off);
      if (chunked) CRLF.copy(buf, off);
      return socket.write(buf);
    }
    socket.cork();
    if (head !== null) socket.write(head);
    if (chunked) socket.write(sizeLine, "latin1");
    let ok = socket.write(chunk);
    if (chunked) ok = socket.write(CRLF);
    socket.uncork();
    return ok;
  }

  readonly #uncork = (): void => {
    this.#corked = false;
    this.#socket.uncork();
  };

  #releaseReadable(): void {
    const r = this.#readable;
    if (r === null) return;
    this.#readable = null;
    r.off("data", this.#onReadableData);
    r.off("end", this.#onReadableEnd);
    r.off("error", this.#onReadableError);
    // The answer came before the whole body: drop the rest so the client side can finish.
    if (!r.readableEnded && !r.destroyed) r.resume();
  }

  readonly #onReadableData = (chunk: Buffer | string): void => {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    if (!this.onBodyData(buf)) this.#readable?.pause();
  };

  readonly #onReadableEnd = (): void => {
    this.#releaseReadable();
    this.#ended();
  };

  readonly #onReadableError = (err: Error): void => {
    this.#releaseReadable();
    if (this.#active) this.#fail(err);
  };
}
