/**
 * The client side of an exchange, over HTTP/1.1 (node:http) or HTTP/2 (node:http2 compat API).
 * The proxy servers create these response classes, so each response carries its exchange
 * without a per-request closure or map lookup.
 */
import type { EventEmitter } from "node:events";
import { type IncomingMessage, ServerResponse } from "node:http";
import { type Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { Exchange } from "./exchange.js";
import type { OutgoingHeaders } from "./hop-by-hop.js";

/** A client request, HTTP/1.x or HTTP/2. */
export type DownstreamRequest = IncomingMessage | Http2ServerRequest;

/** What the proxy uses of a client response, HTTP/1.x or HTTP/2. */
export interface DownstreamResponse extends EventEmitter {
  /** The exchange this response belongs to, until the response closes. */
  exchange: Exchange | null;
  /** HTTP/2: connection-specific headers such as `Connection` are forbidden (RFC 9113 §8.2.2). */
  readonly h2: boolean;
  /** The connection or stream is gone: nothing more can be sent. */
  readonly gone: boolean;
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  readonly writableFinished: boolean;
  statusCode: number;
  writeHead(statusCode: number, headers: OutgoingHeaders): unknown;
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  end(chunk: string | Uint8Array): unknown;
  /** Sends `100 Continue` (RFC 9110 §15.2.1). */
  writeContinue(): void;
  getHeaderNames(): string[];
  removeHeader(name: string): void;
  destroy(): unknown;
}

/** The node:http response class of the proxy: it carries its exchange. */
export class ProxyResponse extends ServerResponse<IncomingMessage> implements DownstreamResponse {
  exchange: Exchange | null = null;

  get h2(): false {
    return false;
  }

  get gone(): boolean {
    return this.destroyed;
  }
}

/** The node:http2 compat response class of the proxy: it carries its exchange. */
export class ProxyH2Response extends Http2ServerResponse implements DownstreamResponse {
  exchange: Exchange | null = null;

  get h2(): true {
    return true;
  }

  /** Http2ServerResponse has no `destroyed` of its own: its stream's. */
  get gone(): boolean {
    return this.stream.destroyed;
  }
}
