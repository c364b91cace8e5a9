import { CR, HEX, HTAB, LF, SP, TCHAR } from "./bytes.js";
import { INVALID, NEED_MORE, parseEmptyLine, parseFieldLine } from "./field-line.js";
import { FieldList, NO_FIELDS } from "./field-list.js";
import { BodyKind } from "./request-head.js";

/** Receives the data of a body as it is decoded. */
export interface BodySink {
  /**
   * A piece of the body: a view into the received bytes (not a copy; keep it only as long as
   * needed). Return false to stop decoding after it (backpressure).
   */
  onBodyData(data: Buffer): boolean;
}

/** Why a body could not be decoded. */
export type BodyError =
  | "chunk_size_invalid"
  | "chunk_extension_invalid"
  | "chunk_data_overrun"
  | "trailer_invalid"
  | "trailer_too_large"
  | "message_incomplete";

/** Chunk-size line (size and extensions) at most, bytes: llhttp's limit on chunk extensions. */
const MAX_CHUNK_LINE = 16 * 1024;
/** Chunk sizes above 2^53 - 1 are refused (13 hex digits hold it; more is never a real chunk). */
const MAX_SIZE_DIGITS = 13;

enum S {
  Size,
  ExtName,
  ExtNameMore,
  ExtValueStart,
  ExtToken,
  Quoted,
  QuotedPair,
  AfterQuote,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  Trailers,
  TrailersLf,
  Done,
}

/**
 * Decodes one message body at a time (RFC 9112 §6-7), for requests and responses alike: a
 * Content-Length count, the chunked coding, or everything until the connection closes. Data is
 * handed to the sink as views into the received chunks, never copied. Chunked is read strictly,
 * as node's strict llhttp reads it: 1-13 hex digits, no whitespace anywhere on the size line,
 * extensions only as `;name`, `;name=token` or `;name="quoted"` (RFC 9112 §7.1.1; CR, LF and
 * controls refused inside quotes), the size line at most 16 KiB, chunk data followed by exactly
 * CRLF (else the data was longer than declared), trailer fields checked like header fields
 * (field-line.ts) and bounded. Trailers are parsed and kept, never merged into the head.
 */
export class BodyDecoder {
  /** The body ended (its last byte, or its trailers, were read). */
  complete = false;
  /** Why decoding failed, once {@link decode} returned {@link INVALID}. */
  error: BodyError | null = null;
  /** Body bytes delivered so far (not counting chunk framing). */
  received = 0;
  /** Trailer fields of a chunked body (empty when none). */
  trailers: FieldList = NO_FIELDS;
  readonly #maxTrailerBytes: number;
  readonly #maxTrailers: number;
  #kind: BodyKind = BodyKind.None;
  #state: S = S.Done;
  /** Bytes left: of the body (Length), of the current chunk (Chunked). */
  #remaining = 0;
  #digits = 0;
  #lineBytes = 0;
  #tbuf: Buffer | null = null;
  #tlen = 0;
  #tpos = 0;
  #tcount = 0;
  #toffsets: number[] | null = null;

  /**
   * @param maxTrailerBytes trailer section at most, bytes (the header limit)
   * @param maxTrailers trailer lines at most
   */
  constructor(maxTrailerBytes: number, maxTrailers: number) {
    this.#maxTrailerBytes = maxTrailerBytes;
    this.#maxTrailers = maxTrailers;
  }

  /** The framing of the body being decoded. */
  get kind(): BodyKind {
    return this.#kind;
  }

  /** Bytes of a Content-Length body still to come (0 for other kinds). */
  get remaining(): number {
    return this.#kind === BodyKind.Length ? this.#remaining : 0;
  }

  /**
   * Starts a new body.
   * @param length the Content-Length for {@link BodyKind.Length}
   */
  reset(kind: BodyKind, length = 0): void {
    this.#kind = kind;
    this.complete = kind === BodyKind.None || (kind === BodyKind.Length && length === 0);
    this.error = null;
    this.received = 0;
    this.trailers = NO_FIELDS;
    this.#remaining = length;
    this.#state = kind === BodyKind.Chunked ? S.Size : S.Done;
    this.#digits = 0;
    this.#lineBytes = 0;
    this.#remaining = kind === BodyKind.Chunked ? 0 : length;
    this.#tbuf = null;
    this.#tlen = 0;
    this.#tpos = 0;
    this.#tcount = 0;
  }

  /**
   * Decodes `buf[start..end)`.
   * @returns the position after what was consumed: the end of the body ({@link complete}), the
   *   point where the sink asked to stop, or `end`; {@link INVALID} with {@link error} set
   */
  decode(buf: Buffer, start: number, end: number, sink: BodySink): number {
    switch (this.#kind) {
      case BodyKind.None:
        return start;
      case BodyKind.Length: {
        const n = Math.min(this.#remaining, end - start);
        if (n === 0) return start;
        this.#remaining -= n;
        this.received += n;
        if (this.#remaining === 0) this.complete = true;
        sink.onBodyData(buf.subarray(start, start + n));
        return start + n;
      }
      case BodyKind.UntilClose:
        if (end > start) {
          this.received += end - start;
          sink.onBodyData(buf.subarray(start, end));
        }
        return end;
      default:
        return this.#chunked(buf, start, end, sink);
    }
  }

  /**
   * The connection ended: a body read until close is complete; any other unfinished body is
   * not (`message_incomplete`).
   * @returns true when the body is complete
   */
  finish(): boolean {
    if (this.complete) return true;
    if (this.#kind === BodyKind.UntilClose) {
      this.complete = true;
      return true;
    }
    this.error = "message_incomplete";
    return false;
  }

  #fail(reason: BodyError): number {
    this.error = reason;
    this.#state = S.Done;
    return INVALID;
  }

  #chunked(buf: Buffer, start: number, end: number, sink: BodySink): number {
    let p = start;
    while (p < end) {
      const state = this.#state;
      if (state === S.Data) {
        const n = Math.min(this.#remaining, end - p);
        this.#remaining -= n;
        this.received += n;
        if (this.#remaining === 0) this.#state = S.DataCr;
        const more = sink.onBodyData(buf.subarray(p, p + n));
        p += n;
        if (!more) return p;
        continue;
      }
      if (state === S.Trailers) {
        // Usually no trailer: the section is the empty line alone.
        if (this.#tbuf === null && buf[p] === CR) {
          p++;
          this.#state = S.TrailersLf;
          continue;
        }
        return this.#trailerSection(buf, p, end);
      }
      if (state === S.Done) return p;
      const c = buf[p++]!;
      if (state === S.TrailersLf) {
        if (c !== LF) return this.#fail("trailer_invalid");
        this.#done();
        return p;
      }
      if (state === S.DataCr) {
        if (c !== CR) return this.#fail("chunk_data_overrun");
        this.#state = S.DataLf;
        continue;
      }
      if (state === S.DataLf) {
        if (c !== LF) return this.#fail("chunk_data_overrun");
        this.#state = S.Size;
        this.#digits = 0;
        this.#lineBytes = 0;
        continue;
      }
      if (++this.#lineBytes > MAX_CHUNK_LINE) return this.#fail("chunk_extension_invalid");
      switch (state) {
        case S.Size: {
          const h = HEX[c]!;
          if (h !== 0xff) {
            if (++this.#digits > MAX_SIZE_DIGITS) return this.#fail("chunk_size_invalid");
            this.#remaining = this.#remaining * 16 + h;
          } else if (this.#digits === 0) {
            return this.#fail("chunk_size_invalid");
          } else if (c === CR) {
            this.#state = S.SizeLf;
          } else if (c === 0x3b) {
            this.#state = S.ExtName;
          } else {
            return this.#fail("chunk_size_invalid");
          }
          break;
        }
        case S.ExtName:
          if (TCHAR[c] !== 1) return this.#fail("chunk_extension_invalid");
          this.#state = S.ExtNameMore;
          break;
        case S.ExtNameMore:
          if (TCHAR[c] === 1) break;
          if (c === 0x3d) this.#state = S.ExtValueStart;
          else if (c === 0x3b) this.#state = S.ExtName;
          else if (c === CR) this.#state = S.SizeLf;
          else return this.#fail("chunk_extension_invalid");
          break;
        case S.ExtValueStart:
          if (c === 0x22) this.#state = S.Quoted;
          else if (TCHAR[c] === 1) this.#state = S.ExtToken;
          else return this.#fail("chunk_extension_invalid");
          break;
        case S.ExtToken:
          if (TCHAR[c] === 1) break;
          if (c === 0x3b) this.#state = S.ExtName;
          else if (c === CR) this.#state = S.SizeLf;
          else return this.#fail("chunk_extension_invalid");
          break;
        case S.Quoted:
          // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text (RFC 9110 §5.6.4)
          if (c === 0x22) this.#state = S.AfterQuote;
          else if (c === 0x5c) this.#state = S.QuotedPair;
          else if (!(c === HTAB || c === SP || (c >= 0x21 && c !== 0x7f))) return this.#fail("chunk_extension_invalid");
          break;
        case S.QuotedPair:
          if (!(c === HTAB || c === SP || (c >= 0x21 && c !== 0x7f))) return this.#fail("chunk_extension_invalid");
          this.#state = S.Quoted;
          break;
        case S.AfterQuote:
          if (c === 0x3b) this.#state = S.ExtName;
          else if (c === CR) this.#state = S.SizeLf;
          else return this.#fail("chunk_extension_invalid");
          break;
        case S.SizeLf:
          if (c !== LF) return this.#fail("chunk_size_invalid");
          if (this.#remaining === 0) {
            this.#state = S.Trailers;
          } else {
            this.#state = S.Data;
          }
          break;
      }
    }
    return p;
  }

  /** The trailer section after the last chunk: usually just CRLF. */
  #trailerSection(buf: Buffer, p: number, end: number): number {
    if (this.#tbuf === null) {
      if (buf[p] === LF) return this.#fail("trailer_invalid");
      this.#tbuf = Buffer.allocUnsafe(Math.min(Math.max(256, 2 * (end - p)), this.#maxTrailerBytes + 2));
      this.#toffsets = new Array<number>(4 * (this.#maxTrailers + 1)).fill(0);
    }
    const before = this.#tlen;
    const n = Math.min(end - p, this.#maxTrailerBytes + 2 - before);
    if (n <= 0) return this.#fail("trailer_too_large");
    if (before + n > this.#tbuf.length) {
      const grown = Buffer.allocUnsafe(
        Math.min(Math.max(before + n, 2 * this.#tbuf.length), this.#maxTrailerBytes + 2),
      );
      this.#tbuf.copy(grown, 0, 0, before);
      this.#tbuf = grown;
    }
    buf.copy(this.#tbuf, before, p, p + n);
    this.#tlen = before + n;
    const t = this.#tbuf;
    const tend = this.#tlen;
    let q = this.#tpos;
    while (q < tend) {
      if (t[q] === CR) {
        const r = parseEmptyLine(t, q, tend);
        if (r === NEED_MORE) break;
        if (r === INVALID) return this.#fail("trailer_invalid");
        this.trailers = new FieldList(t, this.#toffsets!.slice(0, 4 * this.#tcount), this.#tcount);
        this.#done();
        return p + (r - before);
      }
      if (this.#tcount === this.#maxTrailers) return this.#fail("trailer_too_large");
      const r = parseFieldLine(t, q, tend, this.#toffsets!, this.#tcount);
      if (r === NEED_MORE) break;
      if (r === INVALID) return this.#fail("trailer_invalid");
      this.#tcount++;
      q = r;
    }
    this.#tpos = q;
    if (this.#tlen > this.#maxTrailerBytes) return this.#fail("trailer_too_large");
    return p + n;
  }

  #done(): void {
    this.#state = S.Done;
    this.complete = true;
    this.#tbuf = null;
  }
}
