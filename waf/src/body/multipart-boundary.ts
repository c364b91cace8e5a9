import type { ByteString } from "../bytes.js";

/** The boundary of a multipart Content-Type, with the MULTIPART_* flags its form sets. */
export interface MultipartBoundary {
  /** The boundary without quotes, or null when `error` is set. */
  readonly boundary: ByteString | null;
  /** REQBODY_ERROR_MSG for a Content-Type ModSecurity refuses, else null. */
  readonly error: ByteString | null;
  /** MULTIPART_BOUNDARY_QUOTED. */
  readonly quoted: boolean;
  /** MULTIPART_BOUNDARY_WHITESPACE. */
  readonly whitespace: boolean;
  /** MULTIPART_MISSING_SEMICOLON. */
  readonly missingSemicolon: boolean;
}

/**
 * Finds the boundary parameter of a `multipart/form-data` Content-Type value the way ModSecurity
 * checks it (reference manual, MULTIPART_BOUNDARY_QUOTED, MULTIPART_BOUNDARY_WHITESPACE,
 * MULTIPART_MISSING_SEMICOLON; its "Invalid boundary in C-T" errors):
 * - exactly one `boundary` parameter (name in any case), else "Boundary not found" / "Multiple
 *   boundary parameters";
 * - the parameter name must follow `;`, `,` or whitespace; no `;` before it sets missingSemicolon;
 * - whitespace before or after `=` sets whitespace; a quoted value sets quoted and must close;
 * - the value is 1–70 RFC 2046 §5.1.1 `bchars` (digits, letters, `'()+_,-./:=?`, space but not
 *   last); an unquoted value ends at `;`, `,` or whitespace.
 */
export function parseMultipartBoundary(contentType: ByteString): MultipartBoundary {
  let quoted = false;
  let whitespace = false;
  let missingSemicolon = false;
  const fail = (reason: string): MultipartBoundary => ({
    boundary: null,
    error: `Multipart: ${reason}`,
    quoted,
    whitespace,
    missingSemicolon,
  });

  const lower = contentType.toLowerCase();
  let at = -1;
  let count = 0;
  for (let i = lower.indexOf("boundary"); i >= 0; i = lower.indexOf("boundary", i + 8)) {
    let j = i + 8;
    while (isWs(lower.charCodeAt(j))) j++;
    if (lower.charCodeAt(j) !== 61) continue; // not a parameter: `boundary` inside another value
    if (at < 0) at = i;
    count++;
  }
  if (count === 0) return fail("Boundary not found in C-T.");
  if (count > 1) return fail("Multiple boundary parameters in C-T.");

  const before = contentType.charCodeAt(at - 1);
  if (at === 0 || !(before === 59 || before === 44 || isWs(before)))
    return fail("Invalid boundary in C-T (parameter name).");
  if (contentType.lastIndexOf(";", at) < 0) missingSemicolon = true;

  let i = at + 8;
  if (isWs(contentType.charCodeAt(i))) whitespace = true;
  while (isWs(contentType.charCodeAt(i))) i++;
  i++; // =
  if (isWs(contentType.charCodeAt(i))) whitespace = true;
  while (isWs(contentType.charCodeAt(i))) i++;

  let boundary: string;
  if (contentType.charCodeAt(i) === 34) {
    quoted = true;
    const close = contentType.indexOf('"', i + 1);
    if (close < 0) return fail("Invalid boundary in C-T (quote).");
    boundary = contentType.slice(i + 1, close);
  } else {
    let end = i;
    while (end < contentType.length) {
      const c = contentType.charCodeAt(end);
      if (c === 59 || c === 44 || isWs(c)) break;
      end++;
    }
    boundary = contentType.slice(i, end);
  }
  if (boundary.length < 1 || boundary.length > 70) return fail("Invalid boundary in C-T (length).");
  for (let k = 0; k < boundary.length; k++) {
    if (!isBoundaryChar(boundary.charCodeAt(k)) || (k === boundary.length - 1 && boundary.charCodeAt(k) === 32)) {
      return fail("Invalid boundary in C-T (characters).");
    }
  }
  return { boundary, error: null, quoted, whitespace, missingSemicolon };
}

/** RFC 2046 §5.1.1 `bchars`: DIGIT / ALPHA / `'()+_,-./:=?` / space. */
export function isBoundaryChar(c: number): boolean {
  return (
    (c >= 48 && c <= 58) || // 0-9 :
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    (c >= 39 && c <= 41) || // ' ( )
    c === 43 || // +
    (c >= 44 && c <= 47) || // , - . /
    c === 61 || // =
    c === 63 || // ?
    c === 95 || // _
    c === 32
  );
}

function isWs(c: number): boolean {
  return c === 32 || c === 9;
}
