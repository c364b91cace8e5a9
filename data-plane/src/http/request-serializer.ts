import { isFieldValue, isToken, latin1Write } from "./bytes.js";
import { copyForwarded, type ForwardedFields } from "./field-copy.js";
import { InvalidHeaderError, serializeHeaders, WRITER_OWNED } from "./header-block.js";
import type { OutgoingHeaders } from "./headers.js";

/** A request the proxy built wrongly (its method or target cannot go on the wire): a bug, 500. */
export class InvalidRequestError extends Error {
  /** undici's code for the same fault: upstream/upstream-errors.ts maps it to `INTERNAL`. */
  readonly code = "UND_ERR_INVALID_ARG";

  constructor(message: string) {
    super(message);
    this.name = "InvalidRequestError";
  }
}

/** An upstream request head to serialize. */
export interface UpstreamRequestHead {
  readonly method: string;
  /** origin-form target, `/path?query` (visible ASCII only). */
  readonly path: string;
  /** Header fields (lower-case names; `host` goes first). Framing fields in it are ignored. */
  readonly headers: OutgoingHeaders | null;
  /** Lines of the client's head copied as bytes (see field-copy.ts), written after `host`. */
  readonly forward?: ForwardedFields | null;
  /** Body bytes: -1 unknown (sent chunked), 0 none, n > 0 sent with `Content-Length`. */
  readonly bodyLength: number;
  /** The protocol to switch to (`websocket`), or `null`. */
  readonly upgrade: string | null;
}

/** Methods whose requests are expected to carry content: they get `Content-Length: 0` without a body (as undici). */
const EXPECTS_BODY: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH"]);

/**
 * Builds the head of an upstream request in one buffer: request line, `host`, forwarded raw
 * lines, the headers object (names and values checked), then the framing the engine decides —
 * `content-length`, `transfer-encoding: chunked` for a body of unknown length (RFC 9112 §6.1),
 * and `connection: keep-alive` (or `connection: upgrade` + `upgrade`).
 * @throws InvalidRequestError for a method that is not a token or a target with a byte outside
 *   0x21-0x7e; InvalidHeaderError (header-block.ts) for a header that cannot go on the wire
 */
export function serializeRequestHead(r: UpstreamRequestHead): Buffer {
  if (!isToken(r.method)) throw new InvalidRequestError("invalid request method");
  const path = r.path;
  if (path.length === 0) throw new InvalidRequestError("empty request target");
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) throw new InvalidRequestError("invalid character in request target");
  }
  if (r.upgrade !== null && !isToken(r.upgrade)) throw new InvalidRequestError("invalid upgrade protocol");
  const headers = r.headers;
  const host = headers?.host;
  let line = `${r.method} ${path} HTTP/1.1\r\n`;
  if (typeof host === "string") {
    if (!isFieldValue(host)) throw new InvalidHeaderError("ERR_INVALID_CHAR", "host");
    line += `host: ${host}\r\n`;
  }
  let framing: string;
  if (r.bodyLength > 0) framing = `content-length: ${r.bodyLength}\r\n`;
  else if (r.bodyLength < 0) framing = "transfer-encoding: chunked\r\n";
  else framing = EXPECTS_BODY.has(r.method) ? "content-length: 0\r\n" : "";
  const conn = r.upgrade === null ? "connection: keep-alive\r\n" : `connection: upgrade\r\nupgrade: ${r.upgrade}\r\n`;
  // The node's own lines and the framing go in one string: two copies of text into the head
  // (each a call into node's codec, which costs more than the copy itself), whatever the count.
  const rest = `${headers === null ? "" : serializeHeaders(headers, HOST_AND_FRAMING)}${framing}${conn}\r\n`;
  const fwd = r.forward ?? null;
  const head = Buffer.allocUnsafe(line.length + (fwd === null ? 0 : fwd.bytes) + rest.length);
  let off = latin1Write(head, line, 0);
  if (fwd !== null) off = copyForwarded(fwd, head, off);
  latin1Write(head, rest, off);
  return head;
}

const HOST_AND_FRAMING = WRITER_OWNED.union(["host"]);
