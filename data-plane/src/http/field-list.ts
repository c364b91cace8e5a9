import { equalsLower, type FieldNameMatcher, LOWER, latin1 } from "./bytes.js";
import type { HeaderFields, HeaderValues } from "./headers.js";

/** Fields node:http keeps the first of when repeated (`IncomingMessage` `matchKnownFields`). */
const FIRST_WINS: ReadonlySet<string> = new Set([
  "age",
  "authorization",
  "content-length",
  "content-type",
  "etag",
  "expires",
  "from",
  "host",
  "if-modified-since",
  "if-unmodified-since",
  "last-modified",
  "location",
  "max-forwards",
  "proxy-authorization",
  "referer",
  "retry-after",
  "server",
  "user-agent",
]);

/**
 * The field lines of a header section as offsets into the bytes they were parsed from: four
 * numbers per line (a plain array of small integers) (name start, name end, value start, value end; the value OWS-trimmed). The
 * parsers fill it; nothing is decoded until a caller asks (see {@link HeaderFields}). The bytes
 * stay referenced (not copied) for the lifetime of the list.
 */
export class FieldList implements HeaderFields {
  /** The bytes the offsets point into. */
  readonly buffer: Buffer;
  readonly #offsets: readonly number[];
  readonly #size: number;

  /**
   * @param buffer the bytes of the section (or of a whole message head)
   * @param offsets 4 × `size` offsets into `buffer`
   */
  constructor(buffer: Buffer, offsets: readonly number[], size: number) {
    this.buffer = buffer;
    this.#offsets = offsets;
    this.#size = size;
  }

  get size(): number {
    return this.#size;
  }

  /** Start of line `i`'s name in {@link buffer}. */
  nameStart(i: number): number {
    return this.#offsets[4 * i]!;
  }

  /** End of line `i`'s name. */
  nameEnd(i: number): number {
    return this.#offsets[4 * i + 1]!;
  }

  /** Start of line `i`'s value. */
  valueStart(i: number): number {
    return this.#offsets[4 * i + 2]!;
  }

  /** End of line `i`'s value (trailing OWS excluded). */
  valueEnd(i: number): number {
    return this.#offsets[4 * i + 3]!;
  }

  /** Index of the first line named `name` (lower-case) at or after `from`, or -1. */
  indexOf(name: string, from = 0): number {
    const o = this.#offsets;
    const buf = this.buffer;
    const len = name.length;
    const first = name.charCodeAt(0);
    for (let i = from; i < this.#size; i++) {
      const s = o[4 * i]!;
      if (o[4 * i + 1]! - s !== len || LOWER[buf[s]!] !== first) continue;
      if (equalsLower(buf, s, s + len, name)) return i;
    }
    return -1;
  }

  /** Whether line `i`'s name is in `set`. */
  nameIn(i: number, set: FieldNameMatcher): boolean {
    const o = this.#offsets;
    return set.has(this.buffer, o[4 * i]!, o[4 * i + 1]!);
  }

  /** Whether line `i`'s name holds the byte `b`. */
  nameHas(i: number, b: number): boolean {
    const o = this.#offsets;
    const buf = this.buffer;
    for (let k = o[4 * i]!, end = o[4 * i + 1]!; k < end; k++) if (buf[k] === b) return true;
    return false;
  }

  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    const i = this.indexOf(lower);
    if (i < 0) return undefined;
    const j = this.indexOf(lower, i + 1);
    if (j < 0) return this.valueAt(i);
    let out = `${this.valueAt(i)}, ${this.valueAt(j)}`;
    for (let k = this.indexOf(lower, j + 1); k >= 0; k = this.indexOf(lower, k + 1)) out += `, ${this.valueAt(k)}`;
    return out;
  }

  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    const out: string[] = [];
    for (let i = this.indexOf(lower); i >= 0; i = this.indexOf(lower, i + 1)) out.push(this.valueAt(i));
    return out;
  }

  count(name: string): number {
    const lower = name.toLowerCase();
    let n = 0;
    for (let i = this.indexOf(lower); i >= 0; i = this.indexOf(lower, i + 1)) n++;
    return n;
  }

  has(name: string): boolean {
    return this.indexOf(name.toLowerCase()) >= 0;
  }

  nameAt(i: number): string {
    const o = this.#offsets;
    return latin1(this.buffer, o[4 * i]!, o[4 * i + 1]!);
  }

  valueAt(i: number): string {
    const o = this.#offsets;
    return latin1(this.buffer, o[4 * i + 2]!, o[4 * i + 3]!);
  }

  lineBytes(i: number): number {
    const o = this.#offsets;
    return o[4 * i + 1]! - o[4 * i]! + o[4 * i + 3]! - o[4 * i + 2]!;
  }

  /** Line `i`'s name, lower-case. */
  lowerNameAt(i: number): string {
    return this.nameAt(i).toLowerCase();
  }

  toObject(): HeaderValues {
    const out: Record<string, string | string[]> = {};
    for (let i = 0; i < this.#size; i++) {
      const name = this.lowerNameAt(i);
      const value = this.valueAt(i);
      const seen = out[name];
      if (seen === undefined) out[name] = name === "set-cookie" ? [value] : value;
      else if (name === "set-cookie") (seen as string[]).push(value);
      else if (name === "cookie") out[name] = `${seen}; ${value}`;
      else if (!FIRST_WINS.has(name)) out[name] = `${seen}, ${value}`;
    }
    return out;
  }

  rawPairs(): string[] {
    const out: string[] = new Array(2 * this.#size);
    for (let i = 0; i < this.#size; i++) {
      out[2 * i] = this.nameAt(i);
      out[2 * i + 1] = this.valueAt(i);
    }
    return out;
  }
}

/** An empty field list (a message without fields, trailers that were not sent). */
export const NO_FIELDS: FieldList = new FieldList(Buffer.alloc(0), [], 0);

/**
 * Field lines laid out as `name: value\r\n` in a new buffer, for heads that were not read from
 * bytes (HTTP/2 requests, whose fields node:http2 decoded; tests). Names and values go in as
 * given (latin1); the caller vouches for them (nghttp2 refuses CR, LF and NUL in fields).
 * @param pairs `[name, value, name, value, …]` (node's `rawHeaders` shape)
 * @returns the buffer and the offsets a {@link FieldList} (or a subclass) is built from
 */
export function layoutFields(pairs: readonly string[]): { buffer: Buffer; offsets: number[]; size: number } {
  let bytes = 0;
  for (let i = 0; i < pairs.length; i += 2) bytes += pairs[i]!.length + pairs[i + 1]!.length + 4;
  const buffer = Buffer.allocUnsafe(bytes);
  const offsets: number[] = [];
  let off = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    const name = pairs[i]!;
    const value = pairs[i + 1]!;
    offsets.push(off, off + name.length, off + name.length + 2, off + name.length + 2 + value.length);
    off += buffer.write(`${name}: ${value}\r\n`, off, "latin1");
  }
  return { buffer, offsets, size: pairs.length / 2 };
}

/** A {@link FieldList} over `pairs` (see {@link layoutFields}). */
export function fieldListOf(pairs: readonly string[]): FieldList {
  const { buffer, offsets, size } = layoutFields(pairs);
  return new FieldList(buffer, offsets, size);
}
