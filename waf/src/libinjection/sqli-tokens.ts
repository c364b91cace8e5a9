/**
 * SQL token types: each is the character it contributes to a fingerprint (libinjection's
 * published token alphabet, the letters of `fingerprints.txt` and of the test files).
 */
export const T_NONE = 0;
export const T_KEYWORD = 0x6b; // k
export const T_UNION = 0x55; // U
export const T_GROUP = 0x42; // B
export const T_EXPRESSION = 0x45; // E
export const T_SQLTYPE = 0x74; // t
export const T_FUNCTION = 0x66; // f
export const T_BAREWORD = 0x6e; // n
export const T_NUMBER = 0x31; // 1
export const T_VARIABLE = 0x76; // v
export const T_STRING = 0x73; // s
export const T_OPERATOR = 0x6f; // o
export const T_LOGIC = 0x26; // &
export const T_COMMENT = 0x63; // c
export const T_COLLATE = 0x41; // A
export const T_LEFTPARENS = 0x28; // (
export const T_RIGHTPARENS = 0x29; // )
export const T_LEFTBRACE = 0x7b; // {
export const T_RIGHTBRACE = 0x7d; // }
export const T_DOT = 0x2e; // .
export const T_COMMA = 0x2c; // ,
export const T_COLON = 0x3a; // :
export const T_SEMICOLON = 0x3b; // ;
export const T_TSQL = 0x54; // T
export const T_UNKNOWN = 0x3f; // ?
export const T_EVIL = 0x58; // X
export const T_BACKSLASH = 0x5c; // \

/** A token keeps at most this many value bytes (libinjection's 32-byte value buffer, NUL-ended). */
export const MAX_VALUE = 31;
/** Tokens in a fingerprint. */
export const MAX_TOKENS = 5;

const CAPACITY = MAX_TOKENS + 4;
/** Slot of the token store that holds the last comment seen while folding. */
export const COMMENT_SLOT = CAPACITY - 1;

/**
 * A fixed set of token slots, as parallel typed arrays, reused by every call (no allocation per
 * token). A token's value is `src[start, start+len)`: `src` is the input itself, or a short
 * string built when two words merge ("UNION" + "ALL"). `len` is capped at {@link MAX_VALUE}.
 */
export class TokenStore {
  readonly type = new Uint8Array(CAPACITY);
  readonly src: string[] = new Array<string>(CAPACITY).fill("");
  readonly start = new Int32Array(CAPACITY);
  readonly len = new Int32Array(CAPACITY);
  /** Opening quote of a string or quoted name (`'`, `"`, `` ` ``, `$`, `q`, `u`), 0 when none. */
  readonly open = new Uint8Array(CAPACITY);
  /** Closing quote, 0 when the input ended inside the string. */
  readonly close = new Uint8Array(CAPACITY);
  /** For variables: the number of `@` (1 or 2). */
  readonly count = new Uint8Array(CAPACITY);

  clear(i: number): void {
    this.type[i] = T_NONE;
    this.len[i] = 0;
    this.open[i] = 0;
    this.close[i] = 0;
    this.count[i] = 0;
  }

  /** Sets type and value (capped at {@link MAX_VALUE} bytes); quotes and count are kept. */
  assign(i: number, type: number, src: string, start: number, len: number): void {
    this.type[i] = type;
    this.src[i] = src;
    this.start[i] = start;
    this.len[i] = Math.min(len, MAX_VALUE);
  }

  copy(to: number, from: number): void {
    this.type[to] = this.type[from]!;
    this.src[to] = this.src[from]!;
    this.start[to] = this.start[from]!;
    this.len[to] = this.len[from]!;
    this.open[to] = this.open[from]!;
    this.close[to] = this.close[from]!;
    this.count[to] = this.count[from]!;
  }

  /** Byte `k` of token `i`'s value, or 0 past its end (the C value buffer is NUL-ended). */
  byteAt(i: number, k: number): number {
    return k < this.len[i]! ? this.src[i]!.charCodeAt(this.start[i]! + k) : 0;
  }

  /** True when token `i`'s value equals `word` (upper-case ASCII) ignoring ASCII case. */
  is(i: number, word: string): boolean {
    const n = this.len[i]!;
    if (n !== word.length) return false;
    const s = this.src[i]!;
    const at = this.start[i]!;
    for (let k = 0; k < n; k++) {
      let c = s.charCodeAt(at + k);
      if (c >= 0x61 && c <= 0x7a) c -= 0x20;
      if (c !== word.charCodeAt(k)) return false;
    }
    return true;
  }

  /** The value as a string (allocates: tests and diagnostics only). */
  value(i: number): string {
    const at = this.start[i]!;
    return this.src[i]!.slice(at, at + this.len[i]!);
  }

  /** A unary operator: `+ - ! !! ~ NOT`. */
  isUnaryOp(i: number): boolean {
    if (this.type[i] !== T_OPERATOR) return false;
    const n = this.len[i]!;
    const c = this.byteAt(i, 0);
    if (n === 1) return c === 0x2b || c === 0x2d || c === 0x21 || c === 0x7e;
    if (n === 2) return c === 0x21 && this.byteAt(i, 1) === 0x21;
    return n === 3 && this.is(i, "NOT");
  }

  /** A one-byte arithmetic operator: `* / - + %`. */
  isArithmeticOp(i: number): boolean {
    if (this.type[i] !== T_OPERATOR || this.len[i] !== 1) return false;
    const c = this.byteAt(i, 0);
    return c === 0x2a || c === 0x2f || c === 0x2d || c === 0x2b || c === 0x25;
  }
}
