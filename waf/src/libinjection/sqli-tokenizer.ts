import {
  C_BACK,
  C_BANG,
  C_BSTRING,
  C_BWORD,
  C_COMMA,
  C_DASH,
  C_ESTRING,
  C_HASH,
  C_LEFTBRACE,
  C_LEFTPARENS,
  C_MONEY,
  C_NQSTRING,
  C_NUM,
  C_OP1,
  C_OP2,
  C_OTHER,
  C_QSTRING,
  C_RIGHTBRACE,
  C_RIGHTPARENS,
  C_SEMICOLON,
  C_SLASH,
  C_STR,
  C_TICK,
  C_UNARY,
  C_USTRING,
  C_VAR,
  C_WHITE,
  C_WORD,
  C_XSTRING,
  CHAR_CLASS,
  lookupKeyword,
  lookupKeywordHashed,
} from "./sqli-data.js";
import {
  MAX_VALUE,
  T_BACKSLASH,
  T_BAREWORD,
  T_COLON,
  T_COMMENT,
  T_DOT,
  T_EVIL,
  T_FUNCTION,
  T_NUMBER,
  T_OPERATOR,
  T_STRING,
  T_UNKNOWN,
  T_VARIABLE,
  type TokenStore,
} from "./sqli-tokens.js";
import { WORD_HASH_SEED, wordHashStep } from "./word-table.js";

/** Quote contexts: the input is read as-is, or as if it followed an opening `'` or `"`. */
export const QUOTE_NONE = 0;
export const QUOTE_SINGLE = 0x27;
export const QUOTE_DOUBLE = 0x22;

const SQ = 0x27;
const DQ = 0x22;
const TICK = 0x60;
const DOLLAR = 0x24;

/** Byte sets as 256-entry tables (`1` = member). */
function byteSet(chars: string, extra: number[] = []): Uint8Array {
  const out = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) out[chars.charCodeAt(i)] = 1;
  for (const b of extra) out[b] = 1;
  return out;
}

/** Bytes that end a bare word (NUL and NBSP included). */
const WORD_END = byteSet(" []{}<>:\\?=@!#~+-*/&|^%(),';\t\n\v\f\r\"", [0x00, 0xa0]);
/** Bytes that end a variable name after `@` / `@@`. */
const VAR_END = byteSet(" <>:\\?=@!#~+-*/&|^%(),';\t\n\v\f\r`\"", [0x00]);
/** Whitespace for `-- ` comments and number suffixes (NUL and NBSP included). */
const WHITE = byteSet(" \t\n\v\f\r", [0x00, 0xa0]);
const HEX = byteSet("0123456789ABCDEFabcdef");
const BIN = byteSet("01");
const MONEY = byteSet("0123456789.,");
const LETTER = byteSet("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * libinjection's SQL tokenizer, one token per {@link next} call into a slot of a
 * {@link TokenStore}. Each token starts by the class of its first byte (`sqlparse_data.json`
 * `charmap`); words are typed by the keyword table. Two dialect switches: ANSI (`--x` is a
 * comment, `#` an operator) or MySQL (`--` needs a following space to be a comment, `#` starts a
 * comment). In a quote context the input is read as if it began inside a string.
 *
 * Counters kept per run feed the verdict: tokens produced, `--x` comments and `#` seen (either
 * asks for a MySQL re-read).
 */
export class SqlTokenizer {
  readonly #t: TokenStore;
  #s = "";
  #n = 0;
  #pos = 0;
  #quote = QUOTE_NONE;
  #mysql = false;
  /** Tokens produced in this run, comments included. */
  tokens = 0;
  /** `--` comments seen with no space after them (an ANSI-only reading). */
  ddxComments = 0;
  /** `#` seen (an operator in ANSI, a comment in MySQL). */
  hashes = 0;

  constructor(store: TokenStore) {
    this.#t = store;
  }

  /** Starts a run over `s` (a byte string) in a quote context and dialect. */
  reset(s: string, quote: number, mysql: boolean): void {
    this.#s = s;
    this.#n = s.length;
    this.#pos = 0;
    this.#quote = quote;
    this.#mysql = mysql;
    this.tokens = 0;
    this.ddxComments = 0;
    this.hashes = 0;
  }

  /** Scans the next token into slot `i`; false at end of input (slot left empty). */
  next(i: number): boolean {
    const t = this.#t;
    t.clear(i);
    if (this.#n === 0) return false;
    if (this.#pos === 0 && this.#quote !== QUOTE_NONE) {
      // The quote context: the input starts inside a string whose opening quote is not there.
      this.#pos = this.#string(i, 0, this.#quote, 0);
      this.tokens++;
      return true;
    }
    const s = this.#s;
    const n = this.#n;
    let pos = this.#pos;
    while (pos < n) {
      const cls = CHAR_CLASS[s.charCodeAt(pos)]!;
      if (cls === C_WHITE) {
        pos++;
        continue;
      }
      pos = cls === C_WORD ? this.#word(i, pos) : this.#scan(i, cls, pos);
      if (t.type[i] !== 0) {
        this.#pos = pos;
        this.tokens++;
        return true;
      }
    }
    this.#pos = pos;
    return false;
  }

  /** Runs the scanner of byte class `cls` at `pos`; returns the position after what it read. */
  #scan(i: number, cls: number, pos: number): number {
    switch (cls) {
      case C_WHITE:
        return pos + 1;
      case C_STR:
        return this.#string(i, pos, this.#s.charCodeAt(pos), 1);
      case C_WORD:
        return this.#word(i, pos);
      case C_NUM:
        return this.#number(i, pos);
      case C_OP1:
      case C_UNARY:
        return this.#single(i, pos, T_OPERATOR);
      case C_OP2:
      case C_BANG:
        return this.#operator2(i, pos);
      case C_LEFTPARENS:
      case C_RIGHTPARENS:
      case C_COMMA:
      case C_SEMICOLON:
      case C_LEFTBRACE:
      case C_RIGHTBRACE:
        // The token type of punctuation is the byte itself.
        return this.#single(i, pos, this.#s.charCodeAt(pos));
      case C_OTHER:
        return this.#single(i, pos, T_UNKNOWN);
      case C_DASH:
        return this.#dash(i, pos);
      case C_SLASH:
        return this.#slash(i, pos);
      case C_HASH:
        return this.#hash(i, pos);
      case C_VAR:
        return this.#variable(i, pos);
      case C_MONEY:
        return this.#money(i, pos);
      case C_TICK:
        return this.#tick(i, pos);
      case C_BWORD:
        return this.#bracketWord(i, pos);
      case C_BACK:
        return this.#backslash(i, pos);
      case C_BSTRING:
        return this.#bitString(i, pos, BIN);
      case C_XSTRING:
        return this.#bitString(i, pos, HEX);
      case C_ESTRING:
        return this.#prefixedString(i, pos);
      case C_NQSTRING:
        return this.#nString(i, pos);
      case C_QSTRING:
        return this.#qString(i, pos, 0);
      case C_USTRING:
        return this.#uString(i, pos);
      default:
        return pos + 1;
    }
  }

  #single(i: number, pos: number, type: number): number {
    this.#t.assign(i, type, this.#s, pos, 1);
    return pos + 1;
  }

  /**
   * A quoted string from `pos + offset` (offset 1 skips the opening quote, 0 is the simulated
   * quote of a quote context) to the next `delim` that is neither backslash-escaped nor doubled.
   */
  #string(i: number, pos: number, delim: number, offset: number): number {
    const t = this.#t;
    const s = this.#s;
    const n = this.#n;
    const from = pos + offset;
    const d = String.fromCharCode(delim);
    t.open[i] = offset > 0 ? delim : 0;
    let q = s.indexOf(d, from);
    for (;;) {
      if (q < 0) {
        t.assign(i, T_STRING, s, from, n - from);
        t.close[i] = 0;
        return n;
      }
      let backslashes = 0;
      for (let k = q - 1; k >= from && s.charCodeAt(k) === 0x5c; k--) backslashes++;
      if ((backslashes & 1) === 1) {
        q = s.indexOf(d, q + 1);
      } else if (q + 1 < n && s.charCodeAt(q + 1) === delim) {
        q = s.indexOf(d, q + 2);
      } else {
        t.assign(i, T_STRING, s, from, q - from);
        t.close[i] = delim;
        return q + 1;
      }
    }
  }

  /** A comment to the end of the line (the newline is consumed, not kept). */
  #lineComment(i: number, pos: number): number {
    const nl = this.#s.indexOf("\n", pos);
    const end = nl < 0 ? this.#n : nl;
    this.#t.assign(i, T_COMMENT, this.#s, pos, end - pos);
    return nl < 0 ? this.#n : nl + 1;
  }

  /** `--x` is a comment in ANSI SQL; MySQL wants a space (or the end) after `--`. */
  #dash(i: number, pos: number): number {
    const s = this.#s;
    if (pos + 1 < this.#n && s.charCodeAt(pos + 1) === 0x2d) {
      if (pos + 2 === this.#n || WHITE[s.charCodeAt(pos + 2)] === 1) return this.#lineComment(i, pos);
      if (!this.#mysql) {
        this.ddxComments++;
        return this.#lineComment(i, pos);
      }
    }
    return this.#single(i, pos, T_OPERATOR);
  }

  /** `#`: a comment in MySQL, an operator elsewhere. */
  #hash(i: number, pos: number): number {
    this.hashes++;
    if (this.#mysql) return this.#lineComment(i, pos);
    return this.#single(i, pos, T_OPERATOR);
  }

  /**
   * `/` or a C-style comment. A comment holding another `/*` (nested comments parse differently
   * per database) and a MySQL `/*!` executable comment are typed X (evil).
   */
  #slash(i: number, pos: number): number {
    const s = this.#s;
    const n = this.#n;
    if (pos + 1 === n || s.charCodeAt(pos + 1) !== 0x2a) return this.#single(i, pos, T_OPERATOR);
    const close = s.indexOf("*/", pos + 2);
    const end = close < 0 ? n : close + 2;
    const inner = s.indexOf("/*", pos + 2);
    let type = T_COMMENT;
    if (inner >= 0 && (close < 0 || inner < close)) type = T_EVIL;
    else if (pos + 2 < n && s.charCodeAt(pos + 2) === 0x21) type = T_EVIL;
    this.#t.assign(i, type, s, pos, end - pos);
    return end;
  }

  /** Two-byte operators from the keyword table (`!=`, `||`, `:=` …), `<=>`, or one byte. */
  #operator2(i: number, pos: number): number {
    const s = this.#s;
    if (pos + 1 >= this.#n) return this.#single(i, pos, T_OPERATOR);
    const c = s.charCodeAt(pos);
    if (c === 0x3c && pos + 2 < this.#n && s.charCodeAt(pos + 1) === 0x3d && s.charCodeAt(pos + 2) === 0x3e) {
      this.#t.assign(i, T_OPERATOR, s, pos, 3);
      return pos + 3;
    }
    const type = lookupKeyword(s, pos, 2);
    if (type !== 0) {
      this.#t.assign(i, type, s, pos, 2);
      return pos + 2;
    }
    return this.#single(i, pos, c === 0x3a ? T_COLON : T_OPERATOR);
  }

  /** `\N` is MySQL's NULL (a number); any other backslash is its own token. */
  #backslash(i: number, pos: number): number {
    if (pos + 1 < this.#n && this.#s.charCodeAt(pos + 1) === 0x4e) {
      this.#t.assign(i, T_NUMBER, this.#s, pos, 2);
      return pos + 2;
    }
    return this.#single(i, pos, T_BACKSLASH);
  }

  /**
   * A bare word, typed by the keyword table. A word holding `.` or `` ` `` is cut there when
   * what comes before is a keyword (`SELECT.1`, ``AND`x` ``).
   */
  #word(i: number, pos: number): number {
    const t = this.#t;
    const s = this.#s;
    const n = this.#n;
    // One pass: find the end, hash as we go, and try the keyword before each "." or "`" in the
    // value's first MAX_VALUE bytes (what libinjection keeps of a token).
    let h = WORD_HASH_SEED;
    let end = pos;
    while (end < n) {
      const c = s.charCodeAt(end);
      if (WORD_END[c] === 1) break;
      if ((c === 0x2e || c === TICK) && end - pos < MAX_VALUE) {
        const type = lookupKeywordHashed(h, s, pos, end - pos);
        if (type !== 0 && type !== T_BAREWORD) {
          t.assign(i, type, s, pos, end - pos);
          return end;
        }
      }
      h = wordHashStep(h, c);
      end++;
    }
    const wlen = end - pos;
    let type = T_BAREWORD;
    if (wlen <= MAX_VALUE) {
      const found = lookupKeywordHashed(h, s, pos, wlen);
      if (found !== 0) type = found;
    }
    t.assign(i, type, s, pos, wlen);
    return end;
  }

  /** A backtick-quoted name: a function when the name is one, else a bare word. */
  #tick(i: number, pos: number): number {
    const t = this.#t;
    const end = this.#string(i, pos, TICK, 1);
    t.type[i] = lookupKeyword(t.src[i]!, t.start[i]!, t.len[i]!) === T_FUNCTION ? T_FUNCTION : T_BAREWORD;
    return end;
  }

  /** `@name`, `@@name`, or a quoted name after them. */
  #variable(i: number, pos: number): number {
    const t = this.#t;
    const s = this.#s;
    const n = this.#n;
    let p = pos + 1;
    if (p < n && s.charCodeAt(p) === 0x40) {
      p++;
      t.count[i] = 2;
    } else {
      t.count[i] = 1;
    }
    if (p < n) {
      const c = s.charCodeAt(p);
      if (c === TICK || c === SQ || c === DQ) {
        const end = c === TICK ? this.#tick(i, p) : this.#string(i, p, c, 1);
        t.type[i] = T_VARIABLE;
        return end;
      }
    }
    let end = p;
    while (end < n && VAR_END[s.charCodeAt(end)] === 0) end++;
    t.assign(i, T_VARIABLE, s, p, end - p);
    return end;
  }

  /** Decimal, hex `0x..`, binary `0b..`, with fraction, exponent and Oracle `d`/`f` suffix. */
  #number(i: number, pos: number): number {
    const t = this.#t;
    const s = this.#s;
    const n = this.#n;
    if (s.charCodeAt(pos) === 0x30 && pos + 1 < n) {
      const c = s.charCodeAt(pos + 1) | 0x20;
      const digits = c === 0x78 ? HEX : c === 0x62 ? BIN : null;
      if (digits !== null) {
        let end = pos + 2;
        while (end < n && digits[s.charCodeAt(end)] === 1) end++;
        // "0x" with no digit after it is a word.
        t.assign(i, end === pos + 2 ? T_BAREWORD : T_NUMBER, s, pos, end - pos);
        return end;
      }
    }
    let p = pos;
    while (p < n && isDigit(s.charCodeAt(p))) p++;
    if (p < n && s.charCodeAt(p) === 0x2e) {
      p++;
      while (p < n && isDigit(s.charCodeAt(p))) p++;
      if (p - pos === 1) {
        t.assign(i, T_DOT, s, pos, 1);
        return p;
      }
    }
    let exponent = false;
    let exponentDigits = false;
    if (p < n && (s.charCodeAt(p) | 0x20) === 0x65) {
      exponent = true;
      p++;
      if (p < n && (s.charCodeAt(p) === 0x2b || s.charCodeAt(p) === 0x2d)) p++;
      while (p < n && isDigit(s.charCodeAt(p))) {
        exponentDigits = true;
        p++;
      }
    }
    if (p < n) {
      const c = s.charCodeAt(p) | 0x20;
      if (c === 0x64 || c === 0x66) {
        // Oracle's float/double suffix, taken when it ends the number: "1f", "1f;", "1fUNION"
        // (but not "1FROM").
        const after = p + 1 < n ? s.charCodeAt(p + 1) : -1;
        if (after < 0 || WHITE[after] === 1 || after === 0x3b || (after | 0x20) === 0x75) p++;
      }
    }
    // "1.e", "10.10E": an exponent with no digits makes the whole thing a word.
    t.assign(i, exponent && !exponentDigits ? T_BAREWORD : T_NUMBER, s, pos, p - pos);
    return p;
  }

  /** `$1,000.00` money, pgsql `$$…$$` and `$tag$…$tag$` strings, or a lone `$`. */
  #money(i: number, pos: number): number {
    const t = this.#t;
    const s = this.#s;
    const n = this.#n;
    if (pos + 1 === n) return this.#single(i, pos, T_BAREWORD);
    let p = pos + 1;
    while (p < n && MONEY[s.charCodeAt(p)] === 1) p++;
    const digits = p - pos - 1;
    if (digits === 1 && s.charCodeAt(pos + 1) === 0x2e) return this.#word(i, pos);
    if (digits > 0) {
      t.assign(i, T_NUMBER, s, pos, 1 + digits);
      return pos + 1 + digits;
    }
    t.open[i] = DOLLAR;
    if (s.charCodeAt(pos + 1) === DOLLAR) {
      const from = pos + 2;
      const end = s.indexOf("$$", from);
      t.assign(i, T_STRING, s, from, (end < 0 ? n : end) - from);
      t.close[i] = end < 0 ? 0 : DOLLAR;
      return end < 0 ? n : end + 2;
    }
    let tagEnd = pos + 1;
    while (tagEnd < n && LETTER[s.charCodeAt(tagEnd)] === 1) tagEnd++;
    if (tagEnd === pos + 1 || tagEnd === n || s.charCodeAt(tagEnd) !== DOLLAR) {
      t.open[i] = 0;
      return this.#single(i, pos, T_BAREWORD);
    }
    // $tag$ … $tag$
    const tagLen = tagEnd + 1 - pos;
    const from = tagEnd + 1;
    let q = s.indexOf("$", from);
    while (q >= 0 && !(q + tagLen <= n && sameBytes(s, q, pos, tagLen))) q = s.indexOf("$", q + 1);
    t.assign(i, T_STRING, s, from, (q < 0 ? n : q) - from);
    t.close[i] = q < 0 ? 0 : DOLLAR;
    return q < 0 ? n : q + tagLen;
  }

  /** MS SQL `[name]` (to the `]` or the end). */
  #bracketWord(i: number, pos: number): number {
    const end = this.#s.indexOf("]", pos);
    const stop = end < 0 ? this.#n : end + 1;
    this.#t.assign(i, T_BAREWORD, this.#s, pos, stop - pos);
    return stop;
  }

  /** `x'1f'` / `b'0101'` literals (numbers); otherwise a word. */
  #bitString(i: number, pos: number, digits: Uint8Array): number {
    const s = this.#s;
    const n = this.#n;
    if (pos + 2 >= n || s.charCodeAt(pos + 1) !== SQ) return this.#word(i, pos);
    let p = pos + 2;
    while (p < n && digits[s.charCodeAt(p)] === 1) p++;
    if (p >= n || s.charCodeAt(p) !== SQ) return this.#word(i, pos);
    this.#t.assign(i, T_NUMBER, s, pos, p + 1 - pos);
    return p + 1;
  }

  /** `e'…'` (pgsql) and `n'…'` (MySQL national) strings: a string from the quote on. */
  #prefixedString(i: number, pos: number): number {
    if (pos + 2 >= this.#n || this.#s.charCodeAt(pos + 1) !== SQ) return this.#word(i, pos);
    return this.#string(i, pos, SQ, 2);
  }

  /** `n'…'` or Oracle `nq'!…!'`. */
  #nString(i: number, pos: number): number {
    if (pos + 2 < this.#n && this.#s.charCodeAt(pos + 1) === SQ) return this.#prefixedString(i, pos);
    return this.#qString(i, pos, 1);
  }

  /** Oracle `q'<delim>…<delim>'` with `()`, `[]`, `{}`, `<>` pairs; otherwise a word. */
  #qString(i: number, pos: number, offset: number): number {
    const t = this.#t;
    const s = this.#s;
    const n = this.#n;
    const p = pos + offset;
    if (p >= n || (s.charCodeAt(p) | 0x20) !== 0x71 || p + 2 >= n || s.charCodeAt(p + 1) !== SQ) {
      return this.#word(i, pos);
    }
    let d = s.charCodeAt(p + 2);
    if (d < 33 || d > 127) return this.#word(i, pos);
    if (d === 0x28) d = 0x29;
    else if (d === 0x5b) d = 0x5d;
    else if (d === 0x7b) d = 0x7d;
    else if (d === 0x3c) d = 0x3e;
    const from = p + 3;
    let q = s.indexOf("'", from + 1);
    while (q >= 0 && s.charCodeAt(q - 1) !== d) q = s.indexOf("'", q + 1);
    t.assign(i, T_STRING, s, from, (q < 0 ? n : q - 1) - from);
    t.open[i] = 0x71; // q
    t.close[i] = q < 0 ? 0 : 0x71;
    return q < 0 ? n : q + 1;
  }

  /** pgsql `U&'…'` unicode strings; otherwise a word. */
  #uString(i: number, pos: number): number {
    const s = this.#s;
    if (pos + 2 < this.#n && s.charCodeAt(pos + 1) === 0x26 && s.charCodeAt(pos + 2) === SQ) {
      const t = this.#t;
      const end = this.#string(i, pos + 2, SQ, 1);
      t.open[i] = 0x75; // u
      if (t.close[i] === SQ) t.close[i] = 0x75;
      return end;
    }
    return this.#word(i, pos);
  }
}

/** True when `s[a, a+len)` and `s[b, b+len)` are the same bytes. */
function sameBytes(s: string, a: number, b: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (s.charCodeAt(a + k) !== s.charCodeAt(b + k)) return false;
  return true;
}
