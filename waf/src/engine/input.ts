import type { ByteString } from "../bytes.js";

/** A header as received: name and value as byte strings, in order (duplicates kept). */
export type Header = readonly [name: ByteString, value: ByteString];

/**
 * A request as the engine sees it (no knowledge of the proxy): the request line's parts as sent,
 * the headers in order, and the connection's addresses.
 */
export interface RequestInput {
  /** The method as sent (`GET`). */
  readonly method: ByteString;
  /** The raw request-target as sent (`/a/b?c=d`, `*`, `host:443`, `http://h/p`). */
  readonly target: ByteString;
  /** The protocol as sent (`HTTP/1.1`). */
  readonly protocol: ByteString;
  readonly headers: readonly Header[];
  /** The client address (REMOTE_ADDR), IPv4 or IPv6 text. */
  readonly remoteAddress: string;
  /** REMOTE_PORT. */
  readonly remotePort: number;
  /** SERVER_ADDR (default 127.0.0.1). */
  readonly serverAddress?: string;
  /** SERVER_PORT (default 80). */
  readonly serverPort?: number;
}

/** A response as the engine sees it. */
export interface ResponseInput {
  /** RESPONSE_STATUS, e.g. 200. */
  readonly status: number;
  /** RESPONSE_PROTOCOL (default `HTTP/1.1`). */
  readonly protocol?: ByteString;
  readonly headers: readonly Header[];
}
