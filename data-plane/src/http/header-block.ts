import { FieldNameSet, isFieldValue, isToken } from "./bytes.js";
import { HOP_BY_HOP_FIELDS, type OutgoingHeaders } from "./headers.js";

/**
 * A header name or value that cannot go on the wire: thrown with node's codes
 * (`ERR_INVALID_HTTP_TOKEN`, `ERR_INVALID_CHAR`), which upstream/upstream-errors.ts maps to
 * `UPSTREAM_BAD_RESPONSE` when the header came from an upstream.
 */
export class InvalidHeaderError extends TypeError {
  readonly code: "ERR_INVALID_HTTP_TOKEN" | "ERR_INVALID_CHAR";
  /** The offending header name (never the value: it may be a credential). */
  readonly header: string;

  constructor(code: "ERR_INVALID_HTTP_TOKEN" | "ERR_INVALID_CHAR", header: string) {
    super(code === "ERR_INVALID_HTTP_TOKEN" ? "invalid header name" : `invalid character in header ${header}`);
    this.name = "InvalidHeaderError";
    this.code = code;
    this.header = header;
  }
}

/**
 * Serializes `headers` as `name: value\r\n` lines (a value array gives one line each), checking
 * every name (a token, RFC 9110 §5.6.2) and value (no CR, LF, NUL or other control but HTAB, no
 * char above 0xff: RFC 9110 §5.5) so nothing can split the message. Names in `skip` (lower-case)
 * are left out.
 * @throws InvalidHeaderError
 */
export function serializeHeaders(headers: OutgoingHeaders, skip: FieldNameSet | null = null): string {
  let out = "";
  for (const name in headers) {
    if (skip?.hasName(name)) continue;
    const v = headers[name];
    if (v === undefined) continue;
    if (!isToken(name)) throw new InvalidHeaderError("ERR_INVALID_HTTP_TOKEN", name);
    if (typeof v === "string") {
      if (!isFieldValue(v)) throw new InvalidHeaderError("ERR_INVALID_CHAR", name);
      out += `${name}: ${v}\r\n`;
    } else {
      for (let i = 0; i < v.length; i++) {
        const one = v[i]!;
        if (!isFieldValue(one)) throw new InvalidHeaderError("ERR_INVALID_CHAR", name);
        out += `${name}: ${one}\r\n`;
      }
    }
  }
  return out;
}

/**
 * Header lines known before any request: checked and serialized once — per route when the config
 * is compiled (the response headers a route's `headers` policy sets, security headers, CORS
 * constants) — then copied into every response head as bytes. The names it sets are
 * {@link names}: a writer drops fields of those names from what it forwards, so the block's
 * value wins (set semantics).
 */
export class HeaderBlock {
  /** The lines, `name: value\r\n` each (latin1). */
  readonly bytes: Buffer;
  /** The names set, lower-case. */
  readonly names: FieldNameSet;
  /** The same lines as an object (lower-case names): for writers that take objects (HTTP/2). */
  readonly headers: Readonly<OutgoingHeaders>;

  /**
   * @param headers names (any case; written lower-case) and values
   * @throws InvalidHeaderError for a name or value that cannot go on the wire, or a framing
   *   field (`content-length`, `transfer-encoding`, `connection`, …): the writer owns those
   */
  constructor(headers: OutgoingHeaders) {
    const lower: OutgoingHeaders = {};
    for (const name in headers) {
      const v = headers[name];
      if (v === undefined) continue;
      const n = name.toLowerCase();
      if (WRITER_OWNED.hasName(n)) throw new InvalidHeaderError("ERR_INVALID_HTTP_TOKEN", n);
      lower[n] = v;
    }
    this.bytes = Buffer.from(serializeHeaders(lower), "latin1");
    this.names = new FieldNameSet(Object.keys(lower));
    this.headers = Object.freeze(lower);
  }

  /** Bytes on the wire. */
  get length(): number {
    return this.bytes.length;
  }
}

/**
 * Fields a message writer sets itself from its framing decision (RFC 9112 §6, §9.6) — the
 * hop-by-hop fields and Content-Length: never taken from a caller's constant block and never
 * forwarded from another message.
 */
export const WRITER_OWNED = new FieldNameSet([...HOP_BY_HOP_FIELDS, "content-length"]);

/** A block with no line. */
export const EMPTY_BLOCK = new HeaderBlock({});
