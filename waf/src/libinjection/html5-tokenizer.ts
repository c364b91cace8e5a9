/** HTML5 token types (libinjection's names, as its `test-html5-*.txt` print them). */
export const DATA_TEXT = 0;
export const TAG_NAME_OPEN = 1;
export const TAG_NAME_CLOSE = 2;
export const TAG_NAME_SELFCLOSE = 3;
export const TAG_DATA = 4;
export const TAG_CLOSE = 5;
export const ATTR_NAME = 6;
export const ATTR_VALUE = 7;
export const TAG_COMMENT = 8;
export const DOCTYPE = 9;

/** Token type names, indexed by type. */
export const HTML5_TOKEN_NAMES = [
  "DATA_TEXT",
  "TAG_NAME_OPEN",
  "TAG_NAME_CLOSE",
  "TAG_NAME_SELFCLOSE",
  "TAG_DATA",
  "TAG_CLOSE",
  "ATTR_NAME",
  "ATTR_VALUE",
  "TAG_COMMENT",
  "DOCTYPE",
] as const;

/**
 * Where the input sits in a page: in text, or inside an attribute value (unquoted, or after a
 * `'`, `"` or `` ` ``) — the five contexts libinjection's XSS check reads an input in.
 */
export const CONTEXT_DATA = 0;
export const CONTEXT_VALUE_NO_QUOTE = 1;
export const CONTEXT_VALUE_SINGLE_QUOTE = 2;
export const CONTEXT_VALUE_DOUBLE_QUOTE = 3;
export const CONTEXT_VALUE_BACK_QUOTE = 4;

// Tokenizer states (WHATWG HTML "tokenization" states, as libinjection keeps them).
const S_DATA = 0;
const S_TAG_OPEN = 1;
const S_END_TAG_OPEN = 2;
const S_TAG_NAME = 3;
const S_TAG_NAME_CLOSE = 4;
const S_BEFORE_ATTR_NAME = 5;
const S_ATTR_NAME = 6;
const S_AFTER_ATTR_NAME = 7;
const S_BEFORE_ATTR_VALUE = 8;
const S_VALUE_DOUBLE_QUOTE = 9;
const S_VALUE_SINGLE_QUOTE = 10;
const S_VALUE_BACK_QUOTE = 11;
const S_VALUE_NO_QUOTE = 12;
const S_AFTER_VALUE_QUOTED = 13;
const S_SELF_CLOSING = 14;
const S_BOGUS_COMMENT = 15;
const S_BOGUS_COMMENT_PERCENT = 16;
const S_MARKUP_DECLARATION = 17;
const S_COMMENT = 18;
const S_CDATA = 19;
const S_DOCTYPE = 20;
const S_EOF = 21;

const START_STATE = [S_DATA, S_BEFORE_ATTR_NAME, S_VALUE_SINGLE_QUOTE, S_VALUE_DOUBLE_QUOTE, S_VALUE_BACK_QUOTE];

/** HTML whitespace as libinjection sees it (NUL included: old browsers skipped it). */
function isWhite(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0;
}

function isLetter(c: number): boolean {
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x7a;
}

/** True when `s[at, at+word.length)` equals `word` (upper case) ignoring ASCII case. */
function startsWithFolded(s: string, at: number, word: string): boolean {
  if (at + word.length > s.length) return false;
  for (let k = 0; k < word.length; k++) {
    let c = s.charCodeAt(at + k);
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (c !== word.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * A lenient HTML5 tokenizer after the WHATWG tokenizer states (data, tag open, tag name,
 * attribute name/value in each quote style, self-closing, comments, bogus comments incl. IE's
 * `<% … %>`, CDATA, DOCTYPE), as libinjection follows them to find where a browser would see a
 * tag, an attribute or a comment. One token per {@link next}: {@link type}, and the token's
 * bytes `s[start, start+len)`. Never throws; reads each byte a bounded number of times.
 */
export class Html5Tokenizer {
  #s = "";
  #n = 0;
  #pos = 0;
  #state = S_DATA;
  #closing = false;
  /** Type of the last token (one of the constants above). */
  type = DATA_TEXT;
  /** Offset of the last token's bytes in the input. */
  start = 0;
  /** Length of the last token's bytes. */
  len = 0;

  /** Starts reading `s` (a byte string) in `context` (one of the CONTEXT_ constants). */
  reset(s: string, context: number): void {
    this.#s = s;
    this.#n = s.length;
    this.#pos = 0;
    this.#state = START_STATE[context] ?? S_DATA;
    this.#closing = false;
  }

  #emit(type: number, start: number, len: number): true {
    this.type = type;
    this.start = start;
    this.len = len;
    return true;
  }

  /** Reads the next token; false at the end of input. */
  next(): boolean {
    const s = this.#s;
    const n = this.#n;
    for (;;) {
      const pos = this.#pos;
      switch (this.#state) {
        case S_DATA: {
          const lt = s.indexOf("<", pos);
          if (lt < 0) {
            this.#state = S_EOF;
            this.#pos = n;
            return n > pos && this.#emit(DATA_TEXT, pos, n - pos);
          }
          this.#pos = lt + 1;
          this.#state = S_TAG_OPEN;
          if (lt > pos) return this.#emit(DATA_TEXT, pos, lt - pos);
          break;
        }
        case S_TAG_OPEN: {
          if (pos >= n) return false;
          const c = s.charCodeAt(pos);
          this.#closing = false; // a new tag: "</ x>" (a bogus comment) left no end tag open
          if (c === 0x21) {
            this.#pos = pos + 1;
            this.#state = S_MARKUP_DECLARATION;
          } else if (c === 0x2f) {
            this.#pos = pos + 1;
            this.#closing = true;
            this.#state = S_END_TAG_OPEN;
          } else if (c === 0x3f) {
            this.#pos = pos + 1;
            this.#state = S_BOGUS_COMMENT;
          } else if (c === 0x25) {
            this.#pos = pos + 1;
            this.#state = S_BOGUS_COMMENT_PERCENT;
          } else if (isLetter(c) || c === 0) {
            this.#state = S_TAG_NAME;
          } else {
            // "<1": not a tag; the "<" is text.
            this.#state = S_DATA;
            return this.#emit(DATA_TEXT, pos - 1, 1);
          }
          break;
        }
        case S_END_TAG_OPEN: {
          if (pos >= n) return false;
          const c = s.charCodeAt(pos);
          if (c === 0x3e) this.#state = S_DATA;
          else if (isLetter(c)) this.#state = S_TAG_NAME;
          else this.#state = S_BOGUS_COMMENT; // "</ x>" is a bogus comment
          break;
        }
        case S_TAG_NAME: {
          let p = pos;
          while (p < n) {
            const c = s.charCodeAt(p);
            if (c === 0) {
              p++; // NUL inside a tag name: IE ignored it
            } else if (isWhite(c)) {
              this.#pos = p + 1;
              this.#state = S_BEFORE_ATTR_NAME;
              return this.#emit(TAG_NAME_OPEN, pos, p - pos);
            } else if (c === 0x2f) {
              this.#pos = p + 1;
              this.#state = S_SELF_CLOSING;
              return this.#emit(TAG_NAME_OPEN, pos, p - pos);
            } else if (c === 0x3e) {
              if (this.#closing) {
                this.#closing = false;
                this.#pos = p + 1;
                this.#state = S_DATA;
                return this.#emit(TAG_CLOSE, pos, p - pos);
              }
              this.#pos = p;
              this.#state = S_TAG_NAME_CLOSE;
              return this.#emit(TAG_NAME_OPEN, pos, p - pos);
            } else {
              p++;
            }
          }
          this.#pos = n;
          this.#state = S_EOF;
          return this.#emit(TAG_NAME_OPEN, pos, n - pos);
        }
        case S_TAG_NAME_CLOSE:
          this.#closing = false;
          this.#pos = pos + 1;
          this.#state = pos + 1 < n ? S_DATA : S_EOF;
          return this.#emit(TAG_NAME_CLOSE, pos, 1);
        case S_BEFORE_ATTR_NAME:
        case S_AFTER_ATTR_NAME: {
          let p = pos;
          while (p < n && isWhite(s.charCodeAt(p))) p++;
          this.#pos = p;
          if (p >= n) return false;
          const c = s.charCodeAt(p);
          if (c === 0x2f) {
            this.#pos = p + 1;
            this.#state = S_SELF_CLOSING;
          } else if (c === 0x3e) {
            this.#state = S_TAG_NAME_CLOSE;
          } else if (c === 0x3d && this.#state === S_AFTER_ATTR_NAME) {
            this.#pos = p + 1;
            this.#state = S_BEFORE_ATTR_VALUE;
          } else {
            this.#state = S_ATTR_NAME;
          }
          break;
        }
        case S_ATTR_NAME: {
          // The first byte always belongs to the name (even "=").
          let p = pos + 1;
          while (p < n) {
            const c = s.charCodeAt(p);
            if (isWhite(c)) {
              this.#pos = p + 1;
              this.#state = S_AFTER_ATTR_NAME;
              return this.#emit(ATTR_NAME, pos, p - pos);
            }
            if (c === 0x2f) {
              this.#pos = p + 1;
              this.#state = S_SELF_CLOSING;
              return this.#emit(ATTR_NAME, pos, p - pos);
            }
            if (c === 0x3d) {
              this.#pos = p + 1;
              this.#state = S_BEFORE_ATTR_VALUE;
              return this.#emit(ATTR_NAME, pos, p - pos);
            }
            if (c === 0x3e) {
              this.#pos = p;
              this.#state = S_TAG_NAME_CLOSE;
              return this.#emit(ATTR_NAME, pos, p - pos);
            }
            p++;
          }
          this.#pos = n;
          this.#state = S_EOF;
          return this.#emit(ATTR_NAME, pos, n - pos);
        }
        case S_BEFORE_ATTR_VALUE: {
          let p = pos;
          while (p < n && isWhite(s.charCodeAt(p))) p++;
          this.#pos = p;
          if (p >= n) {
            this.#state = S_EOF;
            return false;
          }
          const c = s.charCodeAt(p);
          if (c === 0x22) this.#state = S_VALUE_DOUBLE_QUOTE;
          else if (c === 0x27) this.#state = S_VALUE_SINGLE_QUOTE;
          else if (c === 0x60) this.#state = S_VALUE_BACK_QUOTE;
          else this.#state = S_VALUE_NO_QUOTE;
          break;
        }
        case S_VALUE_DOUBLE_QUOTE:
        case S_VALUE_SINGLE_QUOTE:
        case S_VALUE_BACK_QUOTE: {
          const q = this.#state === S_VALUE_DOUBLE_QUOTE ? '"' : this.#state === S_VALUE_SINGLE_QUOTE ? "'" : "`";
          // Skip the opening quote, unless the input starts in this state (no quote to skip).
          const from = pos > 0 ? pos + 1 : 0;
          const end = s.indexOf(q, from);
          if (end < 0) {
            this.#pos = n;
            this.#state = S_EOF;
            return this.#emit(ATTR_VALUE, from, n - from);
          }
          this.#pos = end + 1;
          this.#state = S_AFTER_VALUE_QUOTED;
          return this.#emit(ATTR_VALUE, from, end - from);
        }
        case S_VALUE_NO_QUOTE: {
          let p = pos;
          while (p < n) {
            const c = s.charCodeAt(p);
            if (isWhite(c)) {
              this.#pos = p + 1;
              this.#state = S_BEFORE_ATTR_NAME;
              return this.#emit(ATTR_VALUE, pos, p - pos);
            }
            if (c === 0x3e) {
              this.#pos = p;
              this.#state = S_TAG_NAME_CLOSE;
              return this.#emit(ATTR_VALUE, pos, p - pos);
            }
            p++;
          }
          this.#pos = n;
          this.#state = S_EOF;
          return this.#emit(ATTR_VALUE, pos, n - pos);
        }
        case S_AFTER_VALUE_QUOTED: {
          if (pos >= n) return false;
          const c = s.charCodeAt(pos);
          if (isWhite(c)) {
            this.#pos = pos + 1;
            this.#state = S_BEFORE_ATTR_NAME;
          } else if (c === 0x2f) {
            this.#pos = pos + 1;
            this.#state = S_SELF_CLOSING;
          } else if (c === 0x3e) {
            this.#pos = pos + 1;
            this.#state = S_DATA;
            return this.#emit(TAG_NAME_CLOSE, pos, 1);
          } else {
            this.#state = S_BEFORE_ATTR_NAME; // `a="1"b=2`: the next name starts at once
          }
          break;
        }
        case S_SELF_CLOSING: {
          if (pos >= n) return false;
          if (s.charCodeAt(pos) === 0x3e) {
            this.#pos = pos + 1;
            this.#state = S_DATA;
            return this.#emit(TAG_NAME_SELFCLOSE, pos - 1, 2);
          }
          this.#state = S_BEFORE_ATTR_NAME;
          break;
        }
        case S_BOGUS_COMMENT:
        case S_DOCTYPE: {
          const type = this.#state === S_DOCTYPE ? DOCTYPE : TAG_COMMENT;
          const gt = s.indexOf(">", pos);
          if (gt < 0) {
            this.#pos = n;
            this.#state = S_EOF;
            return this.#emit(type, pos, n - pos);
          }
          this.#pos = gt + 1;
          this.#state = S_DATA;
          return this.#emit(type, pos, gt - pos);
        }
        case S_BOGUS_COMMENT_PERCENT: {
          // IE's "<% … %>"
          const end = s.indexOf("%>", pos);
          if (end < 0) {
            this.#pos = n;
            this.#state = S_EOF;
            return this.#emit(TAG_COMMENT, pos, n - pos);
          }
          this.#pos = end + 2;
          this.#state = S_DATA;
          return this.#emit(TAG_COMMENT, pos, end - pos);
        }
        case S_MARKUP_DECLARATION: {
          if (startsWithFolded(s, pos, "DOCTYPE")) {
            this.#state = S_DOCTYPE;
          } else if (startsWithFolded(s, pos, "[CDATA[")) {
            this.#pos = pos + 7;
            this.#state = S_CDATA;
          } else if (pos + 1 < n && s.charCodeAt(pos) === 0x2d && s.charCodeAt(pos + 1) === 0x2d) {
            this.#pos = pos + 2;
            this.#state = S_COMMENT;
          } else {
            this.#state = S_BOGUS_COMMENT;
          }
          break;
        }
        case S_CDATA: {
          const end = s.indexOf("]]>", pos);
          if (end < 0) {
            this.#pos = n;
            this.#state = S_EOF;
            return this.#emit(DATA_TEXT, pos, n - pos);
          }
          this.#pos = end + 3;
          this.#state = S_DATA;
          return this.#emit(DATA_TEXT, pos, end - pos);
        }
        case S_COMMENT:
          return this.#comment(pos);
        default:
          return false;
      }
    }
  }

  /** `<!-- … -->`, also closed by `--!>` and `-!>`; NULs after the first dash are skipped. */
  #comment(pos: number): boolean {
    const s = this.#s;
    const n = this.#n;
    let from = pos;
    for (;;) {
      const dash = s.indexOf("-", from);
      let k = dash + 1;
      if (dash >= 0 && dash <= n - 3) {
        while (k < n && s.charCodeAt(k) === 0) k++;
        if (k < n) {
          const c = s.charCodeAt(k);
          if ((c === 0x2d || c === 0x21) && k + 1 < n) {
            if (s.charCodeAt(k + 1) === 0x3e) {
              this.#pos = k + 2;
              this.#state = S_DATA;
              return this.#emit(TAG_COMMENT, pos, dash - pos);
            }
            from = dash + 1;
            continue;
          }
          if (c !== 0x2d && c !== 0x21) {
            from = dash + 1;
            continue;
          }
        }
      }
      this.#pos = n;
      this.#state = S_EOF;
      return this.#emit(TAG_COMMENT, pos, n - pos);
    }
  }
}
