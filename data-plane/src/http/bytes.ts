/**
 * Byte classes of HTTP/1.1 and case-insensitive name comparison on raw bytes, for the parsers and
 * serializers of the engine. Tables are indexed by byte value (0-255): one array read per byte.
 */

/** tchar (RFC 9110 §5.6.2): `!#$%&'*+-.^_`|~`, DIGIT, ALPHA. 1 = a token character. */
export const TCHAR: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const c of "!#$%&'*+-.^_`|~") t[c.charCodeAt(0)] = 1;
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  return t;
})();

/** ASCII lower-case of each byte (other bytes map to themselves). */
export const LOWER: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
  return t;
})();

/** Hex digit values, 0xff for a byte that is not a hex digit (RFC 5234 HEXDIG, either case). */
export const HEX: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(0xff);
  for (let c = 0; c < 10; c++) t[0x30 + c] = c;
  for (let c = 0; c < 6; c++) {
    t[0x41 + c] = 10 + c;
    t[0x61 + c] = 10 + c;
  }
  return t;
})();

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;
export const COLON = 0x3a;

/**
 * Whether `c` may appear in a field value (RFC 9110 §5.5: field-vchar, SP, HTAB, obs-text). CR,
 * LF, NUL, the other controls and DEL may not.
 */
export function isFieldValueByte(c: number): boolean {
  return c >= 0x20 ? c !== 0x7f : c === HTAB;
}

/** Whether `s` is a non-empty token (RFC 9110 §5.6.2). */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TCHAR[c] !== 1) return false;
  }
  return true;
}

/** Whether `s` is a valid field value: only field-vchar, SP, HTAB and obs-text (no CR, LF, NUL). */
export function isFieldValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || !isFieldValueByte(c)) return false;
  }
  return true;
}

/**
 * Whether `buf[start..end)` equals the lower-case ASCII `name` ignoring case.
 * @param name lower-case
 */
export function equalsLower(buf: Uint8Array, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (LOWER[buf[start + i]!] !== name.charCodeAt(i)) return false;
  return true;
}

/** Anything that says whether a field name, given as raw bytes, is one of its names. */
export interface FieldNameMatcher {
  /** Whether the name in `buf[start..end)` (any case) matches. */
  has(buf: Uint8Array, start: number, end: number): boolean;
}

/**
 * A set of lower-case field names matched against raw bytes without decoding them: the names a
 * proxy drops or owns (hop-by-hop fields, the headers it sets itself), built once (at config
 * compile for per-route sets) and consulted for every field of every message. It may also hold
 * name prefixes (`access-control-`): every name that starts with one matches.
 */
export class FieldNameSet implements FieldNameMatcher {
  /** Names by length, each as lower-case bytes. */
  readonly #byLength: Array<Uint8Array[] | undefined> = [];
  readonly #names: ReadonlySet<string>;
  readonly #prefixes: readonly Uint8Array[];
  readonly #prefixNames: readonly string[];

  /**
   * @param names field names, any case (lower-cased here)
   * @param prefixes name prefixes, any case: every name that starts with one is in the set
   */
  constructor(names: Iterable<string>, prefixes: Iterable<string> = []) {
    const lower = new Set<string>();
    for (const n of names) lower.add(n.toLowerCase());
    this.#names = lower;
    for (const n of lower) {
      const bucket = this.#byLength[n.length] ?? [];
      bucket.push(Buffer.from(n, "latin1"));
      this.#byLength[n.length] = bucket;
    }
    const pre = [...new Set([...prefixes].map((p) => p.toLowerCase()))];
    this.#prefixNames = pre;
    this.#prefixes = pre.map((p) => Buffer.from(p, "latin1"));
  }

  /** The name prefixes, lower-case. */
  get prefixes(): readonly string[] {
    return this.#prefixNames;
  }

  /** The names, lower-case. */
  get names(): ReadonlySet<string> {
    return this.#names;
  }

  /** Whether the lower-case `name` is in the set. */
  hasName(name: string): boolean {
    if (this.#names.has(name)) return true;
    for (const p of this.#prefixNames) if (name.startsWith(p)) return true;
    return false;
  }

  /** Whether the name in `buf[start..end)` (any case) is in the set. */
  has(buf: Uint8Array, start: number, end: number): boolean {
    const bucket = this.#byLength[end - start];
    if (bucket !== undefined) {
      outer: for (let b = 0; b < bucket.length; b++) {
        const n = bucket[b]!;
        for (let i = 0; i < n.length; i++) if (LOWER[buf[start + i]!] !== n[i]) continue outer;
        return true;
      }
    }
    const prefixes = this.#prefixes;
    outer: for (let p = 0; p < prefixes.length; p++) {
      const n = prefixes[p]!;
      if (end - start < n.length) continue;
      for (let i = 0; i < n.length; i++) if (LOWER[buf[start + i]!] !== n[i]) continue outer;
      return true;
    }
    return false;
  }

  /** A new set with the names (and prefixes) of both. */
  union(other: FieldNameSet | Iterable<string>): FieldNameSet {
    if (other instanceof FieldNameSet)
      return new FieldNameSet([...this.#names, ...other.names], [...this.#prefixNames, ...other.prefixes]);
    return new FieldNameSet([...this.#names, ...other], this.#prefixNames);
  }
}

/**
 * A few lower-case names decided per message (the fields a request's `Connection` names, the
 * names its policies edited), matched against raw bytes without building a {@link FieldNameSet}.
 */
export class NameList implements FieldNameMatcher {
  readonly #names: readonly string[];

  /** @param names lower-case names */
  constructor(names: readonly string[]) {
    this.#names = names;
  }

  has(buf: Uint8Array, start: number, end: number): boolean {
    const names = this.#names;
    outer: for (let k = 0; k < names.length; k++) {
      const n = names[k]!;
      if (n.length !== end - start) continue;
      for (let i = 0; i < n.length; i++) if (LOWER[buf[start + i]!] !== n.charCodeAt(i)) continue outer;
      return true;
    }
    return false;
  }
}

/**
 * node's own latin1 codec on Buffer (what `toString("latin1")` and `write(s, o, "latin1")` call,
 * without their argument handling, which costs more than the copy for a head's few hundred bytes).
 */
interface Latin1Codec {
  latin1Slice(start: number, end: number): string;
  latin1Write(s: string, offset: number): number;
}

/** `buf[start..end)` as a latin1 string: one char per byte, so obs-text survives as node:http gives it. */
export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as Latin1Codec).latin1Slice(start, end);
}

/**
 * Writes `s` (chars ≤ 0xff, checked by the caller) into `buf` at `offset`, one byte a char.
 * @returns the bytes written
 */
export function latin1Write(buf: Buffer, s: string, offset: number): number {
  return (buf as unknown as Latin1Codec).latin1Write(s, offset);
}

/**
 * What a connection holds unread after `chunk` arrived: `chunk` itself when nothing was held
 * (no copy, the common case), else the held rest and `chunk` in one new buffer.
 * @param held the buffer held so far, `null` when none
 * @param start where its unread part begins
 */
export function appendUnread(held: Buffer | null, start: number, chunk: Buffer): Buffer {
  return held === null || start >= held.length ? chunk : Buffer.concat([held.subarray(start), chunk]);
}
