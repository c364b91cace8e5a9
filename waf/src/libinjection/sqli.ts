import type { ByteString } from "../bytes.js";
import { fingerprintStep, isFingerprint } from "./sqli-data.js";
import { Folder } from "./sqli-fold.js";
import { QUOTE_DOUBLE, QUOTE_NONE, QUOTE_SINGLE, SqlTokenizer } from "./sqli-tokenizer.js";
import { MAX_TOKENS, T_BAREWORD, T_COMMENT, T_EVIL, T_KEYWORD, T_NUMBER, T_UNION, TokenStore } from "./sqli-tokens.js";

/** The verdict of {@link detectSQLi}. */
export interface SqliResult {
  /** True when the input is SQL injection. */
  readonly sqli: boolean;
  /** The fingerprint that matched (1–5 token-type characters, e.g. `s&1UE`), "" when none. */
  readonly fingerprint: string;
}

const NOT_SQLI: SqliResult = Object.freeze({ sqli: false, fingerprint: "" });

/**
 * One detector: a token store, a tokenizer and a folder reused by every call (the module keeps
 * one; calls are synchronous, so they never overlap).
 */
export class SqliDetector {
  readonly tokens = new TokenStore();
  readonly tokenizer = new SqlTokenizer(this.tokens);
  readonly #folder = new Folder(this.tokens, this.tokenizer);
  /** Folds the tokenizer's current run into slots 0…n−1; returns n (see {@link Folder}). */
  fold(): number {
    return this.#folder.fold();
  }

  /** Token-type characters of the last fingerprint. */
  readonly #fp = new Uint8Array(MAX_TOKENS);
  #fpLen = 0;
  #input = "";
  #quote = QUOTE_NONE;

  /**
   * Tokenizes and folds `input` in one quote context and dialect; returns the fingerprint's
   * length (its characters are the types of tokens 0…n−1, see {@link fingerprintString}).
   * An evil token (nested or MySQL `/*!` comment, ODBC `{``…`) makes the fingerprint "X".
   */
  fingerprint(input: string, quote: number, mysql: boolean): number {
    const t = this.tokens;
    this.#input = input;
    this.#quote = quote;
    this.tokenizer.reset(input, quote, mysql);
    const n = this.fold();
    // PHP's backtick: an empty, unclosed `` ` `` at the end acts as a comment.
    const last = n - 1;
    if (n > 2 && t.type[last] === T_BAREWORD && t.open[last] === 0x60 && t.len[last] === 0 && t.close[last] === 0) {
      t.type[last] = T_COMMENT;
    }
    let evil = false;
    for (let i = 0; i < n; i++) {
      this.#fp[i] = t.type[i]!;
      if (t.type[i] === T_EVIL) evil = true;
    }
    this.#fpLen = n;
    if (evil) {
      t.clear(0);
      t.type[0] = T_EVIL;
      this.#fp[0] = T_EVIL;
      this.#fpLen = 1;
    }
    return this.#fpLen;
  }

  /** The last fingerprint as a string (allocates). */
  fingerprintString(): string {
    return String.fromCharCode(...this.#fp.subarray(0, this.#fpLen));
  }

  /**
   * True when the last fingerprint is in libinjection's set and survives its false-positive
   * rules (short fingerprints that ordinary text produces).
   */
  isSqli(): boolean {
    const n = this.#fpLen;
    if (n === 0) return false;
    let key = 0;
    for (let i = 0; i < n; i++) key = fingerprintStep(key, this.#fp[i]!);
    if (key < 0 || !isFingerprint(key)) return false;
    return !this.#looksBenign();
  }

  /**
   * libinjection's false-positive rules for fingerprints of two and three tokens, and the
   * MSSQL `sp_password` log-hiding trick that makes any comment-ended input SQLi.
   */
  #looksBenign(): boolean {
    const t = this.tokens;
    const fp = this.#fp;
    const n = this.#fpLen;
    const s = this.#input;
    if (n > 1 && fp[n - 1] === T_COMMENT && s.includes("sp_password")) return false;
    if (n === 2) {
      if (fp[1] === T_UNION) return this.tokenizer.tokens === 2; // "1 UNION" alone is English
      const c1 = t.byteAt(1, 0);
      if (c1 === 0x23) return true; // "#" comments: too many false positives
      const t0 = t.type[0];
      const t1 = t.type[1];
      if (t0 === T_BAREWORD && t1 === T_COMMENT) return c1 !== 0x2f; // "foo--" is text, "foo/*" is not
      if (t0 === T_NUMBER && t1 === T_COMMENT) {
        if (c1 === 0x2f) return false; // "1/*"
        if (this.tokenizer.tokens > 2) {
          // Something was folded away ("1*1--" is SQLi); Palisade's departure: "1611-IioXX--",
          // a comment glued to a word, is text for the reason "foo--" is (base64-like ids).
          return c1 === 0x2d && t.src[1] === s && t.start[1]! > 0 && isLetter(s.charCodeAt(t.start[1]! - 1));
        }
        // "1234--", "1 --", "1/*": the comment right after the number; base64-like text is not
        const after = t.len[0]!;
        const ch = after < s.length ? s.charCodeAt(after) : 0;
        if (ch <= 32 || ch >= 128) return false;
        const ch2 = after + 1 < s.length ? s.charCodeAt(after + 1) : 0;
        if (ch === 0x2f && ch2 === 0x2a) return false;
        if (ch === 0x2d && ch2 === 0x2d) return false;
        return true;
      }
      // "--" before a token is how many people ask whether a form is injectable
      if (t.len[1]! > 2 && c1 === 0x2d) return true;
      return false;
    }
    if (n === 3) {
      if (this.#fpIs("sos") || this.#fpIs("s&s")) {
        // 'a' + 'b' is SQLi only when the quotes around it are the input's own: foo' + 'bar
        if (!(t.open[0] === 0 && t.close[2] === 0 && t.close[0] === t.open[2])) return true;
        // Palisade's departure: a word quoted as prose quotes it ("LIKE" STAMP, <a href="/apps/">)
        return this.#quote === QUOTE_DOUBLE && this.#quotedWord();
      }
      if (this.#fpIs("s&n") || this.#fpIs("n&1") || this.#fpIs("1&1") || this.#fpIs("1&v") || this.#fpIs("1&s")) {
        // "sexy and 17" is text; "sexy and 17<18" has more tokens
        return this.tokenizer.tokens === 3;
      }
      if (t.type[1] === T_KEYWORD) {
        // "1 TOP 'x'" is not SQLi, "1 INTO OUTFILE 'x'" is
        return t.len[1]! < 5 || !startsWithInto(t, 1);
      }
    }
    return false;
  }

  /**
   * After a double quote, string-operator-string where the input's two quotes enclose one
   * unbroken run that reads as the operator (`"LIKE"`, `"*"`, `"/apps/"`) with no letter or digit
   * touching the quotes from outside (`"IS" STAMP`, `q="MOD"&view=…`): how text and markup quote a
   * word or a path, where an injection needs a value against its quotes (`1"OR"1`, `x"OR!"0`) or
   * spaces inside them (`a" OR "b`). Only the double-quote reading (MySQL) is relaxed: libinjection
   * reads the same input after a single quote as before, and its corpora hold `'OR'`-style
   * payloads but no double-quoted one. Cuts the `false_positives.txt` rate (see README).
   */
  #quotedWord(): boolean {
    const t = this.tokens;
    const s = this.#input;
    if (t.src[1] !== s || t.src[2] !== s) return false;
    const from = t.start[1]!;
    const to = t.start[2]! - 1; // the quote opening the last string
    if (from < 1 || s.charCodeAt(from - 1) !== 0x22 || s.charCodeAt(to) !== 0x22 || to <= from) return false;
    for (let k = from; k < to; k++) if (WHITESPACE[s.charCodeAt(k)] === 1) return false;
    return !(from >= 2 && isAlnum(s.charCodeAt(from - 2))) && !(to + 1 < s.length && isAlnum(s.charCodeAt(to + 1)));
  }

  #fpIs(fp: string): boolean {
    for (let i = 0; i < 3; i++) if (this.#fp[i] !== fp.charCodeAt(i)) return false;
    return true;
  }
}

/** Bytes that break a quoted run: SP \t \n \v \f \r, NUL, NBSP (the tokenizer's whitespace). */
const WHITESPACE = new Uint8Array(256);
for (const b of [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x00, 0xa0]) WHITESPACE[b] = 1;

function isLetter(c: number): boolean {
  return (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}

function startsWithInto(t: TokenStore, i: number): boolean {
  return (
    (t.byteAt(i, 0) & 0xdf) === 0x49 &&
    (t.byteAt(i, 1) & 0xdf) === 0x4e &&
    (t.byteAt(i, 2) & 0xdf) === 0x54 &&
    (t.byteAt(i, 3) & 0xdf) === 0x4f
  );
}

const detector = new SqliDetector();

/** Runs one context; true when it yields SQLi (the fingerprint stays in the detector). */
function tryContext(input: string, quote: number, mysql: boolean): boolean {
  detector.fingerprint(input, quote, mysql);
  return detector.isSqli();
}

/** After a run: did it see syntax that MySQL reads differently (`--x`, `#`)? */
function mysqlDiffers(): boolean {
  return detector.tokenizer.ddxComments > 0 || detector.tokenizer.hashes > 0;
}

/**
 * libinjection's SQLi verdict on a byte string: the input is tokenized and folded as-is (ANSI,
 * then MySQL if it holds `--x` or `#`), then, if it contains `'`, as if it followed an opening
 * single quote (ANSI, then MySQL), then, if it contains `"`, after a double quote (MySQL). The
 * first fingerprint in the set that passes the false-positive rules is the answer.
 *
 * Source: libinjection (client9/libinjection, BSD-3), its published algorithm and test vectors;
 * data from `third_party/libinjection/fingerprint-data/`. Never throws; no allocation unless
 * the input is SQLi. O(n) in the input length.
 */
export function detectSQLi(input: ByteString): SqliResult {
  if (input.length === 0) return NOT_SQLI;
  if (tryContext(input, QUOTE_NONE, false) || (mysqlDiffers() && tryContext(input, QUOTE_NONE, true))) {
    return found();
  }
  if (input.includes("'")) {
    if (tryContext(input, QUOTE_SINGLE, false) || (mysqlDiffers() && tryContext(input, QUOTE_SINGLE, true))) {
      return found();
    }
  }
  if (input.includes('"') && tryContext(input, QUOTE_DOUBLE, true)) return found();
  return NOT_SQLI;
}

function found(): SqliResult {
  return { sqli: true, fingerprint: detector.fingerprintString() };
}
