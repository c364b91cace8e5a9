import { FieldList } from "./field-list.js";

/** How the body of a message is framed (RFC 9112 §6.3). */
export const BodyKind = {
  /** No body: no Content-Length (or 0) and no Transfer-Encoding. */
  None: 0,
  /** `Content-Length` bytes. */
  Length: 1,
  /** `Transfer-Encoding: chunked`. */
  Chunked: 2,
  /** Until the connection closes (responses only). */
  UntilClose: 3,
} as const;

/** One of {@link BodyKind}'s values. */
export type BodyKind = (typeof BodyKind)[keyof typeof BodyKind];

/** What the request parser found besides the fields (see {@link RequestHead}). */
export type RequestHeadInit = Pick<
  RequestHead,
  | "method"
  | "target"
  | "minor"
  | "bodyKind"
  | "contentLength"
  | "keepAlive"
  | "expectContinue"
  | "upgrade"
  | "connectionNamesFields"
  | "hostCount"
  | "authorizationCount"
  | "headStart"
  | "headEnd"
> & {
  /** Index of the first `Host` line, -1 when none. */
  readonly hostIndex: number;
};

/**
 * A request head as the engine read it: request line, framing verdict, and the field lines as
 * offsets into the received bytes ({@link FieldList}: `get`, `getAll`, raw iteration; nothing is
 * decoded unless asked). The framing rules that decide how the message is read were applied by
 * the parser (a head exists only once they passed); the checks that belong to routing and
 * policies — one `Host`, one `Authorization`, the target's form, the authority — are left to
 * the proxy, which reads them here ({@link hostCount}, {@link authorizationCount}, {@link host}).
 */
export class RequestHead extends FieldList {
  /** The method as sent (case-sensitive, RFC 9110 §9.1), one node:http knows. */
  readonly method: string;
  /** The request-target as sent (RFC 9112 §3.2): never decoded, visible ASCII only. */
  readonly target: string;
  /** Minor version: 0 or 1. */
  readonly minor: number;
  readonly bodyKind: BodyKind;
  /** The Content-Length, `null` when absent (or when the body is chunked). */
  readonly contentLength: number | null;
  /**
   * The client lets the connection stay open after this exchange (RFC 9112 §9.3): HTTP/1.1
   * without `Connection: close`, HTTP/1.0 with `Connection: keep-alive`.
   */
  readonly keepAlive: boolean;
  /** `Expect: 100-continue` on an HTTP/1.1 request (RFC 9110 §10.1.1). */
  readonly expectContinue: boolean;
  /**
   * `Connection: upgrade` with an `Upgrade` field (RFC 9110 §7.8): the engine reads nothing
   * after this head; the handler either takes the socket over or answers (the connection then
   * closes).
   */
  readonly upgrade: boolean;
  /** `Connection` names other fields (they are hop-by-hop: not to be forwarded). */
  readonly connectionNamesFields: boolean;
  /** Number of `Host` lines (RFC 9112 §3.2: exactly one on HTTP/1.1). */
  readonly hostCount: number;
  /** Number of `Authorization` lines (the proxy refuses two: RFC 6750 §2). */
  readonly authorizationCount: number;
  /** Where the head starts and ends (after its final CRLF) in {@link buffer}. */
  readonly headStart: number;
  readonly headEnd: number;
  readonly #hostIndex: number;

  constructor(buffer: Buffer, offsets: readonly number[], size: number, init: RequestHeadInit) {
    super(buffer, offsets, size);
    this.method = init.method;
    this.target = init.target;
    this.minor = init.minor;
    this.bodyKind = init.bodyKind;
    this.contentLength = init.contentLength;
    this.keepAlive = init.keepAlive;
    this.expectContinue = init.expectContinue;
    this.upgrade = init.upgrade;
    this.connectionNamesFields = init.connectionNamesFields;
    this.hostCount = init.hostCount;
    this.authorizationCount = init.authorizationCount;
    this.headStart = init.headStart;
    this.headEnd = init.headEnd;
    this.#hostIndex = init.hostIndex;
  }

  /** `"1.0"` or `"1.1"` (node's `httpVersion`). */
  get version(): string {
    return this.minor === 1 ? "1.1" : "1.0";
  }

  /** Whether a body follows the head (chunked, or a Content-Length above 0). */
  get hasBody(): boolean {
    return this.bodyKind !== BodyKind.None;
  }

  /** The first `Host` value, `undefined` when there is none. */
  get host(): string | undefined {
    return this.#hostIndex < 0 ? undefined : this.valueAt(this.#hostIndex);
  }

  /** Every `Host` value, in order (request/authority.ts's input). */
  get hosts(): string[] {
    return this.hostCount === 0 ? [] : this.hostCount === 1 ? [this.valueAt(this.#hostIndex)] : this.getAll("host");
  }

  /** The head's bytes as received (request line to the final CRLF). */
  raw(): Buffer {
    return this.buffer.subarray(this.headStart, this.headEnd);
  }
}
