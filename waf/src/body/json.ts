import type { ByteString } from "../bytes.js";
import { type Arg, type BodyLimits, DEFAULT_BODY_LIMITS, type ParsedBody } from "./body-processor.js";
import { indexOfClass, indexOrEnd } from "./scan.js";
import { utf8Encode } from "./utf8-encode.js";

/**
 * The JSON request body processor (`application/json`, `+json`): parses the body as RFC 8259
 * JSON and flattens it into ARGS_POST the way Coraza does (the names CRS's JSON-aware rules see):
 * - an object member is `<path>.<key>`, starting from `json` (`{"a":{"b":1}}` → `json.a.b` = `1`);
 * - an array gives `<path>` = its length, then each item as `<path>.<index>`
 *   (`{"c":[5,6]}` → `json.c` = `2`, `json.c.0` = `5`, `json.c.1` = `6`); a top-level array's
 *   path is `json`; a top-level scalar is `json` itself;
 * - strings are decoded (escapes; `\uXXXX` as UTF-8 bytes, a lone surrogate as U+FFFD), other
 *   bytes of the body are kept as they are; numbers keep their text; `true`/`false` as such;
 *   `null` is the empty string; empty objects add nothing.
 * Members and items come in body order; repeated keys are all kept.
 *
 * Errors (REQBODY_ERROR, with the args parsed before the fault kept): invalid JSON, nesting deeper
 * than `maxDepth` (ModSecurity v3 `SecRequestBodyJsonDepthLimit`), more than `maxArgs` args
 * (`SecArgumentsLimit`). An empty body is no JSON at all and parses to nothing, as ModSecurity
 * runs no processor on an empty body.
 */
export function parseJson(body: ByteString, limits: BodyLimits = {}): ParsedBody {
  const parser = new JsonFlattener(
    body,
    limits.maxDepth ?? DEFAULT_BODY_LIMITS.maxDepth,
    limits.maxArgs ?? DEFAULT_BODY_LIMITS.maxArgs,
  );
  return { args: parser.args, error: parser.run() };
}

/** Thrown inside the parser only and caught by `run`; its message is the REQBODY_ERROR_MSG. */
class JsonSyntaxError extends Error {}

class JsonFlattener {
  readonly args: Arg[] = [];
  #s: string;
  #i = 0;
  #maxDepth: number;
  #maxArgs: number;
  /** Index of the next backslash at or after the string being read (n when none), or -1 before the first search. */
  #nextBackslash = -1;
  /** Index of the next byte below 0x20 likewise. */
  #nextControl = -1;

  constructor(s: string, maxDepth: number, maxArgs: number) {
    this.#s = s;
    this.#maxDepth = maxDepth;
    this.#maxArgs = maxArgs;
  }

  /** Parses the whole input; returns the REQBODY_ERROR_MSG or null. */
  run(): string | null {
    if (this.#s.length === 0) return null;
    try {
      this.#ws();
      this.#value("json", 0);
      this.#ws();
      if (this.#i < this.#s.length) this.#fail("unexpected data after the top-level value");
      return null;
    } catch (e) {
      if (e instanceof JsonSyntaxError) return e.message;
      return `JSON parsing error: ${String(e)}`; // not reached: the parser throws nothing else
    }
  }

  #fail(reason: string): never {
    throw new JsonSyntaxError(`JSON parsing error: ${reason} at byte ${this.#i}`);
  }

  #add(name: string, value: string): number {
    if (this.args.length >= this.#maxArgs) {
      throw new JsonSyntaxError(`JSON parsing error: more than ${this.#maxArgs} arguments`);
    }
    this.args.push([name, value]);
    return this.args.length - 1;
  }

  #ws(): void {
    const s = this.#s;
    let i = this.#i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.#i = i;
  }

  #value(path: string, depth: number): void {
    const c = this.#s.charCodeAt(this.#i);
    if (c === 123) this.#object(path, depth + 1);
    else if (c === 91) this.#array(path, depth + 1);
    else if (c === 34) this.#add(path, this.#string());
    else if (c === 45 || (c >= 48 && c <= 57)) this.#add(path, this.#number());
    else if (this.#literal("true")) this.#add(path, "true");
    else if (this.#literal("false")) this.#add(path, "false");
    else if (this.#literal("null")) this.#add(path, "");
    else this.#fail(this.#i >= this.#s.length ? "premature end of input" : "invalid value");
  }

  #literal(word: string): boolean {
    if (!this.#s.startsWith(word, this.#i)) return false;
    this.#i += word.length;
    return true;
  }

  #object(path: string, depth: number): void {
    if (depth > this.#maxDepth) this.#fail(`nesting deeper than ${this.#maxDepth}`);
    this.#i++; // {
    this.#ws();
    if (this.#s.charCodeAt(this.#i) === 125) {
      this.#i++;
      return;
    }
    for (;;) {
      if (this.#s.charCodeAt(this.#i) !== 34) this.#fail("object key expected");
      const key = this.#string();
      this.#ws();
      if (this.#s.charCodeAt(this.#i) !== 58) this.#fail("':' expected");
      this.#i++;
      this.#ws();
      this.#value(`${path}.${key}`, depth);
      if (this.#endOrComma(125)) return;
    }
  }

  #array(path: string, depth: number): void {
    if (depth > this.#maxDepth) this.#fail(`nesting deeper than ${this.#maxDepth}`);
    this.#i++; // [
    const slot = this.#add(path, "0"); // the array's length, filled in at its end
    this.#ws();
    let count = 0;
    if (this.#s.charCodeAt(this.#i) === 93) {
      this.#i++;
      return;
    }
    for (;;) {
      this.#value(`${path}.${count}`, depth);
      count++;
      this.args[slot] = [path, String(count)];
      if (this.#endOrComma(93)) return;
    }
  }

  /** After a member or item: true past the closing `}`/`]` (`close`), false past a `,`. */
  #endOrComma(close: number): boolean {
    this.#ws();
    const c = this.#s.charCodeAt(this.#i);
    if (c === close) {
      this.#i++;
      return true;
    }
    if (c !== 44) this.#fail(`',' or '${String.fromCharCode(close)}' expected`);
    this.#i++;
    this.#ws();
    return false;
  }

  #number(): string {
    const s = this.#s;
    const start = this.#i;
    let i = start;
    if (s.charCodeAt(i) === 45) i++;
    if (s.charCodeAt(i) === 48) i++;
    else if (isDigit(s.charCodeAt(i))) while (isDigit(s.charCodeAt(i))) i++;
    else this.#failAt(i, "digit expected");
    if (s.charCodeAt(i) === 46) {
      i++;
      if (!isDigit(s.charCodeAt(i))) this.#failAt(i, "digit expected after '.'");
      while (isDigit(s.charCodeAt(i))) i++;
    }
    if ((s.charCodeAt(i) | 0x20) === 101) {
      i++;
      if (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45) i++;
      if (!isDigit(s.charCodeAt(i))) this.#failAt(i, "digit expected in exponent");
      while (isDigit(s.charCodeAt(i))) i++;
    }
    this.#i = i;
    return s.slice(start, i);
  }

  #failAt(i: number, reason: string): never {
    this.#i = i;
    this.#fail(reason);
  }

  /**
   * A string starting at the opening quote; returns its decoded bytes and moves past it. The
   * next quote, backslash and control byte are found with native searches (the last two are
   * remembered, so the body is searched once overall) and the text between is copied as slices.
   */
  #string(): string {
    const s = this.#s;
    const n = s.length;
    let i = this.#i + 1;
    let out = "";
    for (;;) {
      if (this.#nextBackslash < i) this.#nextBackslash = indexOrEnd(s.indexOf("\\", i), n);
      if (this.#nextControl < i) {
        this.#nextControl = indexOfClass(CONTROL, s, i);
      }
      const quote = indexOrEnd(s.indexOf('"', i), n);
      const stop = Math.min(quote, this.#nextBackslash, this.#nextControl);
      if (stop === n) this.#failAt(n, "unterminated string");
      if (stop === quote) {
        this.#i = quote + 1;
        return out === "" ? s.slice(i, quote) : out + s.slice(i, quote);
      }
      if (stop === this.#nextControl) this.#failAt(stop, "control character in string");
      out += s.slice(i, stop);
      i = stop;
      const e = s.charCodeAt(i + 1);
      const simple = JSON_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else if (e === 117) {
        let cp = this.#hex4(i + 2);
        i += 6;
        if (cp >= 0xd800 && cp <= 0xdbff && s.charCodeAt(i) === 92 && s.charCodeAt(i + 1) === 117) {
          const low = this.#hex4(i + 2);
          if (low >= 0xdc00 && low <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            i += 6;
          }
        }
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // a lone surrogate
        out += utf8Encode(cp);
      } else {
        this.#failAt(i, "invalid escape in string");
      }
    }
  }

  #hex4(i: number): number {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.#s.charCodeAt(i + k);
      const d = c >= 48 && c <= 57 ? c - 48 : (c | 0x20) >= 97 && (c | 0x20) <= 102 ? (c | 0x20) - 87 : -1;
      if (d < 0) this.#failAt(i + k, "invalid \\u escape");
      v = (v << 4) | d;
    }
    return v;
  }
}

/** RFC 8259 §7 two-byte escapes, by the byte after the backslash. */
const JSON_ESCAPES: Readonly<Record<number, string>> = {
  34: '"',
  92: "\\",
  47: "/",
  98: "\b",
  102: "\f",
  110: "\n",
  114: "\r",
  116: "\t",
};

/** Bytes RFC 8259 §7 forbids unescaped in a string. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control bytes is the point
const CONTROL = /[\x00-\x1f]/g;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
