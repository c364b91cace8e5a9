import { lookupKeywordPair } from "./sqli-data.js";
import type { SqlTokenizer } from "./sqli-tokenizer.js";
import {
  COMMENT_SLOT,
  MAX_TOKENS,
  MAX_VALUE,
  T_BACKSLASH,
  T_BAREWORD,
  T_COLLATE,
  T_COMMA,
  T_COMMENT,
  T_DOT,
  T_EVIL,
  T_EXPRESSION,
  T_FUNCTION,
  T_GROUP,
  T_KEYWORD,
  T_LEFTBRACE,
  T_LEFTPARENS,
  T_LOGIC,
  T_NONE,
  T_NUMBER,
  T_OPERATOR,
  T_RIGHTBRACE,
  T_RIGHTPARENS,
  T_SEMICOLON,
  T_SQLTYPE,
  T_STRING,
  T_TSQL,
  T_UNION,
  T_VARIABLE,
  type TokenStore,
} from "./sqli-tokens.js";

/** Words that are a function when a `(` follows, a name otherwise (`user`, `password`, …). */
const FUNCTION_IF_CALLED = [
  "USER_ID",
  "USER_NAME",
  "DATABASE",
  "PASSWORD",
  "USER",
  "CURRENT_USER",
  "CURRENT_DATE",
  "CURRENT_TIME",
  "CURRENT_TIMESTAMP",
  "LOCALTIME",
  "LOCALTIMESTAMP",
];

/** Types that can merge with the next word into a multi-word keyword ("UNION" "ALL"). */
function mergesLeft(type: number): boolean {
  return (
    type === T_KEYWORD ||
    type === T_BAREWORD ||
    type === T_OPERATOR ||
    type === T_UNION ||
    type === T_FUNCTION ||
    type === T_EXPRESSION ||
    type === T_TSQL ||
    type === T_SQLTYPE
  );
}

/** A value: number, bare word, variable or string. */
function isValue(type: number): boolean {
  return type === T_NUMBER || type === T_BAREWORD || type === T_VARIABLE || type === T_STRING;
}

/**
 * libinjection's folding: reads tokens and rewrites the run as it goes (arithmetic on values
 * collapses to a value, unary operators drop, adjacent strings merge, multi-word keywords join,
 * words change type by what follows them) until five tokens are final or the input ends.
 *
 * The machine keeps `pos` (tokens held) and `left` (tokens final); a rule that matches shortens
 * the held run and usually restarts from the first token. Each rule is pinned by a case of
 * `tests/test-folding-*.txt`. Comments are dropped, except that the last one seen comes back
 * at the end when there is room. Returns the number of folded tokens (0–5) left in slots
 * 0…n−1 of the store.
 */
export class Folder {
  readonly #t: TokenStore;
  readonly #tokenizer: SqlTokenizer;

  constructor(store: TokenStore, tokenizer: SqlTokenizer) {
    this.#t = store;
    this.#tokenizer = tokenizer;
  }

  /** False once the tokenizer has reached the end of the input. */
  #more = false;

  /**
   * Reads tokens into slots `pos`, `pos+1`… until `want` tokens are held (or six: libinjection
   * reads one past the fifth to type it), or the input ends. A comment goes to the comment slot
   * instead, and any other token clears it. Returns the new number of held tokens.
   */
  #fill(pos: number, want: number): number {
    const t = this.#t;
    let held = pos;
    while (this.#more && held <= MAX_TOKENS && held < want) {
      this.#more = this.#tokenizer.next(held);
      if (!this.#more) break;
      if (t.type[held] === T_COMMENT) {
        t.copy(COMMENT_SLOT, held);
      } else {
        t.type[COMMENT_SLOT] = T_NONE;
        held++;
      }
    }
    return held;
  }

  /** Folds the tokenizer's current run; see the class comment. */
  fold(): number {
    const t = this.#t;
    const type = t.type;
    t.clear(COMMENT_SLOT);

    // Leading comments, "(", SQL types and unary operators say nothing: skip them.
    for (;;) {
      this.#more = this.#tokenizer.next(0);
      if (!this.#more) return 0;
      const ty = type[0]!;
      if (!(ty === T_COMMENT || ty === T_LEFTPARENS || ty === T_SQLTYPE || t.isUnaryOp(0))) break;
    }
    let pos = 1;
    let left = 0;

    for (;;) {
      if (pos >= MAX_TOKENS && this.#fiveTokenRestart()) {
        // "1,(1)" and kin hide the rest: keep the first token (and a sixth if read) and go on.
        if (pos > MAX_TOKENS) {
          t.copy(1, MAX_TOKENS);
          pos = 2;
        } else {
          pos = 1;
        }
        left = 0;
      }
      if (!this.#more || left >= MAX_TOKENS) {
        left = pos;
        break;
      }

      pos = this.#fill(pos, left + 2);
      if (pos - left < 2) {
        left = pos;
        continue;
      }

      // ---- two-token rules on (a, b) ----
      const a = left;
      const b = left + 1;
      const ta = type[a]!;
      const tb = type[b]!;
      // Rules by the first token's type, in libinjection's order; "continue" re-reads from the
      // top. A rule that matches without folding (LIKE, COLLATE) ends the two-token rules.
      let matched = false;
      switch (ta) {
        case T_STRING:
          if (tb === T_STRING) {
            pos -= 1; // 'a' 'b' is one string in SQL
            continue;
          }
          break;
        case T_SEMICOLON:
          if (tb === T_SEMICOLON) {
            pos -= 1;
            continue;
          }
          if (tb === T_FUNCTION && (t.byteAt(b, 0) | 0x20) === 0x69 && (t.byteAt(b, 1) | 0x20) === 0x66) {
            type[b] = T_TSQL; // "; IF …": Transact-SQL's IF statement, not the IF() function
            continue;
          }
          break;
        case T_LOGIC:
        case T_OPERATOR:
          if (t.isUnaryOp(b) || tb === T_SQLTYPE) {
            pos -= 1; // "+ -", "AND NOT", "+ binary": the second one adds nothing
            left = 0;
            continue;
          }
          if (ta === T_LOGIC) break;
          if (this.#mergeWords(a, b)) {
            pos -= 1;
            if (left > 0) left -= 1;
            continue;
          }
          if (t.is(a, "LIKE") || t.is(a, "NOT LIKE")) {
            matched = true;
            if (tb === T_LEFTPARENS) type[a] = T_FUNCTION; // LIKE("a","b")
          }
          break;
        case T_LEFTPARENS:
          if (t.isUnaryOp(b)) {
            pos -= 1;
            if (left > 0) left -= 1;
            continue;
          }
          if (tb === T_LEFTPARENS) {
            pos -= 1;
            left = 0;
            continue;
          }
          break;
        case T_RIGHTPARENS:
          if (tb === T_RIGHTPARENS) {
            pos -= 1;
            left = 0;
            continue;
          }
          break;
        case T_KEYWORD:
        case T_BAREWORD:
        case T_UNION:
        case T_FUNCTION:
        case T_EXPRESSION:
        case T_TSQL:
        case T_SQLTYPE:
          if (this.#mergeWords(a, b)) {
            pos -= 1;
            if (left > 0) left -= 1;
            continue;
          }
          if (ta === T_BAREWORD && tb === T_LEFTPARENS && this.#isOneOf(a, FUNCTION_IF_CALLED)) {
            type[a] = T_FUNCTION;
            continue;
          }
          if (ta === T_KEYWORD && (t.is(a, "IN") || t.is(a, "NOT IN"))) {
            // "IN (" compares; IN elsewhere is a word ("IN BOOLEAN MODE" merges later)
            type[a] = tb === T_LEFTPARENS ? T_OPERATOR : T_BAREWORD;
            continue;
          }
          if (
            ta === T_SQLTYPE &&
            (tb === T_BAREWORD ||
              tb === T_NUMBER ||
              tb === T_SQLTYPE ||
              tb === T_LEFTPARENS ||
              tb === T_FUNCTION ||
              tb === T_VARIABLE ||
              tb === T_STRING)
          ) {
            t.copy(a, b); // a type prefix ("binary 1", "float @x") is dropped
            pos -= 1;
            left = 0;
            continue;
          }
          break;
        case T_VARIABLE:
          if (tb === T_LEFTPARENS && this.#isOneOf(a, FUNCTION_IF_CALLED)) {
            type[a] = T_FUNCTION;
            continue;
          }
          break;
        case T_COLLATE:
          if (tb === T_BAREWORD) {
            matched = true;
            // collation names are too many to list: one with "_" is taken as a type
            if (this.#hasUnderscore(b)) {
              type[b] = T_SQLTYPE;
              left = 0;
            }
          }
          break;
        case T_BACKSLASH:
          // Transact-SQL reads "\%1" as "0 % 1" and "\1" as "1"
          if (t.isArithmeticOp(b)) {
            type[a] = T_NUMBER;
          } else {
            t.copy(a, b);
            pos -= 1;
          }
          left = 0;
          continue;
        case T_LEFTBRACE:
          if (tb === T_BAREWORD) {
            if (t.len[b] === 0) {
              type[b] = T_EVIL; // MySQL's "{``.``.id}" odd case: give up and call it evil.
              return left + 2;
            }
            left = 0; // ODBC "{foo expr}": drop "{ foo"
            pos -= 2;
            continue;
          }
          break;
      }
      if (!matched && tb === T_RIGHTBRACE) {
        pos -= 1;
        left = 0;
        continue;
      }

      pos = this.#fill(pos, left + 3);
      if (pos - left < 3) {
        left = pos;
        continue;
      }

      // ---- three-token rules on (left, left+1, left+2) ----
      const c = left + 2;
      const t0 = type[left]!;
      const t1 = type[left + 1]!;
      const t2 = type[c]!;
      switch (t0) {
        case T_NUMBER:
        case T_BAREWORD:
        case T_VARIABLE:
        case T_STRING:
          if (this.#isOneValue(t0, t1, t2, left + 1)) {
            // "1+1", "@a+1", "a-b", "'1'::int", "1,2", "db.table": one value
            pos -= 2;
            left = 0;
            continue;
          }
          break;
        case T_OPERATOR:
          if (t1 !== T_LEFTPARENS && t2 === T_OPERATOR) {
            pos -= 2; // "+x+"
            left = 0;
            continue;
          }
          break;
        case T_LOGIC:
          if (t2 === T_LOGIC) {
            pos -= 2; // "AND x OR"
            left = 0;
            continue;
          }
          break;
        case T_EXPRESSION:
        case T_GROUP:
        case T_KEYWORD:
        case T_COMMA:
          if (t.isUnaryOp(left + 1)) {
            if (t2 === T_LEFTPARENS ? t0 !== T_KEYWORD : t0 !== T_COMMA && (isValue(t2) || t2 === T_FUNCTION)) {
              // "SELECT + (", "SELECT - 1": drop the unary operator
              t.copy(left + 1, c);
              pos -= 1;
              left = 0;
              continue;
            }
            if (t0 === T_COMMA && isValue(t2)) {
              // ", -1" → ",1", then back up so "1,-1" folds to "1"
              t.copy(left + 1, c);
              left = 0;
              pos -= 3;
              continue;
            }
            if (t0 === T_COMMA && t2 === T_FUNCTION) {
              // ", -sin(" → ", sin("
              t.copy(left + 1, c);
              pos -= 1;
              left = 0;
              continue;
            }
          }
          if (t0 === T_EXPRESSION && t1 === T_DOT && t2 === T_BAREWORD) {
            // "SELECT . `foo`" → "SELECT `foo`"
            t.copy(left + 1, c);
            pos -= 1;
            left = 0;
            continue;
          }
          break;
        case T_FUNCTION:
          if (t1 === T_LEFTPARENS && t2 !== T_RIGHTPARENS && t.is(left, "USER")) {
            // USER() takes no argument: "user(x)" is a name
            type[left] = T_BAREWORD;
          }
          break;
      }
      left += 1;
    }

    if (left < MAX_TOKENS && type[COMMENT_SLOT] === T_COMMENT) {
      t.copy(left, COMMENT_SLOT);
      left += 1;
    }
    return Math.min(left, MAX_TOKENS);
  }

  /** Five held tokens that look like a list or call ("1,(1)", "n-(n)", "1),(1"): restart. */
  #fiveTokenRestart(): boolean {
    const type = this.#t.type;
    const t0 = type[0]!;
    const t1 = type[1]!;
    const t2 = type[2]!;
    const t3 = type[3]!;
    const t4 = type[4]!;
    return (
      (t0 === T_NUMBER &&
        (t1 === T_OPERATOR || t1 === T_COMMA) &&
        t2 === T_LEFTPARENS &&
        t3 === T_NUMBER &&
        t4 === T_RIGHTPARENS) ||
      (t0 === T_BAREWORD &&
        t1 === T_OPERATOR &&
        t2 === T_LEFTPARENS &&
        (t3 === T_BAREWORD || t3 === T_NUMBER) &&
        t4 === T_RIGHTPARENS) ||
      (t0 === T_NUMBER && t1 === T_RIGHTPARENS && t2 === T_COMMA && t3 === T_LEFTPARENS && t4 === T_NUMBER) ||
      (t0 === T_BAREWORD && t1 === T_RIGHTPARENS && t2 === T_OPERATOR && t3 === T_LEFTPARENS && t4 === T_BAREWORD)
    );
  }

  /** Joins words `a` and `b` into `a` when "a b" is a keyword ("NOT" "IN" → "NOT IN"). */
  #mergeWords(a: number, b: number): boolean {
    const t = this.#t;
    if (!mergesLeft(t.type[a]!)) return false;
    const tb = t.type[b]!;
    if (!(mergesLeft(tb) || tb === T_LOGIC)) return false;
    const la = t.len[a]!;
    const lb = t.len[b]!;
    if (la + lb + 1 > MAX_VALUE) return false;
    const type = lookupKeywordPair(t.src[a]!, t.start[a]!, la, t.src[b]!, t.start[b]!, lb);
    if (type === 0) return false;
    const merged = `${t.value(a)} ${t.value(b)}`;
    t.assign(a, type, merged, 0, merged.length);
    return true;
  }

  #isOneOf(i: number, words: readonly string[]): boolean {
    for (const w of words) if (this.#t.is(i, w)) return true;
    return false;
  }

  /** Three tokens starting with a value that fold into that value. */
  #isOneValue(t0: number, t1: number, t2: number, middle: number): boolean {
    if (t1 === T_OPERATOR) {
      if (t0 !== T_STRING && (t2 === T_NUMBER || t2 === T_BAREWORD)) return true; // 1+1, a-b, @a*2
      if (t2 === T_VARIABLE) return t0 === T_VARIABLE; // @a+@b
      return t2 === T_SQLTYPE && this.#isCast(middle); // '1'::int
    }
    if (t1 === T_COMMA) return isValue(t2); // 1,2
    return t0 === T_BAREWORD && t1 === T_DOT && t2 === T_BAREWORD; // db.table
  }

  /** Token `i` is the pgsql cast operator `::`. */
  #isCast(i: number): boolean {
    const t = this.#t;
    return t.len[i] === 2 && t.byteAt(i, 0) === 0x3a && t.byteAt(i, 1) === 0x3a;
  }

  #hasUnderscore(i: number): boolean {
    const t = this.#t;
    const n = t.len[i]!;
    for (let k = 0; k < n; k++) if (t.byteAt(i, k) === 0x5f) return true;
    return false;
  }
}
