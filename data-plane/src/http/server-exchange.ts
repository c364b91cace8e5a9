import type { Socket } from "node:net";
import type { HttpRequestError } from "./http-error.js";
import { type BodyOwner, RequestBody } from "./request-body.js";
import type { RequestHead } from "./request-head.js";
import { ResponseWriter } from "./response-writer.js";
import type { ServerConnection } from "./server-connection.js";

/**
 * What the handler of an exchange is told, besides what it asks for. Methods of one object (the
 * proxy's per-request state): no closure per request.
 */
export interface ExchangeListener {
  /**
   * The request cannot complete: `err` is a framing error found after the head (bad chunk size,
   * chunk data longer than declared, bad trailer), its body limit, a timeout, or `null` when the
   * client went away. Abort the upstream exchange (its connection must not be reused). When no
   * response has started the handler may answer now (`writeHead` + `end`, synchronously); if it
   * does not, the engine answers `err` as Palisade's JSON error with `Connection: close`.
   */
  onExchangeAbort(exchange: ServerExchange, err: HttpRequestError | null): void;
  /** The client's socket drained after `write` returned false: write again. */
  onExchangeDrain(exchange: ServerExchange): void;
  /** The exchange is over: its response was sent, cut, or the client left. Called once. */
  onExchangeEnd(exchange: ServerExchange): void;
}

/** The socket of an upgrade request, handed over with the bytes read past its head. */
export interface Detached {
  readonly socket: Socket;
  /** What the client sent after the request head (the first frames of the new protocol). */
  readonly head: Buffer;
}

/**
 * One request on a client connection and its response: the head as read ({@link RequestHead}:
 * lazy fields), its body ({@link RequestBody}, `null` when it has none), and the response API
 * ({@link ResponseWriter}). The handler gets it once its turn comes (pipelined requests are
 * answered one after the other, in order) and sets a {@link listener}.
 */
export class ServerExchange extends ResponseWriter implements BodyOwner {
  readonly head: RequestHead;
  readonly body: RequestBody | null;
  readonly connection: ServerConnection;
  /** Set by the handler to hear about aborts, drains and the end. */
  listener: ExchangeListener | null = null;
  /** The request id the handler chose (used in the engine's own error answers), `null` before. */
  requestId: string | null = null;
  #continued = false;
  #gone = false;
  #endNotified = false;

  constructor(connection: ServerConnection, head: RequestHead) {
    super(connection, head.method, head.minor, head.keepAlive);
    this.connection = connection;
    this.head = head;
    this.body = head.hasBody && !head.upgrade ? new RequestBody(this, head.contentLength) : null;
  }

  /** The client connection (plain or TLS: `socket.encrypted`). */
  get socket(): Socket {
    return this.connection.socket;
  }

  /** An HTTP/1.x exchange (node:http2's streams are adapted to this shape by the proxy). */
  get http2(): false {
    return false;
  }

  /** The client went away (or the connection was cut): nothing more can be sent. */
  get clientGone(): boolean {
    return this.#gone;
  }

  /**
   * Sends `100 Continue` (RFC 9110 §15.2.1) when the client asked for it and no response started.
   * The body's {@link RequestBody.start} calls it, so a request that is let through gets it.
   */
  writeContinue(): void {
    if (this.#continued || !this.head.expectContinue || this.headersSent || this.#gone) return;
    this.#continued = true;
    this.connection.socket.write(CONTINUE);
  }

  /**
   * Takes the socket of an upgrade request ({@link RequestHead.upgrade}) away from the engine:
   * no timeout, no parsing, no drain applies to it any more. The caller writes the `101` and
   * joins it to the upstream.
   * @returns `null` when the request is no upgrade, a response started, or the client left
   */
  detach(): Detached | null {
    if (!this.head.upgrade || this.headersSent || this.#gone) return null;
    return this.connection.detach(this);
  }

  protected override get gone(): boolean {
    return this.#gone || this.connection.socket.destroyed;
  }

  protected override mustClose(): boolean {
    // A request whose body was never started is refused without reading it: the rest must not
    // be parsed as the next request, and an upload is not read to its end (lingering close). A
    // body that broke leaves the byte stream unreadable.
    // An upgrade request answered with an ordinary response ends its connection too.
    const body = this.body;
    return this.head.upgrade || (body !== null && (!body.started || body.error !== null));
  }

  // --- the body's side (BodyOwner) -----------------------------------------------------------

  bodyStarting(_body: RequestBody): void {
    this.writeContinue();
  }

  bodyFlowing(_body: RequestBody): void {
    this.connection.bodyFlowing(this);
  }

  // --- the connection's side -----------------------------------------------------------------

  /** The client left or the request broke: told to the listener once. */
  aborted(err: HttpRequestError | null): void {
    if (err === null) this.#gone = true;
    this.listener?.onExchangeAbort(this, err);
  }

  /** The socket drained. */
  drained(): void {
    if (!this.ended) this.listener?.onExchangeDrain(this);
  }

  /** The exchange is over (response ended, or the connection went away). */
  finished(): void {
    if (this.#endNotified) return;
    this.#endNotified = true;
    this.listener?.onExchangeEnd(this);
  }

  /** Marks the client gone without telling anyone (the connection tells). */
  markGone(): void {
    this.#gone = true;
  }
}

const CONTINUE = Buffer.from("HTTP/1.1 100 Continue\r\n\r\n", "latin1");
