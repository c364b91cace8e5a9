import { constants, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import type { Socket } from "node:net";
import { FieldList, layoutFields, NO_FIELDS } from "../http/field-list.js";
import type { OutgoingHeaders } from "../http/headers.js";
import { HttpRequestError } from "../http/http-error.js";
import { type BodyOwner, RequestBody } from "../http/request-body.js";
import type { ResponseOptions } from "../http/response-writer.js";
import type { Detached } from "../http/server-exchange.js";
import type { DownstreamListener } from "./downstream.js";

const DIGITS = /^[0-9]{1,15}$/;
const TIMEOUT = new HttpRequestError("REQUEST_TIMEOUT", "request_timeout", true);
const INCOMPLETE = new HttpRequestError("BAD_REQUEST", "message_incomplete", true);

/**
 * An HTTP/2 request's head in the engine's shape: node:http2 decoded the fields (HPACK), so they
 * are laid out once as `name: value` lines (see field-list.ts `layoutFields`), pseudo-headers
 * left out; `:method`, `:path` and `:authority` become {@link method}, {@link target} and
 * {@link authority}.
 */
export class H2Head extends FieldList {
  readonly method: string;
  readonly target: string;
  readonly version = "2.0";
  /** `:authority` (RFC 9113 §8.3.1), `null` when absent. */
  readonly authority: string | null;
  readonly hostCount: number;
  readonly authorizationCount: number;
  readonly contentLength: number | null;
  readonly hasBody: boolean;
  readonly upgrade = false;
  readonly connectionNamesFields = false;

  constructor(req: Http2ServerRequest) {
    const raw = req.rawHeaders;
    const pairs: string[] = [];
    for (let i = 0; i < raw.length; i += 2) if (raw[i]!.charCodeAt(0) !== 0x3a) pairs.push(raw[i]!, raw[i + 1]!);
    const { buffer, offsets, size } = layoutFields(pairs);
    super(buffer, offsets, size);
    this.method = req.method;
    this.target = req.url;
    this.authority = (req.headers[":authority"] as string | undefined) ?? null;
    this.hostCount = this.count("host");
    this.authorizationCount = this.count("authorization");
    const cl = this.count("content-length") === 1 ? this.get("content-length")! : undefined;
    this.contentLength = cl !== undefined && DIGITS.test(cl) ? Number(cl) : null;
    this.hasBody = !req.stream.endAfterHeaders;
  }

  get hosts(): string[] {
    return this.getAll("host");
  }
}

/**
 * One HTTP/2 stream (node:http2's compatibility API) as a {@link Downstream}: the request body is
 * the engine's {@link RequestBody}, fed from the stream with its backpressure, so body limits,
 * inspection and the upstream side treat both protocols alike; the response is written as a
 * header object (HTTP/2 has no raw lines to copy). `--client-request-timeout-ms` applies to the
 * body (node enforces it for HTTP/1.x only): a late body fails with 408, or the stream is reset
 * once the answer started.
 */
export class H2Downstream implements BodyOwner {
  readonly head: H2Head;
  readonly body: RequestBody | null;
  readonly socket: Socket;
  readonly http2 = true;
  requestId: string | null = null;
  listener: DownstreamListener | null = null;
  readonly #req: Http2ServerRequest;
  readonly #res: Http2ServerResponse;
  readonly #expectContinue: boolean;
  #status = 0;
  #ended = false;
  #cut = false;
  #gone = false;
  #continued = false;
  #reading = false;
  #endNotified = false;
  #timer: NodeJS.Timeout | undefined;

  /**
   * @param expectContinue the client sent `Expect: 100-continue` (node's `checkContinue`)
   * @param requestTimeoutMs time the client has for its whole body, ms
   */
  constructor(req: Http2ServerRequest, res: Http2ServerResponse, expectContinue: boolean, requestTimeoutMs: number) {
    this.#req = req;
    this.#res = res;
    this.#expectContinue = expectContinue;
    this.head = new H2Head(req);
    this.socket = (req.stream.session?.socket ?? req.socket) as Socket;
    this.body = this.head.hasBody ? new RequestBody(this, this.head.contentLength) : null;
    res.on("close", this.#onClose);
    res.on("finish", this.#onFinish);
    res.on("drain", this.#onDrain);
    if (this.body !== null) {
      this.#timer = setTimeout(onBodyTimeout, requestTimeoutMs, this);
      this.#timer.unref();
    }
  }

  get statusCode(): number {
    return this.#status;
  }

  get headersSent(): boolean {
    return this.#status !== 0;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get cut(): boolean {
    return this.#cut;
  }

  get clientGone(): boolean {
    return this.#gone || this.#req.stream.destroyed;
  }

  writeHead(status: number, headers: OutgoingHeaders | null, options?: ResponseOptions): void {
    if (this.clientGone) return;
    const out: OutgoingHeaders = {};
    const forward = options?.forward ?? null;
    if (forward !== null) {
      const drop = options?.drop ?? null;
      const owned = options?.owned ?? options?.block?.names ?? null;
      for (let i = 0; i < forward.size; i++) {
        if ((drop !== null && forward.nameIn(i, drop)) || (owned !== null && forward.nameIn(i, owned))) continue;
        const name = forward.lowerNameAt(i);
        if (HTTP2_FORBIDDEN.has(name)) continue;
        const value = forward.valueAt(i);
        const seen = out[name];
        out[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
      }
    }
    if (headers !== null) for (const n in headers) if (!HTTP2_FORBIDDEN.has(n)) out[n] = headers[n]!;
    if (options?.block) Object.assign(out, options.block.headers);
    for (const b of options?.blocks ?? []) Object.assign(out, b.headers);
    const length = options?.contentLength ?? -1;
    if (length >= 0 && status !== 204) out["content-length"] = String(length);
    this.#res.writeHead(status, out);
    this.#status = status;
  }

  write(chunk: Buffer): boolean {
    if (this.clientGone || this.#ended) return true;
    return this.#res.write(chunk);
  }

  end(chunk?: Buffer): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.clientGone) return;
    if (chunk !== undefined && chunk.length > 0 && this.#req.method !== "HEAD") this.#res.end(chunk);
    else this.#res.end();
  }

  abort(): void {
    if (this.#cut) return;
    this.#cut = true;
    this.#ended = true;
    const stream = this.#req.stream;
    if (!stream.destroyed) stream.close(constants.NGHTTP2_CANCEL);
  }

  /** The HTTP/2 head leaves at once (node's compatibility API): it cannot be taken back. */
  discardHead(): boolean {
    return false;
  }

  writeContinue(): void {
    if (!this.#expectContinue || this.#continued || this.#status !== 0 || this.clientGone) return;
    this.#continued = true;
    this.#res.writeContinue();
  }

  /** HTTP/2 has no upgrade (RFC 9113 §8.6; WebSockets over HTTP/2, RFC 8441, are not offered). */
  detach(): Detached | null {
    return null;
  }

  // --- the body's side (BodyOwner) -------------------------------------------------------------

  bodyStarting(_body: RequestBody): void {
    this.writeContinue();
  }

  bodyFlowing(_body: RequestBody): void {
    const req = this.#req;
    if (!this.#reading) {
      this.#reading = true;
      req.on("data", this.#onData);
      req.once("end", this.#onEnd);
    }
    req.resume();
  }

  /** The body was not received in time (the request timeout). */
  timedOut(): void {
    const body = this.body!;
    if (body.complete || body.error !== null) return;
    if (this.#status !== 0) {
      // The answer started: the stream is reset.
      body.fail(TIMEOUT);
      this.abort();
      return;
    }
    this.#fail(TIMEOUT);
  }

  /** The body failed: the listener answers (or the stream is reset when nobody did). */
  #fail(err: HttpRequestError): void {
    this.body!.fail(err);
    this.listener?.onExchangeAbort(this, err);
    if (this.#status === 0 && !this.#ended) this.abort();
  }

  readonly #onData = (chunk: Buffer): void => {
    const body = this.body!;
    if (!body.onBodyData(chunk)) {
      if (body.error !== null) {
        this.#req.pause();
        this.#fail(body.error);
        return;
      }
      this.#req.pause();
    }
  };

  readonly #onEnd = (): void => {
    clearTimeout(this.#timer);
    this.body!.end(NO_FIELDS);
  };

  readonly #onDrain = (): void => {
    if (!this.#ended) this.listener?.onExchangeDrain(this);
  };

  readonly #onFinish = (): void => {
    this.#ended = true;
    const body = this.body;
    // Answered before the whole body came: tell the client to stop sending (RFC 9113 §8.1).
    if (body !== null && !body.complete && !this.#req.stream.destroyed)
      this.#req.stream.close(constants.NGHTTP2_NO_ERROR);
    this.#notifyEnd();
  };

  readonly #onClose = (): void => {
    clearTimeout(this.#timer);
    const body = this.body;
    if (!this.#ended) {
      this.#gone = true;
      if (body !== null && !body.complete) body.fail(INCOMPLETE);
      this.listener?.onExchangeAbort(this, null);
    }
    this.#notifyEnd();
  };

  #notifyEnd(): void {
    if (this.#endNotified) return;
    this.#endNotified = true;
    this.listener?.onExchangeEnd(this);
  }
}

function onBodyTimeout(d: H2Downstream): void {
  d.timedOut();
}

/** Connection-specific fields an HTTP/2 message must not carry (RFC 9113 §8.2.2). */
const HTTP2_FORBIDDEN: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
]);
