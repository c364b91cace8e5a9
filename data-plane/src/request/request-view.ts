/**
 * The canonical view of a request: computed once in `request_filter` from the raw request, then
 * used by routing, every policy, the forwarded request and the logs. Nothing downstream of
 * `request_filter` reads `req.url`, the `Host` header or the socket address again, so no two
 * parts of the node can disagree about what the request is.
 */
export interface RequestView {
  /** Upper-case method. */
  readonly method: string;
  /** Canonical path (see router/path.ts): what policies see and, after strip/rewrite, what is forwarded. */
  readonly path: string;
  /** The path as matched: `path` with an allowed `%2F` read as `/`. */
  readonly matchPath: string;
  /** Raw query, `""` or `"?..."` (never decoded; forwarded as received). */
  readonly query: string;
  /** Lower-case host without port or trailing dot (`""` when the request names none). */
  readonly host: string;
  /** `host[:port]`, what `X-Forwarded-Host` carries (`""` when none). */
  readonly authority: string;
  /** The client address (peer, or resolved through trusted proxies), canonical text. */
  readonly clientAddress: string;
  /** The TCP peer, canonical text. */
  readonly peerAddress: string;
  /** The peer is one of `--trusted-proxies` (decided once, in `request_filter`). */
  readonly peerTrusted: boolean;
  /** Client first, peer last: the `X-Forwarded-For` sent upstream. */
  readonly forwardedFor: readonly string[];
}

/**
 * Builds a view. Not frozen: one is built per request, `Object.freeze` costs more than the rest of
 * building it, and every field is `readonly` to the code that reads it (policies included).
 * A view shared between requests (proxy/exchange.ts's `EMPTY_VIEW`) is never written either.
 */
export function requestView(v: RequestView): RequestView {
  return v;
}
