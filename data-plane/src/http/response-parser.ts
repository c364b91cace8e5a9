import { CR, HTAB, LF, latin1, SP } from "./bytes.js";
import {
  CONN_CLOSE,
  CONN_KEEP_ALIVE,
  CONN_OTHER,
  connectionFlags,
  NEED_MORE,
  parseContentLength,
  trailingTab,
} from "./field-line.js";
import { FieldList } from "./field-list.js";
import { type HeadFault, HeadReader, nameIs } from "./head-reader.js";
import { ResponseParseError, type ResponseRefusalReason } from "./http-error.js";
import { BodyKind } from "./request-head.js";

export { INVALID, NEED_MORE } from "./field-line.js";

/** What the response parser found besides the fields (see {@link ResponseHead}). */
type ResponseHeadInit = Pick<
  ResponseHead,
  "status" | "minor" | "bodyKind" | "contentLength" | "keepAlive" | "keepAliveTimeoutMs" | "connectionNamesFields"
> & {
  /** The reason phrase's bytes. */
  readonly reasonStart: number;
  readonly reasonEnd: number;
};

/**
 * An upstream response head: status line, framing verdict (for the request it answers), and the
 * field lines as offsets into the received bytes ({@link FieldList}; nothing decoded unless
 * asked — a proxy can copy the lines to the client byte for byte).
 */
export class ResponseHead extends FieldList {
  readonly status: number;
  /** Minor version: 0 or 1. */
  readonly minor: number;
  readonly bodyKind: BodyKind;
  /** The Content-Length when one was sent (also on HEAD and 304 answers, as metadata). */
  readonly contentLength: number | null;
  /** The upstream lets the connection be reused (RFC 9112 §9.3). */
  readonly keepAlive: boolean;
  /** `Keep-Alive: timeout=N` as ms, -1 when absent. */
  readonly keepAliveTimeoutMs: number;
  /** `Connection` names other fields (they are hop-by-hop: a proxy does not forward them, RFC 9110 §7.6.1). */
  readonly connectionNamesFields: boolean;
  readonly #reasonStart: number;
  readonly #reasonEnd: number;

  constructor(buffer: Buffer, offsets: readonly number[], size: number, init: ResponseHeadInit) {
    super(buffer, offsets, size);
    this.status = init.status;
    this.minor = init.minor;
    this.bodyKind = init.bodyKind;
    this.contentLength = init.contentLength;
    this.keepAlive = init.keepAlive;
    this.keepAliveTimeoutMs = init.keepAliveTimeoutMs;
    this.connectionNamesFields = init.connectionNamesFields;
    this.#reasonStart = init.reasonStart;
    this.#reasonEnd = init.reasonEnd;
  }

  /** The reason phrase as sent (possibly empty). */
  get statusText(): string {
    return latin1(this.buffer, this.#reasonStart, this.#reasonEnd);
  }
}

/** Size limits of an upstream response head. */
export interface ResponseLimits {
  /** Status line and header section, bytes. Default 65,536. */
  readonly maxHeaderBytes?: number;
  /** Field lines at most. Default 256. */
  readonly maxHeaders?: number;
}

const ERRORS = new Map<ResponseRefusalReason, ResponseParseError>();

/**
 * The error of a reason. Errors are shared per reason: the stack says nothing useful (the
 * upstream's bytes are the cause) and a faulty upstream must not cost a stack capture per answer.
 */
export function responseError(reason: ResponseRefusalReason): ResponseParseError {
  let e = ERRORS.get(reason);
  if (e === undefined) {
    e = new ResponseParseError(reason);
    ERRORS.set(reason, e);
  }
  return e;
}

/**
 * The strict incremental parser of upstream response heads (RFC 9112 §4, §5, §6.3). Refused,
 * each as a {@link ResponseParseError} (the proxy answers 502 `UPSTREAM_BAD_RESPONSE` and drops
 * the connection): a status line that is not `HTTP/1.x SP 3DIGIT [SP reason] CRLF`; every
 * field-line fault of field-line.ts; a head above its limits; two Content-Length or two
 * Transfer-Encoding lines, both together (RFC 9112 §6.3 lets a recipient pick, a proxy that
 * picks can be desynchronised), a Transfer-Encoding other than `chunked`, a Content-Length that
 * is not digits; framing on a 204 (RFC 9110 §15.3.5: it has no content); a 101 the request did
 * not ask for. Interim 1xx answers (100, 102, 103) are skipped: the parser reads on to the final
 * head.
 *
 * The body framing depends on the request (RFC 9112 §6.3): none for HEAD, 1xx, 204 and 304
 * (their Content-Length is metadata), else chunked, Content-Length, or until the connection closes.
 */
export class ResponseHeadParser extends HeadReader<ResponseParseError> {
  /** The final head, once {@link execute} returned a position. */
  head: ResponseHead | null = null;
  /** The request was HEAD (its answer has no body). */
  #head = false;
  /** The request asked to upgrade (a 101 is expected). */
  #upgrade = false;
  #status = 0;
  #minor = 1;
  #reasonStart = 0;
  #reasonEnd = 0;
  #clIndex = -1;
  #teIndex = -1;
  #kaIndex = -1;
  #conn = 0;
  #dup: ResponseRefusalReason | null = null;

  constructor(limits: ResponseLimits = {}) {
    const maxHeaderBytes = limits.maxHeaderBytes ?? 65_536;
    super({ maxHeaderBytes, maxLineBytes: maxHeaderBytes, maxFields: limits.maxHeaders ?? 256 }, false);
  }

  /**
   * Prepares for the answer to a request.
   * @param head the request was HEAD
   * @param upgrade the request asked for an upgrade
   */
  expect(head: boolean, upgrade: boolean): void {
    this.reset();
    this.#head = head;
    this.#upgrade = upgrade;
  }

  /**
   * Parses `chunk[start..]`, skipping interim answers.
   * @returns the position after the final head, {@link NEED_MORE} or {@link INVALID}
   */
  override execute(chunk: Buffer, start: number): number {
    let at = start;
    for (;;) {
      const r = super.execute(chunk, at);
      if (r < 0 || this.head !== null) return r;
      // An interim answer ended: read on.
      const head = this.#head;
      const upgrade = this.#upgrade;
      this.expect(head, upgrade);
      at = r;
      if (at >= chunk.length) return NEED_MORE;
    }
  }

  protected resetHead(): void {
    this.head = null;
    this.#status = 0;
    this.#clIndex = -1;
    this.#teIndex = -1;
    this.#kaIndex = -1;
    this.#conn = 0;
    this.#dup = null;
  }

  protected fault(fault: HeadFault): ResponseParseError {
    switch (fault) {
      case "line_too_long":
      case "section_too_large":
        return responseError("header_section_too_large");
      case "too_many_fields":
        return responseError("header_count_exceeded");
      default:
        return responseError(fault);
    }
  }

  /** `HTTP/1.x SP 3DIGIT [SP reason-phrase] CRLF` (RFC 9112 §4; a missing reason is common). */
  protected startLine(buf: Buffer, p: number, end: number): number {
    if (end - p < 14) {
      // Fail early on bytes that cannot start a status line.
      for (let i = 0; i < end - p && i < 9; i++) if (!statusPrefixOk(buf[p + i]!, i)) return this.#bad();
      return NEED_MORE;
    }
    for (let i = 0; i < 12; i++) if (!statusPrefixOk(buf[p + i]!, i)) return this.#bad();
    const minor = buf[p + 7]! - 0x30;
    if (minor > 1) return this.fail(responseError("version_unsupported"));
    const status = (buf[p + 9]! - 0x30) * 100 + (buf[p + 10]! - 0x30) * 10 + (buf[p + 11]! - 0x30);
    if (status < 100) return this.#bad();
    let i = p + 12;
    let reasonStart = i;
    if (buf[i] === SP) reasonStart = ++i;
    else if (buf[i] !== CR) return this.#bad();
    while (i < end) {
      const c = buf[i]!;
      if (c === CR) break;
      if (c < 0x20 ? c !== HTAB : c === 0x7f) return this.#bad();
      i++;
    }
    if (i + 1 >= end) return NEED_MORE;
    if (buf[i + 1] !== LF) return this.fail(responseError("bare_cr"));
    this.#status = status;
    this.#minor = minor;
    this.#reasonStart = reasonStart;
    this.#reasonEnd = i;
    return i + 2;
  }

  #bad(): number {
    return this.fail(responseError("status_line_invalid"));
  }

  protected field(buf: Buffer, k: number): void {
    const s = this.scratch;
    const ns = s[4 * k]!;
    switch (s[4 * k + 1]! - ns) {
      case 10:
        if (nameIs(buf, ns, "connection")) this.#conn |= connectionFlags(buf, s[4 * k + 2]!, s[4 * k + 3]!);
        else if (nameIs(buf, ns, "keep-alive") && this.#kaIndex < 0) this.#kaIndex = k;
        break;
      case 14:
        if (nameIs(buf, ns, "content-length")) {
          if (this.#clIndex >= 0) this.#dup ??= "cl_duplicate";
          else this.#clIndex = k;
          if (trailingTab(buf, s[4 * k + 3]!)) this.#dup ??= "cl_invalid";
        }
        break;
      case 17:
        if (nameIs(buf, ns, "transfer-encoding")) {
          if (this.#teIndex >= 0) this.#dup ??= "te_duplicate";
          else this.#teIndex = k;
          if (trailingTab(buf, s[4 * k + 3]!)) this.#dup ??= "te_not_chunked";
        }
        break;
    }
  }

  protected finish(buf: Buffer, headEnd: number): number {
    const status = this.#status;
    if (status < 200) {
      if (status === 101) {
        if (!this.#upgrade) return this.fail(responseError("upgrade_unexpected"));
        return this.#build(buf, headEnd, BodyKind.None, null);
      }
      return headEnd; // interim: execute() reads on
    }
    if (this.#dup !== null) return this.fail(responseError(this.#dup));
    const s = this.scratch;
    let contentLength: number | null = null;
    if (this.#clIndex >= 0) {
      const t = 4 * this.#clIndex;
      contentLength = parseContentLength(buf, s[t + 2]!, s[t + 3]!);
      if (contentLength < 0) return this.fail(responseError("cl_invalid"));
    }
    const chunked = this.#teIndex >= 0;
    if (chunked) {
      if (contentLength !== null) return this.fail(responseError("cl_and_te"));
      const t = 4 * this.#teIndex;
      if (!isChunked(buf, s[t + 2]!, s[t + 3]!)) return this.fail(responseError("te_not_chunked"));
    }
    if (status === 204) {
      if (chunked || (contentLength !== null && contentLength !== 0))
        return this.fail(responseError("body_not_allowed"));
      return this.#build(buf, headEnd, BodyKind.None, contentLength);
    }
    if (this.#head || status === 304) return this.#build(buf, headEnd, BodyKind.None, contentLength);
    if (chunked) return this.#build(buf, headEnd, BodyKind.Chunked, null);
    if (contentLength !== null)
      return this.#build(buf, headEnd, contentLength === 0 ? BodyKind.None : BodyKind.Length, contentLength);
    return this.#build(buf, headEnd, BodyKind.UntilClose, null);
  }

  #build(buf: Buffer, headEnd: number, bodyKind: BodyKind, contentLength: number | null): number {
    const conn = this.#conn;
    const minor = this.#minor;
    const keepAlive =
      bodyKind !== BodyKind.UntilClose &&
      this.#status !== 101 &&
      (conn & CONN_CLOSE) === 0 &&
      (minor === 1 || (conn & CONN_KEEP_ALIVE) !== 0);
    let keepAliveTimeoutMs = -1;
    if (this.#kaIndex >= 0) {
      const t = 4 * this.#kaIndex;
      const m = /(?:^|[,;\s])timeout=(\d{1,6})/i.exec(latin1(buf, this.scratch[t + 2]!, this.scratch[t + 3]!));
      if (m !== null) keepAliveTimeoutMs = Number(m[1]) * 1000;
    }
    this.head = new ResponseHead(buf, this.scratch.slice(0, 4 * this.count), this.count, {
      status: this.#status,
      minor,
      reasonStart: this.#reasonStart,
      reasonEnd: this.#reasonEnd,
      bodyKind,
      contentLength,
      keepAlive,
      keepAliveTimeoutMs,
      connectionNamesFields: (conn & CONN_OTHER) !== 0,
    });
    return headEnd;
  }
}

const STATUS_PREFIX = "HTTP/1.";

/** Byte `i` of a status line up to the status code: `HTTP/1.` DIGIT SP 3DIGIT. */
function statusPrefixOk(b: number, i: number): boolean {
  if (i < 7) return b === STATUS_PREFIX.charCodeAt(i);
  if (i === 8) return b === SP;
  return b >= 0x30 && b <= 0x39;
}

/** `chunked`, any case (RFC 9112 §7: coding names are case-insensitive), the only coding. */
function isChunked(buf: Buffer, s: number, e: number): boolean {
  return e - s === 7 && nameIs(buf, s, "chunked");
}
