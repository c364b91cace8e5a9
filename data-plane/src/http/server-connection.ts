import type { Socket } from "node:net";
import { BodyDecoder } from "./body-decoder.js";
import { appendUnread } from "./bytes.js";
import { errorAnswer } from "./error-answer.js";
import { badRequest, HttpRequestError } from "./http-error.js";
import { INVALID, NEED_MORE, RequestHeadParser } from "./request-parser.js";
import type { ResponseOwner, ResponseWriter } from "./response-writer.js";
import { type Detached, ServerExchange } from "./server-exchange.js";
import type { ServerSettings } from "./server-settings.js";

/** Bytes held unparsed before the socket is paused (a consumer that is not reading, a full pipeline). */
const PAUSE_AT = 16 * 1024;

const TIMEOUT_HEAD = new HttpRequestError("REQUEST_TIMEOUT", "request_timeout");
const TIMEOUT_BODY = new HttpRequestError("REQUEST_TIMEOUT", "request_timeout", true);
const INCOMPLETE_HEAD = badRequest("message_incomplete");
const INCOMPLETE_BODY = badRequest("message_incomplete", true);
const INTERNAL = new HttpRequestError("INTERNAL", "message_incomplete");
const EMPTY = Buffer.alloc(0);

/** A refused head waiting for its turn to be answered. */
class Refusal {
  readonly err: HttpRequestError;
  /** The refused request was HEAD: the answer has no body. */
  readonly head: boolean;

  constructor(err: HttpRequestError, head: boolean) {
    this.err = err;
    this.head = head;
  }
}

/**
 * One client connection (plain or TLS): reads requests off the socket with the strict parser,
 * hands them to the handler one at a time, and writes their answers in order.
 *
 *     bytes ─► RequestHeadParser ─► ServerExchange ─► (queue) ─► handler.onRequest
 *                                  └─ body: BodyDecoder ─► RequestBody ─► consumer
 *
 * - **Keep-alive and pipelining** (RFC 9112 §9.3): heads that arrive ahead are parsed and
 *   queued (at most `maxPipelined`); the next is handed over when the previous response ended.
 *   A request's body is read only once its consumer starts, so a queued request with a body
 *   stops the parsing there.
 * - **Refusals**: a head the parser refuses is queued as an error behind the requests before
 *   it; each of those is answered in order, then the error (JSON, `Connection: close`), then
 *   the connection closes (issue 13 point 4). Nothing after a refused head is read as a request.
 * - **Framing errors in a body** (chunk size, chunk data longer than declared, trailer, the
 *   connection ending early, the request timeout): the consumer's body fails, the handler is
 *   told to abort the upstream exchange, and the client gets a 400 (408) with `Connection:
 *   close` when no response started, else the response is cut.
 * - **Timeouts** (checked by the server's sweep): a head not complete within `headersTimeoutMs`
 *   of its first byte → 408; a request not received within `requestTimeoutMs` → 408; an idle
 *   keep-alive connection is closed after `keepAliveTimeoutMs`.
 * - **Half-close**: a client that shut its side gets the answers to what it sent, then the
 *   connection ends; a request cut by the shutdown is answered 400.
 * - **Closing**: after a `Connection: close` answer the socket is ended and what the client
 *   still sends is read and dropped until it is silent for `lingerMs`, at most
 *   {@link LINGER_MAX_MS} in all (nginx's `lingering_timeout` and `lingering_time`), so the
 *   answer is not destroyed by a reset while a slow client is still uploading.
 */
export class ServerConnection implements ResponseOwner {
  readonly socket: Socket;
  readonly #settings: ServerSettings;
  readonly #parser: RequestHeadParser;
  #decoder: BodyDecoder | null = null;
  /** Requests parsed and not yet answered (the first is the handler's), and queued refusals. */
  readonly #queue: Array<ServerExchange | Refusal> = [];
  #active: ServerExchange | null = null;
  /** The exchange whose body is being read. */
  #reading: ServerExchange | null = null;
  #buf: Buffer | null = null;
  #bufStart = 0;
  #processing = false;
  #again = false;
  /** No more requests are read (a refusal is queued, the connection closes, or was handed over). */
  #stopped = false;
  #paused = false;
  #clientEnded = false;
  #lingering = false;
  #lingerTimer: NodeJS.Timeout | null = null;
  /** When lingering stops whatever the client still sends (Date.now() ms). */
  #lingerUntil = 0;
  #detached = false;
  #closed = false;
  /** Date.now() when the head in progress started, 0 when none is. */
  #headAt = 0;
  /** Date.now() when the request whose body is read started. */
  #requestAt = 0;
  /** Date.now() since when the connection has been idle. */
  #idleSince = Date.now();

  constructor(socket: Socket, settings: ServerSettings) {
    this.socket = socket;
    this.#settings = settings;
    this.#parser = new RequestHeadParser(settings.limits);
    socket.setNoDelay(true);
    socket.on("data", this.#onData);
    socket.on("end", this.#onEnd);
    socket.on("error", this.#onError);
    socket.on("close", this.#onClose);
    socket.on("drain", this.#onDrain);
  }

  // --- ResponseOwner ---------------------------------------------------------------------------

  get draining(): boolean {
    return this.#settings.draining;
  }

  get keepAliveLines(): string {
    return this.#settings.keepAliveLines;
  }

  /** The active exchange's response is complete (or cut): next request, or close. */
  responseEnded(writer: ResponseWriter): void {
    const ex = writer as ServerExchange;
    if (ex !== this.#active) return;
    this.#active = null;
    this.#queue.shift();
    ex.finished();
    if (this.#closed) return;
    if (writer.cut) return; // the socket is being destroyed
    const next = this.#queue[0];
    if (writer.closes || (this.#stopped && next === undefined)) {
      // Announced, or the request broke under a response the handler finished itself: the
      // bytes that follow cannot be trusted to start a request.
      this.#closeSoon();
      return;
    }
    if (this.#reading === ex) {
      // The answer went out before the request's body was all read: read the rest and drop it
      // when that is cheap, else close.
      const body = ex.body!;
      const left = this.#decoder!.remaining;
      if (left > this.#settings.maxDiscardBytes) {
        this.#closeSoon();
        return;
      }
      body.setLimit(body.received + this.#settings.maxDiscardBytes);
      body.discard();
    }
    if (this.#queue.length === 0) this.#idleSince = Date.now();
    this.#dispatch();
    this.#process();
    this.#endIfDone();
  }

  // --- what exchanges ask of their connection ---------------------------------------------------

  /** A body's consumer started or resumed: decode what is held, read the socket again. */
  bodyFlowing(_ex: ServerExchange): void {
    this.#process();
  }

  /** Hands the socket of an upgrade request over (see {@link ServerExchange.detach}). */
  detach(ex: ServerExchange): Detached | null {
    if (ex !== this.#active || this.#closed) return null;
    const socket = this.socket;
    const head = this.#buf === null ? EMPTY : this.#buf.subarray(this.#bufStart);
    this.#buf = null;
    this.#detached = true;
    this.#stopped = true;
    this.#active = null;
    this.#queue.length = 0;
    socket.pause();
    socket.off("data", this.#onData);
    socket.off("end", this.#onEnd);
    socket.off("error", this.#onError);
    socket.off("close", this.#onClose);
    socket.off("drain", this.#onDrain);
    this.#settings.connectionDetached(this);
    return { socket, head };
  }

  // --- the server's side -------------------------------------------------------------------------

  /** Checks the deadlines (the server's sweep). */
  checkTimeouts(now: number): void {
    if (this.#detached || this.#closed || this.#lingering) return;
    const s = this.#settings;
    if (this.#headAt !== 0 && !this.#stopped && now - this.#headAt >= s.headersTimeoutMs) {
      this.#headAt = 0;
      const head = this.#parser.method === "HEAD";
      this.#parser.reset();
      this.#buf = null;
      this.#refuse(TIMEOUT_HEAD, false, head);
      return;
    }
    const reading = this.#reading;
    if (reading !== null && now - this.#requestAt >= s.requestTimeoutMs) {
      this.#bodyFailed(reading, TIMEOUT_BODY);
      return;
    }
    if (this.#queue.length === 0 && reading === null && this.#headAt === 0) {
      const idle = now - this.#idleSince;
      // Draining: close a connection that has been quiet for a sweep (never one whose client
      // is sending its next request: that one has a head in progress).
      if (idle >= s.keepAliveTimeoutMs || (s.draining && idle >= s.drainQuietMs)) this.socket.destroy();
    }
  }

  /** The server drains: a connection with nothing in progress closes at the next quiet sweep. */
  get idle(): boolean {
    return this.#queue.length === 0 && this.#reading === null && this.#headAt === 0;
  }

  /** Cuts the connection (drain deadline). */
  destroy(): void {
    this.socket.destroy();
  }

  // --- socket events (arrow fields: one closure per connection, none per request) -------------

  readonly #onData = (chunk: Buffer): void => {
    if (this.#stopped) {
      // Lingering close, or a refusal waits for its turn: dropped. A client still sending gets
      // more time to read the answer, within the cap.
      if (this.#lingerTimer !== null && Date.now() < this.#lingerUntil) this.#lingerTimer.refresh();
      return;
    }
    this.#buf = appendUnread(this.#buf, this.#bufStart, chunk);
    this.#bufStart = 0;
    this.#process();
  };

  readonly #onEnd = (): void => {
    this.#clientEnded = true;
    if (this.#lingering) {
      this.socket.destroy();
      return;
    }
    this.#process();
  };

  readonly #onError = (): void => {
    this.socket.destroy();
  };

  readonly #onClose = (): void => {
    this.#closed = true;
    this.#stopped = true;
    const active = this.#active;
    this.#active = null;
    this.#reading = null;
    for (const entry of this.#queue) {
      if (entry instanceof ServerExchange) {
        entry.markGone();
        if (entry === active && !entry.ended) {
          entry.body?.fail(INCOMPLETE_BODY);
          entry.aborted(null);
        }
        if (entry === active) entry.finished();
      }
    }
    this.#queue.length = 0;
    this.#settings.connectionClosed(this);
  };

  readonly #onDrain = (): void => {
    this.#active?.drained();
  };

  // --- the request loop --------------------------------------------------------------------------

  #process(): void {
    if (this.#processing) {
      this.#again = true;
      return;
    }
    this.#processing = true;
    try {
      do {
        this.#again = false;
        this.#step();
      } while (this.#again && !this.#stopped);
    } finally {
      this.#processing = false;
    }
    if (this.#clientEnded) this.#afterClientEnd();
    this.#flow();
  }

  /**
   * The client shut its side: what it sent before is answered; a request it cut short is
   * answered 400 (head) or fails (body); with nothing pending our side ends too.
   */
  #afterClientEnd(): void {
    if (this.#stopped || this.#closed) return;
    const held = this.#buf === null ? 0 : this.#buf.length - this.#bufStart;
    const reading = this.#reading;
    if (reading !== null) {
      // Bytes still held wait for the body's consumer; only an empty buffer means the end came early.
      if (held === 0 && !this.#decoder!.finish()) this.#bodyFailed(reading, INCOMPLETE_BODY);
      return;
    }
    if (held === 0 && this.#parser.started) {
      const head = this.#parser.method === "HEAD";
      this.#parser.reset();
      this.#refuse(INCOMPLETE_HEAD, true, head);
      return;
    }
    this.#endIfDone();
  }

  /** Parses what is held, as far as the consumers and the pipeline let it. */
  #step(): void {
    const settings = this.#settings;
    while (!this.#stopped) {
      const buf = this.#buf;
      if (buf === null) return;
      const p = this.#bufStart;
      const end = buf.length;
      if (p >= end) {
        this.#buf = null;
        return;
      }
      const reading = this.#reading;
      if (reading !== null) {
        const body = reading.body!;
        if (!body.flowing) return;
        const decoder = this.#decoder!;
        const r = decoder.decode(buf, p, end, body);
        if (r === INVALID) {
          this.#buf = null;
          this.#bodyFailed(reading, badRequest(decoder.error!, true));
          return;
        }
        this.#bufStart = r;
        if (body.error !== null) {
          // Over its limit: the rest is not read, the connection closes after the answer.
          this.#bodyFailed(reading, body.error);
          return;
        }
        if (decoder.complete) {
          this.#reading = null;
          body.end(decoder.trailers);
        }
        continue;
      }
      const queue = this.#queue;
      if (queue.length >= settings.maxPipelined) return;
      const last = queue[queue.length - 1];
      if (last instanceof ServerExchange && last.head.upgrade) return; // the rest is the tunnel's
      if (this.#headAt === 0) this.#headAt = Date.now();
      const parser = this.#parser;
      const r = parser.execute(buf, p);
      if (r === NEED_MORE) {
        this.#buf = null;
        return;
      }
      if (r === INVALID) {
        const err = parser.error!;
        const headMethod = parser.method === "HEAD";
        parser.reset();
        this.#buf = null;
        this.#refuse(err, true, headMethod);
        return;
      }
      const head = parser.head!;
      parser.reset();
      this.#bufStart = r;
      const ex = new ServerExchange(this, head);
      queue.push(ex);
      if (ex.body !== null) {
        if (this.#decoder === null)
          this.#decoder = new BodyDecoder(settings.limits.maxHeaderBytes, settings.limits.maxHeaders);
        this.#decoder.reset(head.bodyKind, head.contentLength ?? 0);
        this.#reading = ex;
        this.#requestAt = this.#headAt;
      }
      this.#headAt = 0;
      this.#dispatch();
    }
  }

  /** Hands the first queued request to the handler, or answers the first queued refusal. */
  #dispatch(): void {
    if (this.#active !== null || this.#closed) return;
    const next = this.#queue[0];
    if (next === undefined) return;
    if (!(next instanceof ServerExchange)) {
      this.#queue.length = 0;
      this.#answer(next.err, null, next.head);
      return;
    }
    this.#active = next;
    const failed = next.body?.error ?? null;
    if (failed !== null) {
      // Its body broke (timeout) while it waited its turn: answer that instead.
      this.#answerExchange(next, failed);
      return;
    }
    try {
      this.#settings.onRequest(next);
    } catch {
      if (!next.headersSent && !next.ended) this.#answerExchange(next, INTERNAL);
      else if (!next.ended) next.abort();
    }
  }

  /** A request's body broke: its consumer and handler are told, the client answered or cut. */
  #bodyFailed(ex: ServerExchange, err: HttpRequestError): void {
    this.#stopped = true;
    this.#reading = null;
    this.#buf = null;
    ex.body?.fail(err);
    if (ex.ended) {
      this.#closeSoon();
      return;
    }
    if (ex !== this.#active) return; // answered when its turn comes (#dispatch)
    ex.aborted(err);
    if (ex.ended) return;
    if (!ex.headersSent) this.#answerExchange(ex, err);
    else ex.abort();
  }

  /** Ends an exchange with the engine's error answer. */
  #answerExchange(ex: ServerExchange, err: HttpRequestError): void {
    this.#stopped = true;
    this.#answer(err, ex.requestId, ex.head.method === "HEAD");
    this.#active = null;
    this.#queue.length = 0;
    ex.markGone();
    ex.finished();
  }

  /** A head was refused (or timed out): answered after the requests before it, then close. */
  #refuse(err: HttpRequestError, report: boolean, head: boolean): void {
    this.#stopped = true;
    if (report) this.#settings.onRefusal(err, this.socket);
    this.#queue.push(new Refusal(err, head));
    this.#dispatch();
  }

  /** Writes an error answer with `Connection: close`, then closes. */
  #answer(err: HttpRequestError, requestId: string | null, head: boolean): void {
    if (this.#closed) return;
    this.socket.write(errorAnswer(err.code, requestId, head));
    this.#closeSoon();
  }

  /** Ends the connection after what was written; reads and drops what the client still sends. */
  #closeSoon(): void {
    if (this.#lingering || this.#closed) return;
    this.#lingering = true;
    this.#stopped = true;
    this.#buf = null;
    const socket = this.socket;
    socket.end();
    if (this.#clientEnded) {
      socket.destroySoon();
      return;
    }
    if (this.#paused) {
      this.#paused = false;
      socket.resume();
    }
    const timer = setTimeout(destroyLater, this.#settings.lingerMs, socket);
    timer.unref();
    this.#lingerTimer = timer;
    this.#lingerUntil = Date.now() + LINGER_MAX_MS;
    socket.once("close", () => clearTimeout(timer));
  }

  /** The client shut its side and everything it sent is answered: end ours. */
  #endIfDone(): void {
    if (
      this.#clientEnded &&
      !this.#stopped &&
      this.#queue.length === 0 &&
      this.#reading === null &&
      !this.#parser.started
    )
      this.socket.end();
  }

  /** Pauses the socket while too much is held unparsed; resumes it once it is taken. */
  #flow(): void {
    if (this.#stopped || this.#closed) return;
    const held = this.#buf === null ? 0 : this.#buf.length - this.#bufStart;
    if (held >= PAUSE_AT) {
      if (!this.#paused) {
        this.#paused = true;
        this.socket.pause();
      }
    } else if (this.#paused) {
      this.#paused = false;
      this.socket.resume();
    }
  }
}

/** The longest a closing connection reads and drops a client's bytes, ms (nginx's `lingering_time`). */
export const LINGER_MAX_MS = 30_000;

function destroyLater(socket: Socket): void {
  socket.destroy();
}
