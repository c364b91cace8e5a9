/**
 * The field-line parser shared by request heads, response heads and chunked trailers
 * (RFC 9112 §5): one pass over the bytes that finds the line end and validates every byte on
 * the way, strict where leniency has been a smuggling vector:
 *
 * - a name is a non-empty token followed directly by `:` (no whitespace before the colon, §5.1);
 * - a value is field-vchar / SP / HTAB / obs-text (RFC 9110 §5.5): NUL, other controls and DEL
 *   are refused; leading and trailing OWS are not part of it;
 * - every line ends with CRLF: a bare LF or a CR not followed by LF is refused (§2.2);
 * - a line starting with SP or HTAB (obs-fold, §5.2) is refused.
 *
 * Results are positions, not objects: `>= 0` is the position after the line's CRLF, {@link
 * NEED_MORE} says the line is not complete in the bytes given, {@link INVALID} says it is
 * malformed and {@link lineError} names why.
 */
import { COLON, CR, HTAB, LF, SP, TCHAR } from "./bytes.js";
import type { ResponseRefusalReason } from "./http-error.js";

/** The line is not complete in the bytes available. */
export const NEED_MORE = -1;
/** The line is malformed: {@link lineError} says why. */
export const INVALID = -2;

/** Why the last call returned {@link INVALID}. */
export type LineError = Extract<
  ResponseRefusalReason,
  "header_name_invalid" | "header_value_invalid" | "obs_fold" | "bare_lf" | "bare_cr"
>;

let lastError: LineError = "header_name_invalid";

/** Why the last parser call of this module returned {@link INVALID}. */
export function lineError(): LineError {
  return lastError;
}

function fail(reason: LineError): number {
  lastError = reason;
  return INVALID;
}

/**
 * Parses one field line starting at `p` (not the empty line that ends a section: the caller
 * checks for CR first). On success stores name start, name end, value start, value end (OWS
 * trimmed) at `out[4k..4k+3]`.
 * @param end how many bytes of `buf` are valid
 * @returns the position after the line's CRLF, {@link NEED_MORE} or {@link INVALID}
 */
export function parseFieldLine(buf: Uint8Array, p: number, end: number, out: number[], k: number): number {
  let c = buf[p]!;
  if (c === SP || c === HTAB) return fail("obs_fold");
  let i = p;
  while (i < end && TCHAR[buf[i]!] === 1) i++;
  if (i === end) return NEED_MORE;
  c = buf[i]!;
  if (c !== COLON || i === p) return fail(c === LF ? "bare_lf" : "header_name_invalid");
  const nameEnd = i++;
  while (i < end) {
    c = buf[i]!;
    if (c !== SP && c !== HTAB) break;
    i++;
  }
  const vs = i;
  for (;;) {
    // A run of visible bytes (and obs-text) first: one test per byte on the common path.
    while (i < end) {
      c = buf[i]!;
      if (c <= 0x20 || c === 0x7f) break;
      i++;
    }
    if (i >= end) return NEED_MORE;
    if (c === SP || c === HTAB) {
      i++;
      continue;
    }
    if (c === CR) break;
    return fail(c === LF ? "bare_lf" : "header_value_invalid");
  }
  if (i + 1 >= end) return NEED_MORE;
  if (buf[i + 1] !== LF) return fail("bare_cr");
  let ve = i;
  while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HTAB)) ve--;
  const o = 4 * k;
  out[o] = p;
  out[o + 1] = nameEnd;
  out[o + 2] = vs;
  out[o + 3] = ve;
  return i + 2;
}

/**
 * Checks the empty line that ends a section at `p` (the caller saw CR there).
 * @returns the position after it, {@link NEED_MORE} or {@link INVALID} (bare CR)
 */
export function parseEmptyLine(buf: Uint8Array, p: number, end: number): number {
  if (p + 1 >= end) return NEED_MORE;
  return buf[p + 1] === LF ? p + 2 : fail("bare_cr");
}

/**
 * Whether an HTAB follows the (trimmed) value ending at `valueEnd` before its line's CR. llhttp
 * refuses `Content-Length: 3<HTAB>` and `Transfer-Encoding: chunked<HTAB>` though it takes a
 * trailing SP (case C29): Palisade refuses what it refused, on the framing fields.
 */
export function trailingTab(buf: Uint8Array, valueEnd: number): boolean {
  for (let i = valueEnd; ; i++) {
    const c = buf[i];
    if (c === HTAB) return true;
    if (c !== SP) return false;
  }
}

/**
 * The digits-only Content-Length value in `buf[s..e)` (RFC 9110 §8.6; no sign, no list, at most
 * 15 digits, as request/framing.ts reads it), or -1.
 */
export function parseContentLength(buf: Uint8Array, s: number, e: number): number {
  const len = e - s;
  if (len === 0 || len > 15) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Reads the tokens of a `Connection` value in `buf[s..e)` (RFC 9110 §7.6.1).
 * @returns bit flags: {@link CONN_CLOSE}, {@link CONN_KEEP_ALIVE}, {@link CONN_UPGRADE},
 *   {@link CONN_OTHER} (a token naming another field)
 */
export function connectionFlags(buf: Uint8Array, s: number, e: number): number {
  let flags = 0;
  let i = s;
  while (i < e) {
    while (i < e && (buf[i] === SP || buf[i] === HTAB || buf[i] === 0x2c)) i++;
    const ts = i;
    while (i < e && buf[i] !== 0x2c && buf[i] !== SP && buf[i] !== HTAB) i++;
    const len = i - ts;
    if (len === 0) continue;
    if (len === 5 && lowerIs(buf, ts, "close")) flags |= CONN_CLOSE;
    else if (len === 10 && lowerIs(buf, ts, "keep-alive")) flags |= CONN_KEEP_ALIVE;
    else if (len === 7 && lowerIs(buf, ts, "upgrade")) flags |= CONN_UPGRADE;
    else flags |= CONN_OTHER;
  }
  return flags;
}

/** `Connection: close`. */
export const CONN_CLOSE = 1;
/** `Connection: keep-alive`. */
export const CONN_KEEP_ALIVE = 2;
/** `Connection: upgrade`. */
export const CONN_UPGRADE = 4;
/** A token that names another field (to be removed when forwarding). */
export const CONN_OTHER = 8;

function lowerIs(buf: Uint8Array, s: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if ((buf[s + i]! | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}
