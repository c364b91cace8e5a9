import { METHODS } from "node:http";
import { CR, LF, latin1, SP, TCHAR } from "./bytes.js";
import {
  CONN_CLOSE,
  CONN_KEEP_ALIVE,
  CONN_OTHER,
  CONN_UPGRADE,
  connectionFlags,
  NEED_MORE,
  parseContentLength,
  trailingTab,
} from "./field-line.js";
import { type HeadFault, HeadReader, nameIs } from "./head-reader.js";
import { badRequest, HttpRequestError, type RequestRefusalReason } from "./http-error.js";
import { BodyKind, RequestHead } from "./request-head.js";

export { INVALID, NEED_MORE } from "./field-line.js";

/** Size limits of a request head (bytes, counts). */
export interface RequestLimits {
  /** Request line and header section together, bytes (`--max-header-bytes`); more → 431. */
  readonly maxHeaderBytes: number;
  /** The request line alone, bytes; more → 414 (RFC 9112 §3). At most `maxHeaderBytes`. */
  readonly maxRequestLineBytes: number;
  /** Field lines at most (`--max-headers`); more → 431. */
  readonly maxHeaders: number;
}

/** The methods node:http (llhttp) accepts: Palisade refuses the same others (400). */
const KNOWN_METHODS: ReadonlyMap<string, string> = new Map(METHODS.map((m) => [m, m]));

const TOO_LARGE = new HttpRequestError("HEADERS_TOO_LARGE", "header_section_too_large");
const TOO_MANY = new HttpRequestError("HEADERS_TOO_LARGE", "header_count_exceeded");
const LINE_TOO_LONG = new HttpRequestError("URI_TOO_LONG", "request_line_too_long");
const CONNECT = new HttpRequestError("NOT_IMPLEMENTED", "method_connect");
const VERSION_505 = new HttpRequestError("HTTP_VERSION_NOT_SUPPORTED", "version_unsupported");
const EXPECTATION = new HttpRequestError("EXPECTATION_FAILED", "expectation_unsupported");
const REFUSALS = new Map<RequestRefusalReason, HttpRequestError>();

/** The shared 400 of a reason (refusals carry nothing per request). */
function refusal(reason: RequestRefusalReason): HttpRequestError {
  let e = REFUSALS.get(reason);
  if (e === undefined) {
    e = badRequest(reason);
    REFUSALS.set(reason, e);
  }
  return e;
}

/**
 * The incremental request-head parser of one connection (RFC 9112 §2-3, §5, §6): feed it the
 * bytes as they arrive; it returns once a head is complete, needs more, or is refused. One pass
 * over each byte, no string built but the method and the target. A head inside one received
 * chunk is parsed in place (the {@link RequestHead} points into that chunk); a head spread over
 * several chunks is gathered into a buffer of its own, resuming at the line where it stopped.
 *
 * Refused (each with the reason of {@link HttpRequestError}): a method that is not one node:http
 * knows (400) or CONNECT (501); a request line that is not exactly `method SP target SP
 * HTTP/d.d CRLF` (400, so HTTP/0.9 too), a target byte outside 0x21-0x7e (400), a version whose
 * major is not 1 (505) or `HTTP/1.x` above 1.1 (400); a request line above the limit (414), a
 * head above its limit or with more fields than allowed (431); every field-line fault of
 * field-line.ts (400); two Content-Length or two Transfer-Encoding lines, both together, a
 * Transfer-Encoding other than exactly `chunked`, Transfer-Encoding in HTTP/1.0, a Content-Length
 * that is not 1-15 digits, a TRACE with a body (400, the reasons of request/framing.ts); an
 * `Expect` other than `100-continue` on HTTP/1.1 (417, as node:http). Empty lines before the
 * request line are skipped (RFC 9112 §2.2).
 */
export class RequestHeadParser extends HeadReader<HttpRequestError> {
  /** The head, once {@link execute} returned a position. */
  head: RequestHead | null = null;
  #method = "";
  #target = "";
  #minor = 1;
  // What the field scan found (indexes of lines, -1 when absent).
  #clIndex = -1;
  #teIndex = -1;
  #hostIndex = -1;
  #hostCount = 0;
  #authCount = 0;
  #expectIndex = -1;
  #upgradeSeen = false;
  #conn = 0;
  #dup: RequestRefusalReason | null = null;
  #tab: RequestRefusalReason | null = null;

  constructor(limits: RequestLimits) {
    super(
      { maxHeaderBytes: limits.maxHeaderBytes, maxLineBytes: limits.maxRequestLineBytes, maxFields: limits.maxHeaders },
      true,
    );
  }

  /**
   * The method of the head being read (or refused), `""` until its request line got that far: a
   * refused HEAD request is answered without a body (RFC 9110 §9.3.2).
   */
  get method(): string {
    return this.#method;
  }

  protected resetHead(): void {
    this.head = null;
    this.#method = "";
    this.#clIndex = -1;
    this.#teIndex = -1;
    this.#hostIndex = -1;
    this.#hostCount = 0;
    this.#authCount = 0;
    this.#expectIndex = -1;
    this.#upgradeSeen = false;
    this.#conn = 0;
    this.#dup = null;
    this.#tab = null;
  }

  protected fault(fault: HeadFault): HttpRequestError {
    switch (fault) {
      case "line_too_long":
        return LINE_TOO_LONG;
      case "section_too_large":
        return TOO_LARGE;
      case "too_many_fields":
        return TOO_MANY;
      default:
        return refusal(fault);
    }
  }

  /** `method SP request-target SP HTTP-version CRLF` (RFC 9112 §3). */
  protected startLine(buf: Buffer, p: number, end: number): number {
    let i = p;
    while (i < end && TCHAR[buf[i]!] === 1) i++;
    if (i === end) return NEED_MORE;
    if (buf[i] !== SP || i === p) return this.fail(refusal(i === p ? "method_invalid" : "request_line_invalid"));
    const method = internMethod(buf, p, i);
    if (method === undefined) return this.fail(refusal("method_invalid"));
    this.#method = method;
    if (method === "CONNECT") return this.fail(CONNECT);
    let j = i + 1;
    while (j < end) {
      const c = buf[j]!;
      if (c < 0x21 || c > 0x7e) break;
      j++;
    }
    if (j === end) return NEED_MORE;
    const c = buf[j]!;
    if (j === i + 1) return this.fail(refusal("target_invalid"));
    if (c !== SP) return this.fail(refusal(c === CR || c === LF ? "request_line_invalid" : "target_invalid"));
    const k = j + 1;
    // "HTTP/" DIGIT "." DIGIT CRLF, checked as far as the bytes go (fails early on junk).
    const have = Math.min(end - k, 10);
    for (let n = 0; n < have; n++) {
      const b = buf[k + n]!;
      const ok =
        n < 5
          ? b === VERSION_PREFIX[n]
          : n === 6
            ? b === 0x2e
            : n === 8
              ? b === CR
              : n === 9
                ? b === LF
                : b >= 0x30 && b <= 0x39;
      if (!ok) return this.fail(refusal(n === 9 && b !== LF ? "bare_cr" : "request_line_invalid"));
    }
    if (have < 10) return NEED_MORE;
    const major = buf[k + 5]! - 0x30;
    const minor = buf[k + 7]! - 0x30;
    if (major !== 1) return this.fail(VERSION_505);
    if (minor > 1) return this.fail(refusal("version_unsupported"));
    this.#target = latin1(buf, i + 1, j);
    this.#minor = minor;
    return k + 10;
  }

  /** Notes what line `k` means for framing (names compared by length first). */
  protected field(buf: Buffer, k: number): void {
    const s = this.scratch;
    const ns = s[4 * k]!;
    switch (s[4 * k + 1]! - ns) {
      case 4:
        if (nameIs(buf, ns, "host")) {
          if (this.#hostCount++ === 0) this.#hostIndex = k;
        }
        break;
      case 6:
        if (nameIs(buf, ns, "expect") && this.#expectIndex < 0) this.#expectIndex = k;
        break;
      case 7:
        if (nameIs(buf, ns, "upgrade")) this.#upgradeSeen = true;
        break;
      case 10:
        if (nameIs(buf, ns, "connection")) this.#conn |= connectionFlags(buf, s[4 * k + 2]!, s[4 * k + 3]!);
        break;
      case 13:
        if (nameIs(buf, ns, "authorization")) this.#authCount++;
        break;
      case 14:
        if (nameIs(buf, ns, "content-length")) {
          if (this.#clIndex >= 0) this.#dup ??= "cl_duplicate";
          else this.#clIndex = k;
          if (trailingTab(buf, s[4 * k + 3]!)) this.#tab ??= "cl_invalid";
        }
        break;
      case 17:
        if (nameIs(buf, ns, "transfer-encoding")) {
          if (this.#teIndex >= 0) this.#dup ??= "te_duplicate";
          else this.#teIndex = k;
          if (trailingTab(buf, s[4 * k + 3]!)) this.#tab ??= "te_not_chunked";
        }
        break;
    }
  }

  /** The head is complete: the framing verdict (request/framing.ts's order), then the head. */
  protected finish(buf: Buffer, headEnd: number): number {
    if (this.#dup !== null) return this.fail(refusal(this.#dup));
    const s = this.scratch;
    const minor = this.#minor;
    if (this.#tab !== null && !(this.#teIndex >= 0 && this.#clIndex >= 0)) return this.fail(refusal(this.#tab));
    let bodyKind: BodyKind = BodyKind.None;
    let contentLength: number | null = null;
    if (this.#teIndex >= 0) {
      if (this.#clIndex >= 0) return this.fail(refusal("cl_and_te"));
      const t = 4 * this.#teIndex;
      if (!isChunked(buf, s[t + 2]!, s[t + 3]!)) return this.fail(refusal("te_not_chunked"));
      if (minor === 0) return this.fail(refusal("te_http10"));
      bodyKind = BodyKind.Chunked;
    } else if (this.#clIndex >= 0) {
      const t = 4 * this.#clIndex;
      const n = parseContentLength(buf, s[t + 2]!, s[t + 3]!);
      if (n < 0) return this.fail(refusal("cl_invalid"));
      contentLength = n;
      if (n > 0) bodyKind = BodyKind.Length;
    }
    if (this.#method === "TRACE" && bodyKind !== BodyKind.None) return this.fail(refusal("body_not_allowed"));
    let expectContinue = false;
    if (this.#expectIndex >= 0 && minor === 1) {
      const t = 4 * this.#expectIndex;
      if (!isContinue(buf, s[t + 2]!, s[t + 3]!)) return this.fail(EXPECTATION);
      expectContinue = true;
    }
    const conn = this.#conn;
    const keepAlive = (conn & CONN_CLOSE) === 0 && (minor === 1 || (conn & CONN_KEEP_ALIVE) !== 0);
    const count = this.count;
    this.head = new RequestHead(buf, s.slice(0, 4 * count), count, {
      method: this.#method,
      target: this.#target,
      minor,
      bodyKind,
      contentLength,
      keepAlive,
      expectContinue,
      upgrade: (conn & CONN_UPGRADE) !== 0 && this.#upgradeSeen,
      connectionNamesFields: (conn & CONN_OTHER) !== 0,
      hostIndex: this.#hostIndex,
      hostCount: this.#hostCount,
      authorizationCount: this.#authCount,
      headStart: this.start,
      headEnd,
    });
    return headEnd;
  }
}

const VERSION_PREFIX = Buffer.from("HTTP/", "latin1");

/** The method in `buf[s..e)` as one of node's method strings, or `undefined`. */
function internMethod(buf: Buffer, s: number, e: number): string | undefined {
  const len = e - s;
  const c = buf[s];
  if (len === 3 && c === 0x47 && buf[s + 1] === 0x45 && buf[s + 2] === 0x54) return "GET";
  if (len === 4 && c === 0x50 && buf[s + 1] === 0x4f && buf[s + 2] === 0x53 && buf[s + 3] === 0x54) return "POST";
  return KNOWN_METHODS.get(latin1(buf, s, e));
}

/** Exactly `chunked` (request/framing.ts: one coding, this spelling). */
function isChunked(buf: Buffer, s: number, e: number): boolean {
  if (e - s !== 7) return false;
  for (let i = 0; i < 7; i++) if (buf[s + i] !== CHUNKED[i]) return false;
  return true;
}

const CHUNKED = Buffer.from("chunked", "latin1");

/** `100-continue`, any case (RFC 9110 §10.1.1). */
function isContinue(buf: Buffer, s: number, e: number): boolean {
  return e - s === 12 && nameIs(buf, s, "100-continue");
}
