import type { IncomingHttpHeaders } from "node:http";
import type { Socket } from "node:net";
import { BodyDecoder } from "./body-decoder.js";
import { appendUnread } from "./bytes.js";
import type { ClientExchange, ExchangeCarrier } from "./client-exchange.js";
import type { HeaderValues } from "./headers.js";
import { ClientError } from "./http-error.js";
import { RequestBody } from "./request-body.js";
import { BodyKind } from "./request-head.js";
import { serializeRequestHead } from "./request-serializer.js";
import { RequestStream, type RequestStreamOwner } from "./request-stream.js";
import {
  INVALID,
  NEED_MORE,
  type ResponseHead,
  ResponseHeadParser,
  type ResponseLimits,
  responseError,
} from "./response-parser.js";

/** What a connection needs of its pool. */
export interface ConnectionOwner {
  /** The connection is open and may carry a request. */
  connectionReady(conn: ClientConnection): void;
  /** The connection could not be opened. */
  connectFailed(conn: ClientConnection, err: Error): void;
  /** The exchange ended cleanly: the connection may carry another (within `keepAliveMs`, -1: the pool's default). */
  connectionIdle(conn: ClientConnection, keepAliveMs: number): void;
  /** The connection is closed, or was handed to an upgraded exchange. */
  connectionGone(conn: ClientConnection): void;
}

enum State {
  Connecting,
  Idle,
  Busy,
  Closed,
}

const NO_TRAILERS: HeaderValues = Object.freeze({});

function onConnectTimeout(c: ClientConnection): void {
  c.timedOut("connect");
}
function onHeadersTimeout(c: ClientConnection): void {
  c.timedOut("headers");
}
function onBodyTimeout(c: ClientConnection): void {
  c.timedOut("body");
}

/**
 * One keep-alive connection to an upstream target (plain or TLS), carrying one exchange at a time
 * (no pipelining, as nginx and Envoy do with HTTP/1.1 upstreams): it writes the request head in
 * one buffer and streams the body with backpressure (the client's {@link RequestBody} or a node
 * Readable; chunked when its length is unknown), reads the answer with the strict
 * {@link ResponseHeadParser} and {@link BodyDecoder}, and hands it to the exchange's undici-style
 * handler: data pieces are views of the received bytes; `pause()` stops the socket.
 *
 * Timeouts: `headersTimeout` from the end of the request to the end of the response head;
 * `bodyTimeout` for the longest silence between body pieces (checked at most twice per period:
 * the timer is re-armed when there was activity, so a cut comes between 1 and 2 periods of
 * silence; a paused reader is never cut).
 *
 * The connection goes back to the pool only when the exchange ended cleanly: the whole request
 * written, the whole response read, no byte more, keep-alive on both sides, no abort. Anything
 * else — an abort, a timeout, a refused response, bytes after the response or while idle — and
 * it is destroyed.
 */
export class ClientConnection implements ExchangeCarrier, RequestStreamOwner {
  readonly socket: Socket;
  readonly #owner: ConnectionOwner;
  readonly #parser: ResponseHeadParser;
  readonly #decoder: BodyDecoder;
  #state = State.Connecting;
  #ex: ClientExchange | null = null;
  #head: ResponseHead | null = null;
  #buf: Buffer | null = null;
  #bufStart = 0;
  readonly #request: RequestStream;
  /** The current request went to the request stream (its bytes may be on the wire). */
  #written = false;
  #readPaused = false;
  #connectTimer: NodeJS.Timeout | undefined;
  /**
   * One headers timer serves every exchange of the connection: it is re-armed only when it is not
   * running or would fire after the current exchange's deadline, and when it fires early it is
   * set again for what is left (a `refresh()` per request costs a timer-list insertion each; undici's
   * coarse timers make the same trade). Date.now() ms; 0 = not running.
   */
  #headersTimer: NodeJS.Timeout | undefined;
  #headersDue = 0;
  /** When the current exchange's response head is due (Date.now() ms). */
  #headDeadline = 0;
  #bodyTimer: NodeJS.Timeout | undefined;
  #bodyMs = 0;
  /** The timers are re-armed with refresh() and never cleared while open: these say whether one counts. */
  #awaitingHead = false;
  #awaitingBody = false;
  #activity = 0;
  #seenActivity = 0;
  #lastError: Error | null = null;
  /** Exchanges carried (for tests and stats). */
  exchanges = 0;
  /** When an idle connection's keep-alive time is up (Date.now() ms; the pool's). */
  idleUntil = 0;

  /**
   * @param socket a socket that is connecting (`net.connect` / `tls.connect`)
   * @param tls wait for the TLS handshake (`secureConnect`) rather than `connect`
   */
  constructor(socket: Socket, owner: ConnectionOwner, limits: ResponseLimits, connectMs: number, tls: boolean) {
    this.socket = socket;
    this.#owner = owner;
    this.#parser = new ResponseHeadParser(limits);
    this.#decoder = new BodyDecoder(limits.maxHeaderBytes ?? 65_536, limits.maxHeaders ?? 256);
    this.#request = new RequestStream(socket, this);
    socket.once(tls ? "secureConnect" : "connect", this.#onConnect);
    socket.on("data", this.#onData);
    socket.on("end", this.#onEnd);
    socket.on("error", this.#onError);
    socket.on("close", this.#onClose);
    socket.on("drain", this.#onDrain);
    if (connectMs > 0) {
      this.#connectTimer = setTimeout(onConnectTimeout, connectMs, this);
      this.#connectTimer.unref();
    }
  }

  /** Open and waiting for a request. */
  get idle(): boolean {
    return this.#state === State.Idle;
  }

  /** Closed (or handed over): it carries nothing more. */
  get closed(): boolean {
    return this.#state === State.Closed;
  }

  /** Writes `ex`'s request and reads its answer. The connection must be idle. */
  run(ex: ClientExchange): void {
    this.#state = State.Busy;
    this.#ex = ex;
    ex.carrier = this;
    this.#written = false;
    this.#head = null;
    this.exchanges++;
    if (!ex.started()) return; // aborted in onRequestStart: abortExchange put us back
    const opts = ex.opts;
    const body = opts.body ?? null;
    const declaredText = opts.headers?.["content-length"];
    const declared = typeof declaredText === "string" ? Number(declaredText) : -1;
    let length: number;
    if (body === null) length = 0;
    else if (typeof body === "string") length = Buffer.byteLength(body);
    else if (Buffer.isBuffer(body)) length = body.length;
    else if (body instanceof RequestBody) length = declared >= 0 ? declared : (body.declaredLength ?? -1);
    else length = declared >= 0 ? declared : -1;
    let head: Buffer;
    try {
      head = serializeRequestHead({
        method: opts.method,
        path: opts.path,
        headers: opts.headers ?? null,
        forward: opts.forward ?? null,
        bodyLength: length,
        upgrade: opts.upgrade ?? null,
      });
    } catch (err) {
      this.#ex = null;
      this.#state = State.Idle;
      ex.fail(err as Error);
      this.#owner.connectionIdle(this, -1);
      return;
    }
    this.#parser.expect(opts.method === "HEAD", (opts.upgrade ?? null) !== null);
    this.#written = true;
    this.#request.begin(head, body, length);
  }

  // --- ExchangeCarrier -----------------------------------------------------------------------------

  abortExchange(ex: ClientExchange, reason: Error): void {
    if (ex !== this.#ex) return;
    if (!this.#written) {
      // Nothing left for the socket yet (aborted in onRequestStart): the connection stays good.
      this.#ex = null;
      this.#state = State.Idle;
      ex.fail(reason);
      this.#owner.connectionIdle(this, -1);
      return;
    }
    this.#fail(reason);
  }

  flowChanged(ex: ClientExchange): void {
    if (ex !== this.#ex) return;
    if (ex.paused) {
      if (!this.#readPaused) {
        this.#readPaused = true;
        this.socket.pause();
      }
    } else {
      if (this.#readPaused) {
        this.#readPaused = false;
        this.socket.resume();
      }
      this.#process();
    }
  }

  // --- RequestStreamOwner ---------------------------------------------------------------------------

  requestFailed(err: Error): void {
    if (this.#ex !== null) this.#fail(err);
  }

  /** The whole request is out: the answer's head is awaited from now. */
  requestWritten(): void {
    if (this.#ex === null || this.#head !== null) return; // it answered while the body was still going
    const ms = this.#ex?.opts.headersTimeout ?? 0;
    if (ms > 0) {
      const deadline = Date.now() + ms;
      this.#headDeadline = deadline;
      this.#awaitingHead = true;
      if (this.#headersDue === 0 || this.#headersDue > deadline) this.#armHeaders(ms, deadline);
    }
  }

  readonly #onConnect = (): void => {
    clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    this.socket.setNoDelay(true);
    this.#state = State.Idle;
    this.#owner.connectionReady(this);
  };

  readonly #onData = (chunk: Buffer): void => {
    if (this.#state !== State.Busy) {
      // Bytes nobody asked for (a body after a bodiless answer, junk): never reuse.
      this.socket.destroy();
      return;
    }
    this.#activity++;
    this.#buf = appendUnread(this.#buf, this.#bufStart, chunk);
    this.#bufStart = 0;
    this.#process();
  };

  readonly #onEnd = (): void => {
    if (this.#state === State.Busy && this.#head !== null && this.#decoder.kind === BodyKind.UntilClose) {
      this.#process();
      this.#decoder.finish();
      if (this.#ex !== null) this.#complete();
      return;
    }
    this.socket.destroy();
  };

  readonly #onError = (err: Error): void => {
    this.#lastError = err;
    this.socket.destroy();
  };

  readonly #onClose = (): void => {
    const state = this.#state;
    this.#state = State.Closed;
    this.#clearTimers();
    if (state === State.Connecting) {
      this.#owner.connectFailed(
        this,
        this.#lastError ?? new ClientError("UND_ERR_SOCKET", "connection closed while connecting"),
      );
      return;
    }
    const ex = this.#ex;
    this.#ex = null;
    this.#request.abandon();
    this.#owner.connectionGone(this);
    if (ex === null) return;
    const err =
      this.#lastError ??
      (this.#head !== null && this.#decoder.kind === BodyKind.Length
        ? responseError("body_incomplete")
        : new ClientError("UND_ERR_SOCKET", "other side closed"));
    ex.fail(err);
  };

  readonly #onDrain = (): void => {
    this.#request.drained();
  };

  /** Reads what is held: the head, then the body, as far as the handler lets it. */
  #process(): void {
    for (;;) {
      const ex = this.#ex;
      const buf = this.#buf;
      if (ex === null || buf === null) return;
      const p = this.#bufStart;
      if (p >= buf.length) {
        this.#buf = null;
        return;
      }
      if (this.#head === null) {
        const r = this.#parser.execute(buf, p);
        if (r === NEED_MORE) {
          this.#buf = null;
          return;
        }
        if (r === INVALID) {
          this.#fail(this.#parser.error!);
          return;
        }
        this.#bufStart = r;
        if (!this.#onHead(ex, this.#parser.head!, buf, r)) return;
        continue;
      }
      if (ex.paused) return;
      const r = this.#decoder.decode(buf, p, buf.length, this.#responseSink);
      if (r === INVALID) {
        this.#fail(responseError(this.#decoder.error as "chunk_size_invalid"));
        return;
      }
      this.#bufStart = r;
      if (this.#decoder.complete) {
        this.#complete();
        return;
      }
      if (this.#ex !== ex) return; // the handler aborted
    }
  }

  /** A final response head arrived. @returns false when the exchange ended here */
  #onHead(ex: ClientExchange, head: ResponseHead, buf: Buffer, at: number): boolean {
    this.#awaitingHead = false;
    if (head.status === 101) {
      this.#upgrade(ex, head, buf.subarray(at));
      return false;
    }
    if (head.bodyKind === BodyKind.None && at < buf.length) {
      // Bytes after a head that has no body (204, 304, HEAD): a body that must not be there.
      this.#fail(responseError("body_not_allowed"));
      return false;
    }
    this.#head = head;
    this.#decoder.reset(head.bodyKind, head.contentLength ?? 0);
    // An engine-aware handler reads the lazy head (statusText included) itself.
    if (ex.opts.responseHead === true)
      ex.handler.onResponseStart?.(ex, head.status, head as unknown as IncomingHttpHeaders);
    else ex.handler.onResponseStart?.(ex, head.status, head.toObject() as IncomingHttpHeaders, head.statusText);
    if (this.#ex !== ex) return false;
    if (this.#decoder.complete) {
      this.#complete();
      return false;
    }
    const ms = ex.opts.bodyTimeout ?? 0;
    if (ms > 0) {
      this.#bodyTimer = arm(this.#bodyTimer, this.#bodyMs, ms, onBodyTimeout, this);
      this.#bodyMs = ms;
      this.#seenActivity = this.#activity;
      this.#awaitingBody = true;
    }
    return true;
  }

  readonly #responseSink = {
    onBodyData: (data: Buffer): boolean => {
      const ex = this.#ex;
      if (ex === null) return false;
      ex.handler.onResponseData?.(ex, data);
      return this.#ex === ex && !ex.paused;
    },
  };

  /** The response was read to its end. */
  #complete(): void {
    const ex = this.#ex!;
    const head = this.#head!;
    const leftover = this.#buf !== null && this.#bufStart < this.#buf.length;
    const reusable =
      head.keepAlive && this.#request.done && !leftover && !ex.aborted && this.#decoder.kind !== BodyKind.UntilClose;
    const trailers = this.#decoder.trailers;
    this.#awaitingHead = false;
    this.#awaitingBody = false;
    this.#ex = null;
    this.#head = null;
    this.#buf = null;
    this.#request.abandon();
    if (reusable) {
      // The handler may have paused reading at the last bytes: an idle connection reads (to see
      // the upstream close it) and the next exchange starts unpaused.
      if (this.#readPaused) {
        this.#readPaused = false;
        this.socket.resume();
      }
      this.#state = State.Idle;
      this.#owner.connectionIdle(this, head.keepAliveTimeoutMs);
    } else {
      this.#state = State.Closed;
      this.#owner.connectionGone(this);
      this.socket.destroy();
    }
    if (ex.settle())
      ex.handler.onResponseEnd?.(ex, (trailers.size === 0 ? NO_TRAILERS : trailers.toObject()) as IncomingHttpHeaders);
  }

  /** A 101: the socket leaves the pool for the exchange, with the bytes read past the head. */
  #upgrade(ex: ClientExchange, head: ResponseHead, rest: Buffer): void {
    this.#clearTimers();
    this.#state = State.Closed;
    this.#ex = null;
    this.#buf = null;
    const socket = this.socket;
    socket.off("data", this.#onData);
    socket.off("end", this.#onEnd);
    socket.off("error", this.#onError);
    socket.off("close", this.#onClose);
    socket.off("drain", this.#onDrain);
    socket.pause();
    if (rest.length > 0) socket.unshift(rest);
    this.#owner.connectionGone(this);
    if (!ex.settle()) {
      socket.destroy();
      return;
    }
    const headers = ex.opts.responseHead === true ? (head as unknown as HeaderValues) : head.toObject();
    ex.handler.onRequestUpgrade?.(ex, 101, headers as IncomingHttpHeaders, socket);
  }

  /** Ends the exchange with `err` and destroys the connection (never reused). */
  #fail(err: Error): void {
    const ex = this.#ex;
    this.#ex = null;
    this.#clearTimers();
    this.#awaitingHead = false;
    this.#awaitingBody = false;
    this.#request.abandon();
    if (this.#state !== State.Closed) {
      this.#state = State.Closed;
      this.#owner.connectionGone(this);
    }
    this.socket.destroy();
    ex?.fail(err);
  }

  /** A timer fired. */
  timedOut(which: "connect" | "headers" | "body"): void {
    if (which === "connect") {
      if (this.#state !== State.Connecting) return;
      this.#lastError = new ClientError("UND_ERR_CONNECT_TIMEOUT", "connect timeout");
      this.socket.destroy();
      return;
    }
    const ex = this.#ex;
    if (which === "headers") {
      this.#headersDue = 0;
      // Idle, or the head came: the next exchange arms it again.
      if (ex === null || !this.#awaitingHead) return;
      const left = this.#headDeadline - Date.now();
      if (left > 0) this.#armHeaders(left, this.#headDeadline);
      else this.#fail(new ClientError("UND_ERR_HEADERS_TIMEOUT", "headers timeout"));
      return;
    }
    if (ex === null || !this.#awaitingBody) return;
    if (ex.paused || this.#activity !== this.#seenActivity) {
      this.#seenActivity = this.#activity;
      this.#bodyTimer?.refresh();
      return;
    }
    this.#fail(new ClientError("UND_ERR_BODY_TIMEOUT", "body timeout"));
  }

  /** Closes an idle connection (pool idle timeout, pool close). */
  close(): void {
    if (this.#state === State.Idle || this.#state === State.Connecting) {
      this.#state = State.Closed;
      this.socket.destroy();
    }
  }

  /** Destroys the connection whatever it carries; the exchange fails with `err`. */
  destroy(err: Error): void {
    if (this.#ex !== null) this.#fail(err);
    else this.socket.destroy();
  }

  /** (Re)starts the headers timer to fire in `ms`, at `due`. */
  #armHeaders(ms: number, due: number): void {
    clearTimeout(this.#headersTimer);
    const t = setTimeout(onHeadersTimeout, ms, this);
    t.unref();
    this.#headersTimer = t;
    this.#headersDue = due;
  }

  #clearTimers(): void {
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#headersTimer);
    this.#headersDue = 0;
    clearTimeout(this.#bodyTimer);
  }
}

/** Re-arms a connection's timer: `refresh()` when the period is the same, a new timer otherwise. */
function arm(
  timer: NodeJS.Timeout | undefined,
  was: number,
  ms: number,
  fn: (c: ClientConnection) => void,
  c: ClientConnection,
): NodeJS.Timeout {
  if (timer !== undefined && was === ms) return timer.refresh();
  clearTimeout(timer);
  const t = setTimeout(fn, ms, c);
  t.unref();
  return t;
}
