/**
 * The path canonicalizer (RFC 3986 §6.2.2 normalization, refusal of everything ambiguous). A
 * request is matched, checked by policies and forwarded with the same path, so an upstream can
 * never read a different path than the one the route and its policies saw:
 *
 * - percent-encoded unreserved characters are decoded (`%7E` → `~`, `/ech%6F` → `/echo`), the hex
 *   digits of the remaining escapes are upper-cased (§6.2.2.1, §6.2.2.2), and the few ASCII
 *   characters that are not allowed in a path but that node's parser lets through (`"<>^`{|}`)
 *   are percent-encoded, so the result is a valid RFC 3986 path;
 * - ambiguous paths are refused, never resolved: dot segments (`/a/../b`, also `%2E`-encoded,
 *   §5.2.4), empty segments (`//`, unless slashes are merged), backslashes, `#`, control
 *   characters, malformed escapes, and escapes that an upstream decodes into a path separator or
 *   a control character: `%2F` and `%5C` (both read as `/` by some upstreams), `%00`–`%1F`, `%7F`
 *   (Envoy CVE-2019-9901, Traefik CVE-2025-66490; the cases C01, C03 and C07), unless the
 *   options keep them (a route's `allow_encoded`; `%00` is never kept; a kept `%2F` or `%5C`
 *   counts as `/` when matching, so it still meets the route it spells);
 * - other escapes are legal and forwarded as they are (`/%23fragment`, `/a%3Fb`, `/100%25`), and
 *   so is `;` (RFC 3986 §3.3 path parameters). Those that an upstream may read as a delimiter
 *   (`%3F`, `%23`, `%3B`, `;`: Tomcat and Spring cut `;x` out of a segment, a decode-then-reparse
 *   upstream cuts at `?` or `#`) or decode twice (`%25XX`) set {@link CanonicalPath.delimiters}:
 *   the proxy then checks that those other readings (path-readings.ts) meet the same route;
 * - escaped bytes ≥ 0x80 must form valid UTF-8 (no overlong forms such as `%C0%AE` for `.`), and
 *   no character of it may stand for an ASCII one in an upstream that folds Unicode: one whose
 *   NFKC form or case mapping holds ASCII (`ſ` NFKC → `s`, `ı` upper → `I`, `／` NFKC → `/`,
 *   `．` → `.`, the Kelvin sign → `k`), or that Windows "best-fit" code-page conversion turns into
 *   a slash or backslash (`∕` U+2215, `∖` U+2216, `⁄` U+2044, `⧵⧸⧹`, `¥`, `₩`: the WorstFit
 *   research, Orange Tsai and Splitline, 2025); otherwise `/protected-ſervice` or `/..／admin`
 *   passes a router that compares bytes and reaches `/protected-service` or `/admin` upstream
 *   (case C39's variants);
 * - a segment must not end in `.` or a space (`%20`): Windows path normalization, IIS and .NET
 *   drop trailing dots and spaces ("Naming Files, Paths, and Namespaces"; Tomcat CVE-2017-12615
 *   `PUT /x.jsp%20`), so `/admin./users`, `/..%20/admin` and `/.../admin` are `/admin/users`,
 *   `/../admin` and `/admin` there.
 *
 * A canonical path is a fixed point: canonicalizing it again gives it back (a property test
 * checks this for arbitrary input).
 */

/** How to read paths; the node uses the most permissive combination any route asks for. */
export interface PathOptions {
  /** Merge runs of `/` into one instead of refusing empty segments. */
  readonly mergeSlashes: boolean;
  /** Keep `%2F` (encoded) instead of refusing it; it counts as `/` when matching. */
  readonly allowEncodedSlashes: boolean;
  /**
   * Other escaped bytes refused by default that are kept (see {@link isAllowableEscape}): `0x5C`
   * (`%5C`, counts as `/` when matching, like `%2F`), `0x01`–`0x1F`, `0x7F`. `0x2F` here is the
   * same as `allowEncodedSlashes`.
   */
  readonly allowEncoded?: ReadonlySet<number>;
}

/** Strict reading: no merging, no encoded slash. */
export const STRICT_PATHS: PathOptions = Object.freeze({ mergeSlashes: false, allowEncodedSlashes: false });

/**
 * The escaped bytes refused by default that a route may allow (`allow_encoded`): `%2F`, `%5C`,
 * `%01`–`%1F`, `%7F`. `%00` is not among them: no upstream reads a NUL in a path safely (C
 * string functions end the path there).
 */
export function isAllowableEscape(b: number): boolean {
  return b === 0x2f || b === 0x5c || (b >= 0x01 && b < 0x20) || b === 0x7f;
}

/** Why a path was refused (stable codes for logs and security events). */
export type PathRefusal =
  | "path_not_absolute"
  | "path_bad_escape"
  | "path_bad_utf8"
  | "path_encoded_slash"
  | "path_encoded_delimiter"
  | "path_invalid_char"
  | "path_backslash"
  | "path_fragment"
  | "path_empty_segment"
  | "path_dot_segment"
  | "path_trailing_dot"
  | "path_unicode_lookalike"
  | "path_encoded_refused"
  | "path_delimiter_reroutes";

/** A canonical path. */
export interface CanonicalPath {
  /** The path as forwarded (escapes kept, `%2F` kept encoded). */
  readonly path: string;
  /** The path as matched: `path` with `%2F` read as `/` (the same string when there is none). */
  readonly match: string;
  /** True when empty segments were merged (only with `mergeSlashes`). */
  readonly mergedSlashes: boolean;
  /** True when the path holds `%2F` or `%5C` (only when the options keep them): `match` reads them as `/`. */
  readonly encodedSlashes: boolean;
  /**
   * The escaped bytes refused by default that the path holds because the options keep them
   * (`0x2F`, `0x5C`, controls), for the matched route to check against its own `allow_encoded`;
   * `null` when there is none.
   */
  readonly keptEscapes: ReadonlySet<number> | null;
  /**
   * True when the path holds `%3F`, `%23`, `%3B`, `;` or `%25`: an upstream may read it another
   * way (see path-readings.ts).
   */
  readonly delimiters: boolean;
}

// Fast path: only characters that pass unchanged (unreserved, sub-delims but `;`, ":", "@", "/").
const PLAIN = /^\/[A-Za-z0-9\-._~!$&'()*+,=:@/]*$/;
// A "." or ".." segment.
const DOT_SEGMENT = /\/\.{1,2}(?:\/|$)/;
// A segment ending in "." or an encoded space (Windows drops both: `/admin.` is `/admin`).
const TRAILING_DOT_OR_SPACE = /(?:\.|%20)(?:\/|$)/;
// Code points that Windows best-fit conversion maps to "/" or "\\" and NFKC leaves alone.
const BEST_FIT_DELIMITERS = new Set([0x2215, 0x2216, 0x2044, 0x29f5, 0x29f8, 0x29f9, 0xa5, 0x20a9]);
const HEX = "0123456789ABCDEF";
const UTF8 = new TextDecoder("utf-8", { fatal: true });

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function isUnreserved(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x5f ||
    c === 0x7e
  );
}

/** Escaped bytes that upstreams decode into a path separator or a control character: refused by default. */
function isForbiddenEscape(c: number): boolean {
  return c < 0x20 || c === 0x7f || c === 0x5c || c === 0x2f;
}

/** Escaped bytes an upstream may decode into a delimiter (`;`, `?`, `#`) or decode again (`%`). */
function isDelimiterEscape(c: number): boolean {
  return c === 0x3b || c === 0x3f || c === 0x23 || c === 0x25;
}

/** Literal ASCII characters allowed unchanged in a path (RFC 3986 pchar and "/", minus ";"). */
function isPlainChar(c: number): boolean {
  return (
    isUnreserved(c) ||
    c === 0x2f || // /
    c === 0x21 || // !
    c === 0x24 || // $
    c === 0x26 || // &
    c === 0x27 || // '
    c === 0x28 || // (
    c === 0x29 || // )
    c === 0x2a || // *
    c === 0x2b || // +
    c === 0x2c || // ,
    c === 0x3d || // =
    c === 0x3a || // :
    c === 0x40 // @
  );
}

/** Literal characters outside RFC 3986 that node lets through: percent-encoded (WHATWG path set). */
function isEncodedOnOutput(c: number): boolean {
  return c === 0x22 || c === 0x3c || c === 0x3e || c === 0x5e || c === 0x60 || c === 0x7b || c === 0x7c || c === 0x7d;
}

function hasAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x80) return true;
  return false;
}

/**
 * Checks a run of escaped bytes ≥ 0x80: it must be UTF-8, and none of its characters may stand
 * for an ASCII character in an upstream that normalizes Unicode (NFKC, case folding, best fit).
 */
function checkUtf8(bytes: number[]): PathRefusal | null {
  let text: string;
  try {
    text = UTF8.decode(Uint8Array.from(bytes));
  } catch {
    return "path_bad_utf8";
  }
  for (const ch of text) {
    if (BEST_FIT_DELIMITERS.has(ch.codePointAt(0)!)) return "path_unicode_lookalike";
    if (hasAscii(ch.normalize("NFKC")) || hasAscii(ch.toLowerCase()) || hasAscii(ch.toUpperCase()))
      return "path_unicode_lookalike";
  }
  return null;
}

/**
 * Canonicalizes an absolute path (no query, no fragment).
 * @param raw the path as received, starting with "/"
 * @returns the canonical path, or the reason it is refused
 */
export function canonicalizePath(raw: string, opts: PathOptions): CanonicalPath | PathRefusal {
  if (raw.charCodeAt(0) !== 0x2f) return "path_not_absolute";
  let out: string;
  let encodedSlashes = false;
  let kept: Set<number> | null = null;
  let delimiters = false;
  if (PLAIN.test(raw)) {
    out = raw;
  } else {
    out = "";
    let utf8: number[] | null = null;
    const n = raw.length;
    for (let i = 0; i < n; i++) {
      const c = raw.charCodeAt(i);
      if (c === 0x25) {
        const hi = hexValue(raw.charCodeAt(i + 1));
        const lo = hexValue(raw.charCodeAt(i + 2));
        if (hi < 0 || lo < 0) return "path_bad_escape";
        const b = hi * 16 + lo;
        i += 2;
        if (b >= 0x80) {
          // A run of adjacent escaped bytes must decode as UTF-8 on its own.
          if (utf8 === null) utf8 = [b];
          else utf8.push(b);
          out += `%${HEX[hi]}${HEX[lo]}`;
          continue;
        }
        if (utf8 !== null) {
          const bad = checkUtf8(utf8);
          if (bad !== null) return bad;
          utf8 = null;
        }
        if (isForbiddenEscape(b)) {
          const allowed =
            b === 0x2f ? opts.allowEncodedSlashes || opts.allowEncoded?.has(b) : opts.allowEncoded?.has(b);
          if (!allowed || b === 0) return b === 0x2f ? "path_encoded_slash" : "path_encoded_delimiter";
          if (b === 0x2f || b === 0x5c) encodedSlashes = true;
          if (kept === null) kept = new Set();
          kept.add(b);
          out += `%${HEX[hi]}${HEX[lo]}`;
        } else if (isDelimiterEscape(b)) {
          delimiters = true;
          out += `%${HEX[hi]}${HEX[lo]}`;
        } else if (isUnreserved(b)) {
          out += String.fromCharCode(b);
        } else {
          out += `%${HEX[hi]}${HEX[lo]}`;
        }
        continue;
      }
      if (utf8 !== null) {
        const bad = checkUtf8(utf8);
        if (bad !== null) return bad;
        utf8 = null;
      }
      if (isPlainChar(c)) out += raw[i];
      else if (c === 0x3b) {
        delimiters = true;
        out += ";";
      } else if (c === 0x5c) return "path_backslash";
      else if (c === 0x23) return "path_fragment";
      else if (isEncodedOnOutput(c)) out += `%${HEX[c >> 4]}${HEX[c & 15]}`;
      else return "path_invalid_char";
    }
    if (utf8 !== null) {
      const bad = checkUtf8(utf8);
      if (bad !== null) return bad;
    }
  }
  let mergedSlashes = false;
  if (out.includes("//")) {
    if (!opts.mergeSlashes) return "path_empty_segment";
    out = out.replace(/\/{2,}/g, "/");
    mergedSlashes = true;
  }
  let match = out;
  if (encodedSlashes) {
    match = out.replaceAll(ENCODED_SLASH, "/");
    // An encoded slash never forms an empty segment: `%2F%2F` is not merged but refused.
    if (match.includes("//")) return "path_empty_segment";
  }
  // Every dot segment also ends in ".": a clean path pays one regex, a refused one a second for its reason.
  if (TRAILING_DOT_OR_SPACE.test(match)) return DOT_SEGMENT.test(match) ? "path_dot_segment" : "path_trailing_dot";
  return { path: out, match, mergedSlashes, encodedSlashes, keptEscapes: kept, delimiters };
}

// A kept `%2F` or `%5C`: both are a path separator to some upstream, so both match as "/".
const ENCODED_SLASH = /%2F|%5C/g;

/**
 * Strict canonical form of a path (no merging, no encoded slash), used for route paths in config.
 * @param path must start with "/"
 * @returns the canonical path, or `undefined` when the path is malformed or ambiguous
 */
export function normalizePath(path: string): string | undefined {
  const c = canonicalizePath(path, STRICT_PATHS);
  return typeof c === "string" ? undefined : c.path;
}

/**
 * The index in a forwarded path (`%2F` and `%5C` kept encoded) where the first `matchLength`
 * characters of its match form end. Equal to `matchLength` when the path has no encoded slash.
 */
export function forwardIndex(path: string, matchLength: number): number {
  let i = 0;
  for (let m = 0; m < matchLength; m++)
    i += path.charCodeAt(i) === 0x25 && (path.startsWith("%2F", i) || path.startsWith("%5C", i)) ? 3 : 1;
  return i;
}
