/**
 * The client side of one exchange as the request loop sees it, whatever the protocol: the
 * engine's `ServerExchange` (HTTP/1.x, plain or TLS) has this shape, and `H2Downstream` gives an
 * HTTP/2 stream of node:http2 the same one. The loop and the phases only ever use this.
 */
import type { Socket } from "node:net";
import type { FieldList } from "../http/field-list.js";
import type { OutgoingHeaders } from "../http/headers.js";
import type { HttpRequestError } from "../http/http-error.js";
import type { RequestBody } from "../http/request-body.js";
import type { ResponseOptions } from "../http/response-writer.js";
import type { Detached } from "../http/server-exchange.js";

/** A request head: its field lines (read lazily) and what the parser decided about it. */
export type DownstreamHead = FieldList & {
  /** The method as sent (HTTP/1.x: case-sensitive; node knows it). */
  readonly method: string;
  /** The request-target as sent (HTTP/2: `:path`). */
  readonly target: string;
  /** `"1.0"`, `"1.1"` or `"2.0"`. */
  readonly version: string;
  /** Number of `Host` lines. */
  readonly hostCount: number;
  /** Number of `Authorization` lines. */
  readonly authorizationCount: number;
  /** Every `Host` value, in order. */
  readonly hosts: string[];
  /** The declared Content-Length, `null` when absent (or chunked). */
  readonly contentLength: number | null;
  /** Whether a body follows the head. */
  readonly hasBody: boolean;
  /** `Connection: upgrade` with an `Upgrade` field (HTTP/1.1 only). */
  readonly upgrade: boolean;
  /** `Connection` names other fields (not to be forwarded). */
  readonly connectionNamesFields: boolean;
};

/** What the client side tells the exchange (one object per request: no closure). */
export interface DownstreamListener {
  /**
   * The request cannot complete: a framing error after its head, its body limit, a timeout
   * (`err`), or the client went away (`null`). When no response started, the listener may answer
   * at once.
   */
  onExchangeAbort(downstream: unknown, err: HttpRequestError | null): void;
  /** The client drained: write again. */
  onExchangeDrain(downstream: unknown): void;
  /** The exchange is over (answered, cut, or the client left). Called once. */
  onExchangeEnd(downstream: unknown): void;
}

/** One request and its response on a client connection. */
export interface Downstream {
  readonly head: DownstreamHead;
  /** The body, `null` when the request has none (or upgrades the connection). */
  readonly body: RequestBody | null;
  /** The client connection (TLS: a TLSSocket; HTTP/2: the session's socket). */
  readonly socket: Socket;
  /** An HTTP/2 stream: no `Connection`-specific fields, no upgrade. */
  readonly http2: boolean;
  /** The request id the loop chose (used in the engine's own error answers). */
  requestId: string | null;
  listener: DownstreamListener | null;
  readonly statusCode: number;
  readonly headersSent: boolean;
  /** The response ended (or was cut). */
  readonly ended: boolean;
  /** The response was cut short. */
  readonly cut: boolean;
  /** The client is gone: nothing more can be sent. */
  readonly clientGone: boolean;
  /**
   * Writes the response head (sent with the first body bytes).
   * @throws InvalidHeaderError for a header that cannot go on the wire (nothing is written)
   */
  writeHead(status: number, headers: OutgoingHeaders | null, options?: ResponseOptions): void;
  /** @returns false when the client's buffer is full (wait for the listener's drain) */
  write(chunk: Buffer): boolean;
  end(chunk?: Buffer): void;
  /** Cuts the response (the client never takes a truncated body for a complete one). */
  abort(): void;
  /** Takes back a head not yet sent (no byte of the response left): false when it already left. */
  discardHead(): boolean;
  /** Sends `100 Continue` when the client asked for it and nothing was sent yet. */
  writeContinue(): void;
  /** Hands the socket of an upgrade request over (`null` when it cannot be). */
  detach(): Detached | null;
}
