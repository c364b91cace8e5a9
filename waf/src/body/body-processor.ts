import type { ByteString } from "../bytes.js";

/** One request argument: name and value as byte strings. */
export type Arg = readonly [name: ByteString, value: ByteString];

/**
 * What a request body processor made of a body (ModSecurity's URLENCODED, JSON, MULTIPART and
 * XML processors). A plain immutable value: the engine turns it into variables. Names and values
 * are byte strings. Processors never throw: a body that does not parse gives `error`, with what
 * was parsed before the fault kept in the other fields.
 */
export interface ParsedBody {
  /**
   * ARGS_POST and ARGS_POST_NAMES (and their share of ARGS, ARGS_NAMES, ARGS_COMBINED_SIZE), in
   * body order. URLENCODED: the decoded pairs; JSON: the flattened leaves (`json.a.b`); MULTIPART:
   * the parts without a filename (file contents are never ARGS); XML: none.
   */
  readonly args: readonly Arg[];
  /**
   * REQBODY_ERROR_MSG when the body does not parse as its processor's type or passes a limit,
   * else `null`. REQBODY_ERROR (and REQBODY_PROCESSOR_ERROR) is 1 exactly when this is not null;
   * for MULTIPART it also sets MULTIPART_STRICT_ERROR.
   */
  readonly error: ByteString | null;
  /** URLENCODED_ERROR: the URLENCODED body holds an invalid `%` escape (kept as is in the args). */
  readonly urlencodedError?: boolean;
  /** MULTIPART_*, FILES*, for the MULTIPART processor only. */
  readonly multipart?: MultipartData;
  /** The document `XML:/…` targets select from, for the XML processor only (absent on error). */
  readonly xml?: XmlDocument;
}

/** Limits a processor applies; a body past one gets `error` (what was parsed before stays). */
export interface BodyLimits {
  /** Most arguments kept (ModSecurity v3 `SecArgumentsLimit`, 1000 in its recommended config). */
  readonly maxArgs?: number;
  /** Deepest JSON/XML nesting (ModSecurity v3 `SecRequestBodyJsonDepthLimit`, 512 recommended; XML: libxml2's 256). */
  readonly maxDepth?: number;
  /** Most file parts before MULTIPART_FILE_LIMIT_EXCEEDED (ModSecurity `SecUploadFileLimit`, default 100). */
  readonly maxFiles?: number;
}

/** The defaults of {@link BodyLimits}, ModSecurity's recommended configuration. */
export const DEFAULT_BODY_LIMITS: Required<BodyLimits> = { maxArgs: 1000, maxDepth: 512, maxFiles: 100 };

/** One part of a multipart/form-data body (RFC 7578), as the MULTIPART processor parsed it. */
export interface MultipartPart {
  /** MULTIPART_NAME (and the key of MULTIPART_PART_HEADERS): the Content-Disposition `name`. */
  readonly name: ByteString;
  /** MULTIPART_FILENAME: the Content-Disposition `filename` as sent, or `null` for a text field. */
  readonly filename: ByteString | null;
  /**
   * MULTIPART_PART_HEADERS (key: `name`): each header line of the part as sent, without its line
   * ending, folded lines joined with one space (`Content-Type: text/plain`). CRS 922110–922150.
   */
  readonly headers: readonly ByteString[];
  /** Bytes of content. */
  readonly size: number;
}

/** One uploaded file (a part with a `filename`). */
export interface MultipartFile {
  /** FILES_NAMES: the form field name. */
  readonly name: ByteString;
  /** FILES: the file name the client sent, unchanged (it may hold a path). */
  readonly filename: ByteString;
  /** FILES_SIZES: bytes of content. */
  readonly size: number;
}

/**
 * The MULTIPART_* flags (ModSecurity reference manual, "MULTIPART_STRICT_ERROR" and the
 * variables it lists), each true when the body shows that unusual (sometimes legal) trait.
 */
export interface MultipartFlags {
  /** MULTIPART_BOUNDARY_QUOTED: the Content-Type boundary parameter was quoted. */
  readonly boundaryQuoted: boolean;
  /** MULTIPART_BOUNDARY_WHITESPACE: whitespace around the boundary parameter's `=` or value. */
  readonly boundaryWhitespace: boolean;
  /** MULTIPART_DATA_BEFORE: bytes before the first boundary. */
  readonly dataBefore: boolean;
  /** MULTIPART_DATA_AFTER: bytes after the closing boundary. */
  readonly dataAfter: boolean;
  /** MULTIPART_HEADER_FOLDING: a part header continued on a line starting with whitespace. */
  readonly headerFolding: boolean;
  /** MULTIPART_INVALID_HEADER_FOLDING: a folded line starts with whitespace other than SP/HT. */
  readonly invalidHeaderFolding: boolean;
  /** MULTIPART_LF_LINE: a boundary or header line ended with a bare LF. */
  readonly lfLine: boolean;
  /** MULTIPART_CRLF_LF_LINES: both CRLF and bare LF line endings were seen. */
  readonly crlfLfLines: boolean;
  /** MULTIPART_MISSING_SEMICOLON: no `;` before the Content-Type boundary parameter. */
  readonly missingSemicolon: boolean;
  /** MULTIPART_INVALID_QUOTING: a single quote in, or single-quoting of, a Content-Disposition value. */
  readonly invalidQuoting: boolean;
  /** MULTIPART_INVALID_PART: a part without a `name` was skipped. */
  readonly invalidPart: boolean;
  /** MULTIPART_FILE_LIMIT_EXCEEDED: more file parts than `maxFiles` (they are still listed). */
  readonly fileLimitExceeded: boolean;
  /** MULTIPART_UNMATCHED_BOUNDARY: a line shaped like a boundary (`--` + boundary characters) that is not ours. */
  readonly unmatchedBoundary: boolean;
  /** MULTIPART_STRICT_ERROR: `error` or any flag above except `crlfLfLines` and `unmatchedBoundary`, per the manual. */
  readonly strictError: boolean;
}

/** What the MULTIPART processor adds to {@link ParsedBody}. */
export interface MultipartData {
  /** Every named part in body order (text fields and files). */
  readonly parts: readonly MultipartPart[];
  /** FILES, FILES_NAMES, FILES_SIZES: the parts with a filename, in body order. */
  readonly files: readonly MultipartFile[];
  /** FILES_COMBINED_SIZE: the sum of the files' sizes in bytes. */
  readonly filesCombinedSize: number;
  /** MULTIPART_* flags. */
  readonly flags: MultipartFlags;
}

/** An XML element: qualified name, attributes in document order, children (elements and text). */
export interface XmlElement {
  readonly name: ByteString;
  /** Attributes as [qualified name, normalised value]; `xmlns` declarations are not attributes in XPath and are left out. */
  readonly attributes: readonly Arg[];
  /** Child elements and text (character data, CDATA and references decoded, as UTF-8 bytes). */
  readonly children: ReadonlyArray<XmlElement | ByteString>;
}

/** What the XML processor adds to {@link ParsedBody}: the document and the two XPath results CRS reads. */
export interface XmlDocument {
  readonly root: XmlElement;
  /** `XML:/*`: the root element's string value, every text node under it concatenated (XPath 1.0 §5.2). */
  readonly text: ByteString;
  /** `XML://@*`: every attribute of every element, in document order, as [name, value]. */
  readonly attributes: readonly Arg[];
}
