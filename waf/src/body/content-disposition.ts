import type { ByteString } from "../bytes.js";

/** A multipart part's Content-Disposition, as ModSecurity reads it. */
export interface ContentDisposition {
  /** The `name` parameter, or null when absent. */
  readonly name: ByteString | null;
  /** The `filename` parameter, or null when absent (a text field). */
  readonly filename: ByteString | null;
  /** MULTIPART_INVALID_QUOTING: a single-quoted value, or a `'` inside `name`/`filename`. */
  readonly invalidQuoting: boolean;
  /** Why the header is refused (REQBODY_ERROR_MSG), or null. */
  readonly error: ByteString | null;
}

/**
 * Parses a part's `Content-Disposition` value with ModSecurity's rules (its "Invalid
 * Content-Disposition header" errors and MULTIPART_INVALID_QUOTING; RFC 7578 §4.2):
 * - it must be `form-data`, optionally followed by `; param=value` pairs separated by `;`
 *   (whitespace allowed around `;` and `=`);
 * - only `name` and `filename` are known; any other parameter, a repeated one, a missing `=`,
 *   a missing `;` between parameters, or an unterminated quoted value is an error
 *   (`filename*`, which RFC 7578 forbids, is an unknown parameter);
 * - a value is a `"…"` or `'…'` quoted string — in which `\"`, `\'` (the quote used) and `\\`
 *   are escapes and any other `\` is kept, as browsers send Windows paths unescaped — or a run
 *   of token bytes; single quotes, and a `'` inside a name or filename, set invalidQuoting.
 */
export function parseContentDisposition(value: ByteString): ContentDisposition {
  let name: string | null = null;
  let filename: string | null = null;
  let invalidQuoting = false;
  const result = (error: string | null): ContentDisposition => ({ name, filename, invalidQuoting, error });
  const fail = (reason: string) => result(`Multipart: Invalid Content-Disposition header (${reason}).`);

  if (!value.startsWith("form-data")) return fail("not form-data");
  const n = value.length;
  let i = 9;
  while (isWs(value.charCodeAt(i))) i++;
  if (i === n) return result(null);
  if (value.charCodeAt(i) !== 59) return fail("';' expected");
  i++;
  while (i < n) {
    while (isWs(value.charCodeAt(i))) i++;
    if (i === n) return fail("parameter expected after ';'");
    const start = i;
    while (i < n && value.charCodeAt(i) !== 61 && !isWs(value.charCodeAt(i))) i++;
    const param = value.slice(start, i);
    while (isWs(value.charCodeAt(i))) i++;
    if (value.charCodeAt(i) !== 61) return fail(`'=' expected after ${param}`);
    i++;
    while (isWs(value.charCodeAt(i))) i++;
    if (i === n) return fail(`value expected for ${param}`);
    let v: string;
    const q = value.charCodeAt(i);
    if (q === 34 || q === 39) {
      if (q === 39) invalidQuoting = true;
      i++;
      v = "";
      let run = i;
      for (;;) {
        if (i >= n) return fail(`unterminated quoted value of ${param}`);
        const c = value.charCodeAt(i);
        if (c === q) break;
        if (c === 92) {
          const next = value.charCodeAt(i + 1);
          if (i + 1 >= n) return fail(`unterminated quoted value of ${param}`);
          if (next === q || next === 92) {
            v += value.slice(run, i);
            run = i + 1;
            i += 2;
            continue;
          }
        }
        i++;
      }
      v += value.slice(run, i);
      i++; // closing quote
    } else {
      const s = i;
      while (i < n && isTokenChar(value.charCodeAt(i))) i++;
      v = value.slice(s, i);
    }
    if (param === "name") {
      if (name !== null) return fail("repeated name");
      name = v;
    } else if (param === "filename") {
      if (filename !== null) return fail("repeated filename");
      filename = v;
    } else {
      return fail(`unknown parameter ${param}`);
    }
    if (v.includes("'")) invalidQuoting = true;
    while (isWs(value.charCodeAt(i))) i++;
    if (i === n) break;
    if (value.charCodeAt(i) !== 59) {
      const prev = value.charCodeAt(i - 1);
      if (prev === 34 || prev === 39) invalidQuoting = true;
      return fail("';' expected between parameters");
    }
    i++;
  }
  return result(null);
}

/** RFC 9110 §5.6.2 `tchar`. */
function isTokenChar(c: number): boolean {
  if (c <= 32 || c >= 127) return false;
  // separators: ( ) < > @ , ; : \ " / [ ] ? = { }
  return '()<>@,;:\\"/[]?={}'.indexOf(String.fromCharCode(c)) < 0;
}

function isWs(c: number): boolean {
  return c === 32 || c === 9;
}
