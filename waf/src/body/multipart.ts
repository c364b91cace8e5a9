import type { ByteString } from "../bytes.js";
import {
  type Arg,
  type BodyLimits,
  DEFAULT_BODY_LIMITS,
  type MultipartData,
  type MultipartFile,
  type MultipartFlags,
  type MultipartPart,
  type ParsedBody,
} from "./body-processor.js";
import { parseContentDisposition } from "./content-disposition.js";
import { isBoundaryChar, parseMultipartBoundary } from "./multipart-boundary.js";

/** ModSecurity's part header line buffer (MULTIPART_BUF_SIZE): longer header lines are refused. */
const MAX_HEADER_LINE = 4096;

type MutableFlags = { -readonly [K in keyof MultipartFlags]: MultipartFlags[K] };

/**
 * The MULTIPART request body processor (`multipart/form-data`, RFC 7578 over RFC 2046 §5.1),
 * with the strict checks ModSecurity makes and CRS relies on (reference manual,
 * MULTIPART_STRICT_ERROR and the variables it lists, MULTIPART_UNMATCHED_BOUNDARY; CRS
 * REQUEST-922 reads MULTIPART_PART_HEADERS, 920120/932/933/944 read FILES and FILES_NAMES).
 *
 * `contentType` is the request's whole Content-Type value (its `boundary` parameter is parsed
 * and checked). Text parts become ARGS_POST [name, content]; parts with a `filename` become
 * FILES and are never ARGS; every named part is listed with its raw header lines.
 *
 * - The body is read as lines ending in CRLF or LF (LF alone sets lfLine; both kinds set
 *   crlfLfLines). A delimiter line is `--boundary`, the last one `--boundary--`; anything else
 *   after the boundary on that line is an error. The line ending before a delimiter belongs to it.
 * - Bytes before the first delimiter set dataBefore; bytes after the last one set dataAfter.
 * - Part headers end at an empty line; each is `Name: value` with a name of bytes 0x21–0x7E
 *   (ModSecurity ≥ 2.9.8/3.0.13: else "Invalid part header (contains invalid character)"); a
 *   line starting with whitespace continues the previous header (headerFolding, and
 *   invalidHeaderFolding when that whitespace is not SP/HT); a repeated header is an error.
 * - Every part needs a `form-data` Content-Disposition (see {@link parseContentDisposition});
 *   a part without `name` is skipped and sets invalidPart.
 * - A line inside the body that starts with `--` plus the boundary in quotes or after whitespace
 *   is an error, as in ModSecurity; another line made of `--` and boundary characters sets
 *   unmatchedBoundary (a boundary-shaped line that is not ours).
 * - More than `maxFiles` file parts sets fileLimitExceeded (they stay listed); more than
 *   `maxArgs` text parts is an error.
 *
 * On an error parsing stops: parts and args found before stay, and the part being read is kept
 * with what it had (its header lines, its content so far), so rules still see the evidence.
 */
export function parseMultipart(body: ByteString, contentType: ByteString, limits: BodyLimits = {}): ParsedBody {
  return new MultipartParser(body, limits).parse(contentType);
}

class MultipartParser {
  readonly #body: string;
  readonly #maxArgs: number;
  readonly #maxFiles: number;
  readonly #args: Arg[] = [];
  readonly #parts: MultipartPart[] = [];
  readonly #files: MultipartFile[] = [];
  #combined = 0;
  #crlf = false;
  readonly #flags: MutableFlags = {
    boundaryQuoted: false,
    boundaryWhitespace: false,
    dataBefore: false,
    dataAfter: false,
    headerFolding: false,
    invalidHeaderFolding: false,
    lfLine: false,
    crlfLfLines: false,
    missingSemicolon: false,
    invalidQuoting: false,
    invalidPart: false,
    fileLimitExceeded: false,
    unmatchedBoundary: false,
    strictError: false,
  };
  #boundary = "";
  #delimiter = "";

  constructor(body: string, limits: BodyLimits) {
    this.#body = body;
    this.#maxArgs = limits.maxArgs ?? DEFAULT_BODY_LIMITS.maxArgs;
    this.#maxFiles = limits.maxFiles ?? DEFAULT_BODY_LIMITS.maxFiles;
  }

  parse(contentType: string): ParsedBody {
    const ct = parseMultipartBoundary(contentType);
    this.#flags.boundaryQuoted = ct.quoted;
    this.#flags.boundaryWhitespace = ct.whitespace;
    this.#flags.missingSemicolon = ct.missingSemicolon;
    let error: string | null = null;
    if (this.#body.length > 0) {
      if (ct.error !== null || ct.boundary === null) error = ct.error ?? "Multipart: Boundary not found in C-T.";
      else {
        this.#boundary = ct.boundary;
        this.#delimiter = `--${ct.boundary}`;
        error = this.#parseBody();
      }
    }
    const f = this.#flags;
    f.crlfLfLines = this.#crlf && f.lfLine;
    f.strictError =
      error !== null ||
      f.boundaryQuoted ||
      f.boundaryWhitespace ||
      f.dataBefore ||
      f.dataAfter ||
      f.headerFolding ||
      f.lfLine ||
      f.missingSemicolon ||
      f.invalidQuoting ||
      f.invalidPart ||
      f.invalidHeaderFolding ||
      f.fileLimitExceeded;
    const multipart: MultipartData = {
      parts: this.#parts,
      files: this.#files,
      filesCombinedSize: this.#combined,
      flags: { ...f },
    };
    return { args: this.#args, error, multipart };
  }

  /** Reads the body from its first delimiter to its last; returns the error, or null. */
  #parseBody(): string | null {
    const body = this.#body;
    let at = this.#nextDelimiter(0);
    if (at < 0) {
      return this.#checkLines(0, body.length) ?? "Multipart: No boundaries found in payload.";
    }
    if (at > 0) {
      this.#flags.dataBefore = true;
      const bad = this.#checkLines(0, at);
      if (bad !== null) return bad;
    }
    for (;;) {
      // `at` is the start of a delimiter line.
      let i = at + this.#delimiter.length;
      const last = body.startsWith("--", i);
      if (last) i += 2;
      const next = this.#lineEnd(i);
      if (next < 0) return `Multipart: Invalid boundary: ${printable(lineAt(body, at))}`;
      if (last) {
        if (next < body.length) this.#flags.dataAfter = true;
        return null;
      }
      if (next >= body.length) return "Multipart: Final boundary missing.";
      const part = this.#readPart(next);
      if (typeof part === "string") return part;
      at = part;
    }
  }

  /**
   * After a delimiter's boundary (and its `--`): the index past the line ending, `body.length`
   * at the end of the body, or -1 when other bytes follow on the line. Records the line ending.
   */
  #lineEnd(i: number): number {
    const body = this.#body;
    if (i === body.length) return i;
    if (body.charCodeAt(i) === 13 && body.charCodeAt(i + 1) === 10) {
      this.#crlf = true;
      return i + 2;
    }
    if (body.charCodeAt(i) === 10) {
      this.#flags.lfLine = true;
      return i + 1;
    }
    return -1;
  }

  /** Index of the next delimiter at a line start, at or after `from`, or -1. */
  #nextDelimiter(from: number): number {
    const body = this.#body;
    for (let k = body.indexOf(this.#delimiter, from); k >= 0; k = body.indexOf(this.#delimiter, k + 1)) {
      if (k === 0 || body.charCodeAt(k - 1) === 10) return k;
    }
    return -1;
  }

  /**
   * Reads one part starting at its header lines; returns the index of the delimiter line that
   * ends it, or an error message.
   */
  #readPart(start: number): number | string {
    const body = this.#body;
    const headers: string[] = [];
    const seen = new Set<string>();
    let p = start;
    const keep = (name: string) => this.#parts.push({ name, filename: null, headers, size: 0 });
    for (;;) {
      const nl = body.indexOf("\n", p);
      if (nl < 0) {
        keep("");
        return body.startsWith(this.#delimiter, p)
          ? "Multipart: Part headers not ended by an empty line."
          : "Multipart: Final boundary missing.";
      }
      const cr = nl > p && body.charCodeAt(nl - 1) === 13;
      if (cr) this.#crlf = true;
      else this.#flags.lfLine = true;
      const line = body.slice(p, cr ? nl - 1 : nl);
      p = nl + 1;
      if (line.length === 0) break;
      if (line.length > MAX_HEADER_LINE) {
        keep("");
        return `Multipart: Part header line over ${MAX_HEADER_LINE} bytes long.`;
      }
      if (line.startsWith(this.#delimiter)) {
        keep("");
        return "Multipart: Part headers not ended by an empty line.";
      }
      if (isCSpace(line.charCodeAt(0))) {
        // Folding (RFC 5322 §2.2.3): the line continues the previous header.
        if (headers.length === 0) {
          keep("");
          return "Multipart: Invalid part header (folding error).";
        }
        this.#flags.headerFolding = true;
        let k = 0;
        for (; k < line.length && isCSpace(line.charCodeAt(k)); k++) {
          if (line.charCodeAt(k) !== 32 && line.charCodeAt(k) !== 9) this.#flags.invalidHeaderFolding = true;
        }
        headers[headers.length - 1] += ` ${line.slice(k)}`;
        continue;
      }
      headers.push(line);
      const colon = line.indexOf(":");
      if (colon < 0) {
        keep("");
        return "Multipart: Invalid part header (colon missing).";
      }
      if (colon === 0) {
        keep("");
        return "Multipart: Invalid part header (header name missing).";
      }
      for (let k = 0; k < colon; k++) {
        const c = line.charCodeAt(k);
        if (c < 0x21 || c > 0x7e) {
          keep("");
          return "Multipart: Invalid part header (contains invalid character).";
        }
      }
      const lower = line.slice(0, colon).toLowerCase();
      if (seen.has(lower)) {
        keep("");
        return `Multipart: Duplicate part header: ${printable(line.slice(0, colon))}.`;
      }
      seen.add(lower);
    }

    const disposition = headerValue(headers, "content-disposition");
    if (disposition === null) {
      keep("");
      return "Multipart: Part missing Content-Disposition header.";
    }
    const cd = parseContentDisposition(disposition);
    if (cd.invalidQuoting) this.#flags.invalidQuoting = true;
    if (cd.error !== null) {
      keep(cd.name ?? "");
      return cd.error;
    }

    // Content: up to the next delimiter line; the line ending before it belongs to the delimiter.
    const end = this.#nextDelimiter(p);
    const stop = end < 0 ? body.length : end;
    const bad = this.#checkLines(p, stop);
    let contentEnd = stop;
    if (end > p) {
      if (end - 2 >= p && body.charCodeAt(end - 2) === 13) {
        contentEnd = end - 2;
        this.#crlf = true;
      } else {
        contentEnd = end - 1;
        this.#flags.lfLine = true;
      }
    }
    const content = body.slice(p, contentEnd);
    if (cd.name === null) {
      this.#flags.invalidPart = true; // ModSecurity: "Skipping invalid part (part name missing)"
    } else {
      const error = this.#addPart(cd.name, cd.filename, headers, content);
      if (error !== null) return error;
    }
    if (bad !== null) return bad;
    if (end < 0) return "Multipart: Final boundary missing.";
    return end;
  }

  /** Records a named part; returns an error when it passes the argument limit. */
  #addPart(name: string, filename: string | null, headers: string[], content: string): string | null {
    this.#parts.push({ name, filename, headers, size: content.length });
    if (filename !== null) {
      if (this.#files.length >= this.#maxFiles) this.#flags.fileLimitExceeded = true;
      this.#files.push({ name, filename, size: content.length });
      this.#combined += content.length;
      return null;
    }
    if (this.#args.length >= this.#maxArgs) return `Multipart: more than ${this.#maxArgs} arguments.`;
    this.#args.push([name, content]);
    return null;
  }

  /**
   * Looks at every line starting with `--` in body[from, to) that is not our delimiter: the
   * boundary in quotes or after whitespace is an error (ModSecurity "Invalid boundary (quotes)",
   * "(whitespace)"); `--` followed only by boundary characters sets unmatchedBoundary.
   */
  #checkLines(from: number, to: number): string | null {
    const body = this.#body;
    let k = from === 0 || body.charCodeAt(from - 1) === 10 ? from : -1;
    if (k < 0 || !body.startsWith("--", k)) {
      const nl = body.indexOf("\n--", from);
      k = nl < 0 ? to : nl + 1;
    }
    while (k < to) {
      if (!body.startsWith(this.#delimiter, k)) {
        let j = k + 2;
        if (this.#flags.boundaryQuoted && body.charCodeAt(j) === 34 && body.startsWith(this.#boundary, j + 1)) {
          return "Multipart: Invalid boundary (quotes).";
        }
        while (j < to && body.charCodeAt(j) !== 10 && isCSpace(body.charCodeAt(j))) j++;
        if (j > k + 2 && body.startsWith(this.#boundary, j)) return "Multipart: Invalid boundary (whitespace).";
        let e = k + 2;
        while (e < to && body.charCodeAt(e) !== 32 && isBoundaryChar(body.charCodeAt(e))) e++;
        const atLineEnd =
          e >= to || body.charCodeAt(e) === 10 || (body.charCodeAt(e) === 13 && body.charCodeAt(e + 1) === 10);
        if (e > k + 2 && atLineEnd) this.#flags.unmatchedBoundary = true;
      }
      const nl = body.indexOf("\n--", k);
      k = nl < 0 ? to : nl + 1;
    }
    return null;
  }
}

/** The value of the first header named `lowerName` (leading SP/HT removed), or null. */
function headerValue(headers: readonly string[], lowerName: string): string | null {
  for (const line of headers) {
    if (
      line.length > lowerName.length &&
      line.charCodeAt(lowerName.length) === 58 &&
      line.slice(0, lowerName.length).toLowerCase() === lowerName
    ) {
      let v = lowerName.length + 1;
      while (line.charCodeAt(v) === 32 || line.charCodeAt(v) === 9) v++;
      return line.slice(v);
    }
  }
  return null;
}

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** The line starting at `at`, without its ending, at most 200 bytes (for error messages). */
function lineAt(body: string, at: number): string {
  const nl = body.indexOf("\n", at);
  return body.slice(at, Math.min(nl < 0 ? body.length : nl, at + 200));
}

/** Non-printable bytes as \xHH, for error messages. */
function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
