/**
 * Message framing and header-section checks the proxy makes itself, on the raw header lines
 * node:http kept (`rawHeaders`). node's llhttp parser (strict: the proxy server sets
 * `insecureHTTPParser: false`) already refuses, before a request exists: Content-Length together
 * with Transfer-Encoding, two Content-Length lines, a non-numeric or signed Content-Length,
 * obs-fold (RFC 9112 §5.2), header names that are not tokens and values with control bytes
 * (RFC 9110 §5.1, §5.5), bare CR or LF, chunk sizes with junk. It lets through what this module
 * refuses (each checked with raw bytes in the e2e suite):
 *
 * - a Transfer-Encoding other than exactly `chunked` on one line (`gzip, chunked`,
 *   `identity, chunked`, `CHUNKED`, two lines): the proxy re-frames bodies, so any other coding
 *   would be forwarded mislabelled, and a peer that reads it differently desyncs (RFC 9112 §6.1,
 *   §6.3; case C29);
 * - Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1: likely forwarded without chunked
 *   handling; nginx refuses it too);
 * - HTTP versions other than 1.0 and 1.1 on an HTTP/1 connection (`HTTP/2.0` in a request line,
 *   HTTP/0.9 with no header section at all);
 * - two `Host` lines (RFC 9112 §3.2: exactly one) and two `Authorization` lines (RFC 6750 §2:
 *   node keeps only the first, an upstream reading the raw message may take the second);
 * - content in a TRACE request (RFC 9110 §9.3.8).
 */

/** What the header scan found, for the authority and body phases. */
export interface HeaderScan {
  /** Every `Host` value (at most one once the scan passed). */
  readonly hosts: readonly string[];
  /** The Content-Length as a number, `null` when absent. */
  readonly contentLength: number | null;
  /** True when the body is chunked. */
  readonly chunked: boolean;
}

/** Why the framing or header section was refused. */
export type FramingRefusal =
  | "version_unsupported"
  | "te_not_chunked"
  | "te_duplicate"
  | "te_http10"
  | "cl_invalid"
  | "cl_duplicate"
  | "cl_and_te"
  | "host_duplicate"
  | "authorization_duplicate"
  | "body_not_allowed";

const DIGITS = /^[0-9]{1,15}$/;

/**
 * Scans the raw header lines once.
 * @param rawHeaders node's `rawHeaders` (name, value, name, value, …; values trimmed of OWS)
 * @param major HTTP major version of the request line
 * @param minor HTTP minor version
 * @param method upper-case method
 * @param http2 true for a request that came over HTTP/2 (node's compatibility layer), where the
 *   HTTP/1 framing rules do not apply
 * @returns the scan, or the refusal reason
 */
export function scanHeaders(
  rawHeaders: readonly string[],
  major: number,
  minor: number,
  method: string,
  http2 = false,
): HeaderScan | FramingRefusal {
  if (!http2 && (major !== 1 || (minor !== 0 && minor !== 1))) return "version_unsupported";
  let hosts: string[] | null = null;
  let cl: string | null = null;
  let te: string | null = null;
  let auth = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === "host") {
          if (hosts === null) hosts = [rawHeaders[i + 1]!];
          else hosts.push(rawHeaders[i + 1]!);
        }
        break;
      case 13:
        if (name.toLowerCase() === "authorization") auth++;
        break;
      case 14:
        if (name.toLowerCase() === "content-length") {
          if (cl !== null) return "cl_duplicate";
          cl = rawHeaders[i + 1]!;
        }
        break;
      case 17:
        if (name.toLowerCase() === "transfer-encoding") {
          if (te !== null) return "te_duplicate";
          te = rawHeaders[i + 1]!;
        }
        break;
    }
  }
  if (hosts !== null && hosts.length > 1) return "host_duplicate";
  if (auth > 1) return "authorization_duplicate";
  let contentLength: number | null = null;
  if (te !== null) {
    if (cl !== null) return "cl_and_te";
    if (te !== "chunked") return "te_not_chunked";
    if (!http2 && minor === 0) return "te_http10";
  } else if (cl !== null) {
    if (!DIGITS.test(cl)) return "cl_invalid";
    contentLength = Number(cl);
  }
  if (method === "TRACE" && (te !== null || (contentLength !== null && contentLength > 0))) return "body_not_allowed";
  return { hosts: hosts ?? [], contentLength, chunked: te !== null };
}
