import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { type FieldNameMatcher, latin1Write } from "./bytes.js";
import { copyForwarded, selectForwarded } from "./field-copy.js";
import type { FieldList } from "./field-list.js";
import { type HeaderBlock, InvalidHeaderError, serializeHeaders, WRITER_OWNED } from "./header-block.js";
import type { OutgoingHeaders } from "./headers.js";

/** How a response head is put together (all optional). */
export interface ResponseOptions {
  /**
   * Body length, bytes. Unknown (absent or -1): chunked for an HTTP/1.1 client, until close for
   * HTTP/1.0. For HEAD and 304 it is sent as metadata (the length a GET would get); a 204 never
   * carries it. A `content-length` in the headers object is read when this is absent.
   */
  readonly contentLength?: number;
  /**
   * Field lines copied byte for byte from a received head (the upstream response): no string is
   * built for them. Framing fields, `drop` and the names of `block` are left out.
   */
  readonly forward?: FieldList | null;
  /** Names not to forward (hop-by-hop, the ones the caller sets itself): compiled once. */
  readonly drop?: FieldNameMatcher | null;
  /**
   * More names not to forward, decided per response (the names its phases edited; it must also
   * match the names of `block` and `blocks` when given, as response-fields.ts's ResponseFields does).
   */
  readonly owned?: FieldNameMatcher | null;
  /** Constant lines compiled once (per route): copied as bytes, after the headers object; their names are not forwarded. */
  readonly block?: HeaderBlock | null;
  /** Several constant blocks, written in order after `block` (their names are not forwarded either: see `owned`). */
  readonly blocks?: readonly HeaderBlock[] | null;
  /** Close the connection after this response (`Connection: close`). */
  readonly close?: boolean;
}

/** What a response writer needs of the connection it writes on. */
export interface ResponseOwner {
  readonly socket: Socket;
  /** The server drains: every response closes its connection. */
  readonly draining: boolean;
  /** `connection: keep-alive` + `keep-alive: timeout=N` lines of a response that keeps the connection. */
  readonly keepAliveLines: string;
  /** The response was handed to the socket completely (or cut). */
  responseEnded(writer: ResponseWriter): void;
}

const CRLF = Buffer.from("\r\n", "latin1");
/** Head and body pieces up to this many bytes are copied into one buffer: one write instead of a writev. */
const COALESCE_MAX = 8 * 1024;
const LAST_CHUNK = Buffer.from("0\r\n\r\n", "latin1");
const STATUS_LINES: string[] = [];

/** `HTTP/1.1 <code> <reason>\r\n` (reason from node's table). */
export function statusLine(status: number): string {
  let line = STATUS_LINES[status];
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Unknown"}\r\n`;
    if (status >= 100 && status < 1000) STATUS_LINES[status] = line;
  }
  return line;
}

let dateSecond = 0;
let dateValue = "";

/** The `Date` value (RFC 9110 §5.6.7), computed once a second. */
export function httpDate(): string {
  const now = Date.now();
  const s = Math.floor(now / 1000);
  if (s !== dateSecond) {
    dateSecond = s;
    dateValue = new Date(now).toUTCString();
  }
  return dateValue;
}

/**
 * The response half of one exchange on a client connection: a head, then the body, with the
 * framing RFC 9112 §6.3 and RFC 9110 §6.4.1 ask for — no body (and no chunking) for HEAD, 1xx,
 * 204 and 304; `Content-Length` when the length is known; chunked for an HTTP/1.1 client
 * otherwise; until close for an HTTP/1.0 client. The head is built in one buffer (status line,
 * forwarded raw lines, the headers object, the constant block, framing, `Date` unless one is
 * present) and goes out with the first body bytes in one write (cork/uncork: one `writev`).
 * Body chunks are written as given (never copied); {@link write} returns the socket's verdict
 * and the owner's `drain` resumes the producer (backpressure).
 */
export class ResponseWriter {
  readonly #owner: ResponseOwner;
  readonly #method: string;
  readonly #minor: number;
  readonly #keepAliveRequested: boolean;
  #status = 0;
  #pendingHead: Buffer | null = null;
  #headWritten = false;
  #ended = false;
  #noBody = false;
  #chunked = false;
  /** Body bytes still owed under a Content-Length (-1: not counted). */
  #remaining = -1;
  #close = false;
  #cut = false;

  /**
   * @param method the request's method (HEAD has no response body)
   * @param minor the request's minor version (chunked only for 1.1)
   * @param keepAlive the request lets the connection stay open
   */
  constructor(owner: ResponseOwner, method: string, minor: number, keepAlive: boolean) {
    this.#owner = owner;
    this.#method = method;
    this.#minor = minor;
    this.#keepAliveRequested = keepAlive;
  }

  /** The status of the head written, 0 before. */
  get statusCode(): number {
    return this.#status;
  }

  /** A head was written (or queued with the first body bytes). */
  get headersSent(): boolean {
    return this.#status !== 0;
  }

  /** {@link end} was called (or the response was cut). */
  get ended(): boolean {
    return this.#ended;
  }

  /** The connection closes after this response. */
  get closes(): boolean {
    return this.#close;
  }

  /** The response was cut short: the connection must not carry another. */
  get cut(): boolean {
    return this.#cut;
  }

  /** Whether the connection must close after this response whatever the headers say (overridable). */
  protected mustClose(): boolean {
    return false;
  }

  /** The client is gone or the engine answered in the handler's place: writes are dropped (overridable). */
  protected get gone(): boolean {
    return this.#owner.socket.destroyed;
  }

  /**
   * Writes the head (sent with the first body bytes, or by {@link end}).
   * @throws InvalidHeaderError when a header name or value cannot go on the wire (nothing is written)
   * @throws Error when a head was already written
   */
  writeHead(status: number, headers: OutgoingHeaders | null, options?: ResponseOptions): void {
    if (this.gone) return;
    if (this.#status !== 0) throw new Error("response head already written");
    if (status < 200 || status > 999) throw new RangeError(`invalid final status ${status}`);
    const owner = this.#owner;
    const noBody = this.#method === "HEAD" || status === 204 || status === 304;
    let length = options?.contentLength ?? -1;
    if (length < 0 && headers !== null && typeof headers["content-length"] === "string") {
      length = Number(headers["content-length"]);
      if (!Number.isSafeInteger(length) || length < 0)
        throw new InvalidHeaderError("ERR_INVALID_CHAR", "content-length");
    }
    let close =
      options?.close === true ||
      headers?.connection === "close" ||
      !this.#keepAliveRequested ||
      owner.draining ||
      this.mustClose();
    // Decided into locals: nothing of this response changes until the head is built (a header
    // that cannot go on the wire throws first, and the caller may answer otherwise).
    let framing = "";
    let chunked = false;
    let remaining = -1;
    if (status === 204) {
      // RFC 9110 §8.6: never a Content-Length on a 204.
    } else if (noBody) {
      if (length >= 0) framing = `content-length: ${length}\r\n`;
    } else if (length >= 0) {
      framing = `content-length: ${length}\r\n`;
      remaining = length;
    } else if (this.#minor === 1) {
      framing = "transfer-encoding: chunked\r\n";
      chunked = true;
    } else {
      close = true; // HTTP/1.0: the body ends when the connection does (RFC 9112 §6.3 rule 8)
    }
    const dyn = headers === null ? "" : serializeHeaders(headers, WRITER_OWNED);
    const forward = options?.forward ?? null;
    const block = options?.block ?? null;
    const blocks = options?.blocks ?? null;
    const fwd =
      forward === null || forward.size === 0
        ? null
        : selectForwarded(forward, options?.drop ?? null, options?.owned ?? (block === null ? null : block.names));
    const hasDate =
      (headers !== null && headers.date !== undefined) || fwd?.hasDate === true || blocksHave(block, blocks, "date");
    let tail = `${hasDate ? "" : `date: ${httpDate()}\r\n`}${framing}${close ? "connection: close\r\n" : owner.keepAliveLines}\r\n`;
    const line = statusLine(status);
    let size = line.length + (fwd === null ? 0 : fwd.bytes) + dyn.length + tail.length;
    if (block !== null) size += block.length;
    if (blocks !== null) for (let i = 0; i < blocks.length; i++) size += blocks[i]!.length;
    const head = Buffer.allocUnsafe(size);
    let off = latin1Write(head, line, 0);
    if (fwd !== null) off = copyForwarded(fwd, head, off);
    if (block === null && blocks === null) {
      // Nothing between the set values and the tail: one copy of text (a call into node's codec
      // costs more than the copy itself).
      tail = dyn + tail;
    } else {
      if (dyn.length > 0) off += latin1Write(head, dyn, off);
      if (block !== null) off += block.bytes.copy(head, off);
      if (blocks !== null) for (let i = 0; i < blocks.length; i++) off += blocks[i]!.bytes.copy(head, off);
    }
    latin1Write(head, tail, off);
    this.#status = status;
    this.#noBody = noBody;
    this.#chunked = chunked;
    this.#remaining = remaining;
    this.#close = close;
    this.#pendingHead = head;
  }

  /**
   * Takes back a head that is still waiting for body bytes (nothing of this response reached the
   * socket), so that another answer can be written instead — the error answer of an upstream
   * response that broke before its first body byte.
   * @returns false when the head already left (the response can only be cut now)
   */
  discardHead(): boolean {
    if (this.#pendingHead === null || this.#headWritten || this.#ended) return false;
    this.#pendingHead = null;
    this.#status = 0;
    this.#noBody = false;
    this.#chunked = false;
    this.#remaining = -1;
    this.#close = false;
    return true;
  }

  /** Sends the head now, without waiting for body bytes (long polls, event streams). */
  flushHead(): void {
    if (this.#pendingHead === null || this.#cut || this.gone) return;
    const head = this.#pendingHead;
    this.#pendingHead = null;
    this.#headWritten = true;
    this.#owner.socket.write(head);
  }

  /**
   * Writes body bytes (dropped for a response without a body).
   * @returns false when the socket's buffer is full: wait for the owner's drain before writing more
   * @throws Error before {@link writeHead} or after {@link end}
   */
  write(chunk: Buffer): boolean {
    if (this.#cut || this.gone) return true;
    if (this.#status === 0) throw new Error("write before writeHead");
    if (this.#ended) throw new Error("write after end");
    if (this.#noBody || chunk.length === 0) return this.#send(null, false);
    if (!this.#count(chunk)) return false;
    return this.#send(chunk, false);
  }

  /**
   * Ends the response, optionally with a last chunk. A body shorter than its Content-Length cuts
   * the connection (the client must not take it for complete).
   */
  end(chunk?: Buffer): void {
    if (this.#ended) return;
    if (this.gone) {
      this.#ended = true;
      return;
    }
    if (this.#status === 0) throw new Error("end before writeHead");
    if (this.#cut) {
      this.#finish();
      return;
    }
    const data = chunk !== undefined && chunk.length > 0 && !this.#noBody ? chunk : null;
    if (data !== null && !this.#count(data)) return;
    this.#send(data, true);
    if (this.#remaining > 0 && !this.#noBody) {
      this.abort();
      return;
    }
    this.#finish();
  }

  /** Counts `chunk` against the Content-Length. @returns false when it overruns (the response is cut) */
  #count(chunk: Buffer): boolean {
    if (this.#remaining < 0) return true;
    if (chunk.length > this.#remaining) {
      this.abort();
      return false;
    }
    this.#remaining -= chunk.length;
    return true;
  }

  /**
   * Hands the socket what is due: the pending head, `chunk` in its framing, and the last chunk of
   * a chunked body when `last`. A small total goes as one buffer (one `write`, no `writev`); a
   * large body chunk is never copied (cork, several writes, uncork).
   */
  #send(chunk: Buffer | null, last: boolean): boolean {
    const socket = this.#owner.socket;
    const head = this.#pendingHead;
    if (head !== null) {
      this.#pendingHead = null;
      this.#headWritten = true;
    }
    const chunked = this.#chunked && !this.#noBody;
    const size = chunk === null ? 0 : chunk.length;
    const sizeLine = chunked && size > 0 ? `${size.toString(16)}\r\n` : "";
    const crlf = chunked && size > 0 ? 2 : 0;
    const lastLen = chunked && last ? LAST_CHUNK.length : 0;
    const headLen = head === null ? 0 : head.length;
    const total = headLen + sizeLine.length + size + crlf + lastLen;
    if (total === 0) return !socket.writableNeedDrain;
    if (total === headLen) return socket.write(head!);
    if (headLen === 0 && !chunked) return socket.write(chunk!);
    if (total <= COALESCE_MAX) {
      const buf = Buffer.allocUnsafe(total);
      let off = head === null ? 0 : head.copy(buf, 0);
      if (sizeLine.length > 0) off += latin1Write(buf, sizeLine, off);
      if (chunk !== null) off += chunk.copy(buf, off);
      if (crlf > 0) off += CRLF.copy(buf, off);
      if (lastLen > 0) LAST_CHUNK.copy(buf, off);
      return socket.write(buf);
    }
    socket.cork();
    let ok = true;
    if (head !== null) ok = socket.write(head);
    if (sizeLine.length > 0) socket.write(sizeLine, "latin1");
    if (chunk !== null) ok = socket.write(chunk);
    if (crlf > 0) ok = socket.write(CRLF);
    if (lastLen > 0) ok = socket.write(LAST_CHUNK);
    socket.uncork();
    return ok;
  }

  /**
   * Cuts the response: what was written stays, the connection is destroyed once it is flushed,
   * so a client never takes a truncated body for a complete one.
   */
  abort(): void {
    if (this.#cut) return;
    this.#cut = true;
    this.#close = true;
    this.#pendingHead = null;
    const socket = this.#owner.socket;
    if (!socket.destroyed) socket.destroySoon();
    this.#finish();
  }

  /** Whether the head left for the socket (not just built). */
  protected get headWritten(): boolean {
    return this.#headWritten;
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#owner.responseEnded(this);
  }
}

function blocksHave(block: HeaderBlock | null, blocks: readonly HeaderBlock[] | null, name: string): boolean {
  if (block?.names.hasName(name)) return true;
  if (blocks !== null) for (const b of blocks) if (b.names.hasName(name)) return true;
  return false;
}

/**
 * The `101 Switching Protocols` head for a client whose connection is handed over (an upgrade
 * the upstream accepted): `Connection: Upgrade` and `Upgrade: <protocol>` (RFC 9110 §7.8), the
 * upstream's lines copied as bytes (its hop-by-hop ones and `drop` left out:
 * `Sec-WebSocket-Accept` and the like pass), then `headers`.
 * @throws InvalidHeaderError for a protocol or header that cannot go on the wire
 */
export function switchingProtocolsHead(
  protocol: string,
  forward: FieldList | null,
  drop: FieldNameMatcher | null,
  headers: OutgoingHeaders | null = null,
  owned: FieldNameMatcher | null = null,
): Buffer {
  const start = `${statusLine(101)}${serializeHeaders({ connection: "Upgrade", upgrade: protocol })}`;
  const dyn = headers === null ? "" : serializeHeaders(headers, WRITER_OWNED);
  const fwd = forward === null ? null : selectForwarded(forward, drop, owned);
  const head = Buffer.allocUnsafe(start.length + (fwd === null ? 0 : fwd.bytes) + dyn.length + 2);
  let off = latin1Write(head, start, 0);
  if (fwd !== null) off = copyForwarded(fwd, head, off);
  if (dyn.length > 0) off += latin1Write(head, dyn, off);
  latin1Write(head, "\r\n", off);
  return head;
}
