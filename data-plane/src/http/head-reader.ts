import { CR, LF } from "./bytes.js";
import { INVALID, type LineError, lineError, NEED_MORE, parseEmptyLine, parseFieldLine } from "./field-line.js";

/** Why a head is refused by the reader itself (the start line and the field checks are the subclass's). */
export type HeadFault = LineError | "line_too_long" | "section_too_large" | "too_many_fields";

/** Size limits of a message head (bytes, counts). */
export interface HeadLimits {
  /** Start line and header section together, bytes. */
  readonly maxHeaderBytes: number;
  /** The start line alone, bytes (at most `maxHeaderBytes`). */
  readonly maxLineBytes: number;
  /** Field lines at most. */
  readonly maxFields: number;
}

/**
 * The incremental part of reading a message head (RFC 9112 §2.1), shared by the request and the
 * response parser: feed it the bytes as they arrive; it returns once the head is complete, needs
 * more, or is refused. A head inside one received chunk is parsed in place (offsets point into
 * that chunk); a head spread over several chunks is gathered into a buffer of its own (grown by
 * doubling, bounded by the limit) and parsing resumes at the line where it stopped, so a head
 * trickled one byte at a time costs linear time. Field lines go through field-line.ts and their
 * offsets into {@link scratch}; the subclass reads the start line, notes what each field means
 * and builds the head.
 */
export abstract class HeadReader<E> {
  /** Why the head was refused, once {@link execute} returned {@link INVALID}. */
  error: E | null = null;
  /** Offsets of the field lines read so far (4 per line). */
  protected readonly scratch: number[];
  /** Field lines read so far. */
  protected count = 0;
  /** Where the head starts in the buffer being scanned. */
  protected start = 0;
  readonly #limits: HeadLimits;
  readonly #skipEmptyLines: boolean;
  #pending: Buffer | null = null;
  #pendingLen = 0;
  #pos = 0;
  #lineDone = false;

  /** @param skipEmptyLines skip CRLFs before the start line (RFC 9112 §2.2: requests) */
  constructor(limits: HeadLimits, skipEmptyLines: boolean) {
    this.#limits = {
      maxHeaderBytes: limits.maxHeaderBytes,
      maxLineBytes: Math.min(limits.maxLineBytes, limits.maxHeaderBytes),
      maxFields: limits.maxFields,
    };
    this.#skipEmptyLines = skipEmptyLines;
    // A plain array of small integers: copying its start for each head is a cheap slice (a typed
    // array over 64 bytes costs an ArrayBuffer allocation, ~1 µs, per head).
    this.scratch = new Array<number>(4 * (limits.maxFields + 1)).fill(0);
  }

  /** True while bytes of an unfinished head are held. */
  get started(): boolean {
    return this.#pending !== null;
  }

  /** Forgets the head in progress (between messages, or to drop a refused one). */
  reset(): void {
    this.error = null;
    this.#pending = null;
    this.#pendingLen = 0;
    this.start = 0;
    this.#pos = 0;
    this.count = 0;
    this.#lineDone = false;
    this.resetHead();
  }

  /**
   * Parses `chunk[start..]`.
   * @returns the position in `chunk` right after the head (the subclass holds it), {@link
   *   NEED_MORE} (every byte taken) or {@link INVALID} ({@link error} set)
   */
  execute(chunk: Buffer, start: number): number {
    if (this.#pending === null) {
      this.start = start;
      this.#pos = start;
      const r = this.#scan(chunk, chunk.length);
      if (r !== NEED_MORE) return r;
      const keep = chunk.length - this.start;
      if (keep === 0) {
        this.#pos = 0;
        this.start = 0;
        return NEED_MORE;
      }
      // The head continues in the next chunk: keep its bytes, in coordinates from 0.
      this.#pending = Buffer.allocUnsafe(Math.min(Math.max(1024, 2 * keep), this.#limits.maxHeaderBytes + 1024));
      chunk.copy(this.#pending, 0, this.start);
      this.#pendingLen = keep;
      this.#rebase(this.start);
      return NEED_MORE;
    }
    const before = this.#pendingLen;
    const need = before + chunk.length - start;
    if (need > this.#pending.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, 2 * this.#pending.length));
      this.#pending.copy(grown, 0, 0, before);
      this.#pending = grown;
    }
    chunk.copy(this.#pending, before, start);
    this.#pendingLen = need;
    const r = this.#scan(this.#pending, need);
    if (r >= 0) {
      this.#pending = null;
      this.#pendingLen = 0;
      return r - before + start;
    }
    return r;
  }

  /** Records `e` as the refusal. @returns {@link INVALID} */
  protected fail(e: E): number {
    this.error = e;
    return INVALID;
  }

  /** The subclass's error for a fault the reader found. */
  protected abstract fault(fault: HeadFault): E;
  /** Clears the subclass's per-head state. */
  protected abstract resetHead(): void;
  /**
   * Reads the start line at `p` (empty lines already skipped).
   * @returns the position after its CRLF, {@link NEED_MORE} or {@link INVALID} (via {@link fail})
   */
  protected abstract startLine(buf: Buffer, p: number, end: number): number;
  /** Notes what field line `k` (offsets in {@link scratch}) means for framing. */
  protected abstract field(buf: Buffer, k: number): void;
  /**
   * The head is complete (`headEnd` is after its final CRLF): the verdict.
   * @returns `headEnd` or {@link INVALID}
   */
  protected abstract finish(buf: Buffer, headEnd: number): number;

  /** Moves every stored position `by` bytes back (the head moved to its own buffer). */
  #rebase(by: number): void {
    this.start -= by;
    this.#pos -= by;
    const s = this.scratch;
    for (let i = 0; i < 4 * this.count; i++) s[i]! -= by;
  }

  #scan(buf: Buffer, end: number): number {
    const limits = this.#limits;
    let p = this.#pos;
    if (!this.#lineDone) {
      if (this.#skipEmptyLines) {
        while (p < end && buf[p] === CR) {
          if (p + 1 === end) {
            this.#pos = p;
            return NEED_MORE;
          }
          if (buf[p + 1] !== LF) return this.fail(this.fault("bare_cr"));
          p += 2;
          this.start = p;
        }
        if (p < end && buf[p] === LF) return this.fail(this.fault("bare_lf"));
      }
      this.#pos = p;
      const r = this.startLine(buf, p, end);
      if (r === NEED_MORE) {
        if (end - this.start > limits.maxLineBytes) return this.fail(this.fault("line_too_long"));
        return NEED_MORE;
      }
      if (r === INVALID) return INVALID;
      if (r - this.start > limits.maxLineBytes) return this.fail(this.fault("line_too_long"));
      this.#lineDone = true;
      p = r;
    }
    const scratch = this.scratch;
    for (;;) {
      this.#pos = p;
      if (p >= end) break;
      const c = buf[p]!;
      if (c === CR) {
        const r = parseEmptyLine(buf, p, end);
        if (r === NEED_MORE) break;
        if (r === INVALID) return this.fail(this.fault(lineError()));
        if (r - this.start > limits.maxHeaderBytes) return this.fail(this.fault("section_too_large"));
        return this.finish(buf, r);
      }
      if (c === LF) return this.fail(this.fault("bare_lf"));
      if (this.count === limits.maxFields) return this.fail(this.fault("too_many_fields"));
      const r = parseFieldLine(buf, p, end, scratch, this.count);
      if (r === NEED_MORE) break;
      if (r === INVALID) return this.fail(this.fault(lineError()));
      this.field(buf, this.count++);
      if (r - this.start > limits.maxHeaderBytes) return this.fail(this.fault("section_too_large"));
      p = r;
    }
    if (end - this.start > limits.maxHeaderBytes) return this.fail(this.fault("section_too_large"));
    return NEED_MORE;
  }
}

/** Whether the name at `s` is the lower-case `name` (its length was checked). */
export function nameIs(buf: Buffer, s: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const b = buf[s + i]!;
    if ((b >= 0x41 && b <= 0x5a ? b + 0x20 : b) !== name.charCodeAt(i)) return false;
  }
  return true;
}
