import { ERRORS, type ErrorCode } from "../errors.js";
import type { FramingRefusal } from "../request/framing.js";

/**
 * Why the engine refused a request it read (the reason of a security event; the wire only gets
 * the registry code). The framing reasons are those of `request/framing.ts`, so a refusal reads
 * the same whichever parser found it.
 */
export type RequestRefusalReason =
  | Exclude<FramingRefusal, "host_duplicate" | "authorization_duplicate">
  /** Request line: a method that is not a token or not one node:http knows (RFC 9110 §9). */
  | "method_invalid"
  /** CONNECT: the gateway tunnels nothing (RFC 9110 §9.3.6); answered 501. */
  | "method_connect"
  /** Request line: a target byte outside visible ASCII (RFC 9112 §3.2), or an empty target. */
  | "target_invalid"
  /** Request line longer than the limit: 414 (RFC 9112 §3). */
  | "request_line_too_long"
  /** Request line: not `method SP target SP HTTP/d.d`, or no version at all (HTTP/0.9). */
  | "request_line_invalid"
  /** A field name that is not a token, or whitespace before the colon (RFC 9112 §5.1). */
  | "header_name_invalid"
  /** A field value with a control byte, NUL or DEL (RFC 9110 §5.5). */
  | "header_value_invalid"
  /** A line starting with whitespace: obs-fold (RFC 9112 §5.2), or whitespace after the request line (§2.2). */
  | "obs_fold"
  /** A line ended by LF alone (RFC 9112 §2.2: strict CRLF). */
  | "bare_lf"
  /** A CR not followed by LF. */
  | "bare_cr"
  /** The header section is larger than the limit: 431 (RFC 6585 §5). */
  | "header_section_too_large"
  /** More field lines than the limit: 431. */
  | "header_count_exceeded"
  /** `Expect` with anything but `100-continue`: 417 (RFC 9110 §10.1.1). */
  | "expectation_unsupported"
  /** A chunk size that is not 1-16 hex digits, or junk after it (RFC 9112 §7.1). */
  | "chunk_size_invalid"
  /** A chunk extension that is not `;name[=token|quoted-string]` (RFC 9112 §7.1.1). */
  | "chunk_extension_invalid"
  /** Chunk data not followed by CRLF: longer than its declared size. */
  | "chunk_data_overrun"
  /** A malformed trailer field (RFC 9112 §7.1.2). */
  | "trailer_invalid"
  /** A trailer section larger than the header limit. */
  | "trailer_too_large"
  /** The connection ended inside a request (head or body). */
  | "message_incomplete"
  /** The request body passed the limit the handler set: 413. */
  | "body_too_large"
  /** The head or the whole request was not received in time: 408. */
  | "request_timeout";

/**
 * A request the engine refused, or that broke after its head: a plain value (no stack trace: an
 * attacker controls how often this happens), with the registry code of the answer and the reason.
 */
export class HttpRequestError {
  readonly code: ErrorCode;
  readonly reason: RequestRefusalReason;
  /** True when found after the head (in the body or its trailers): the request had started. */
  readonly inBody: boolean;

  constructor(code: ErrorCode, reason: RequestRefusalReason, inBody = false) {
    this.code = code;
    this.reason = reason;
    this.inBody = inBody;
  }

  /** The HTTP status of the answer (the registry's). */
  get status(): number {
    return ERRORS[this.code].status;
  }

  /**
   * The same failure as an `Error` for stream consumers (a request body piped upstream): code
   * `BODY_TOO_LARGE` for a body over its limit, `CLIENT_CLOSED` when the client left, else
   * `CLIENT_REQUEST_INVALID`. upstream/upstream-errors.ts counts all three as local aborts
   * (never against the target's health); `requestError` is this error (its registry code).
   */
  toError(): Error & { code: string; reason: RequestRefusalReason; requestError: HttpRequestError } {
    const code =
      this.reason === "body_too_large"
        ? "BODY_TOO_LARGE"
        : this.reason === "message_incomplete" && this.code === "BAD_REQUEST"
          ? "CLIENT_CLOSED"
          : "CLIENT_REQUEST_INVALID";
    return Object.assign(new Error(`request ${this.reason}`), { code, reason: this.reason, requestError: this });
  }
}

/** A 400 `BAD_REQUEST` for `reason`. */
export function badRequest(reason: RequestRefusalReason, inBody = false): HttpRequestError {
  return new HttpRequestError("BAD_REQUEST", reason, inBody);
}

/** Why an upstream response was refused (the error's `reason`). */
export type ResponseRefusalReason =
  | "status_line_invalid"
  | "version_unsupported"
  | "header_name_invalid"
  | "header_value_invalid"
  | "obs_fold"
  | "bare_lf"
  | "bare_cr"
  | "header_section_too_large"
  | "header_count_exceeded"
  | "cl_invalid"
  | "cl_duplicate"
  | "cl_and_te"
  | "te_not_chunked"
  | "te_duplicate"
  | "body_not_allowed"
  | "upgrade_unexpected"
  | "chunk_size_invalid"
  | "chunk_extension_invalid"
  | "chunk_data_overrun"
  | "trailer_invalid"
  | "trailer_too_large"
  | "body_incomplete"
  | "unsolicited_data";

/**
 * An upstream response the engine could not read: the proxy answers 502 `UPSTREAM_BAD_RESPONSE`
 * (upstream/upstream-errors.ts maps every `HPE_` code so) and never reuses the connection.
 * `code` follows node's parser error names (`HPE_INVALID_STATUS`, …), `reason` says more.
 */
export class ResponseParseError extends Error {
  readonly code: string;
  readonly reason: ResponseRefusalReason;

  constructor(reason: ResponseRefusalReason) {
    super(`invalid upstream response: ${reason}`);
    this.name = "ResponseParseError";
    this.reason = reason;
    this.code = RESPONSE_CODES[reason];
  }
}

const RESPONSE_CODES: Record<ResponseRefusalReason, string> = {
  status_line_invalid: "HPE_INVALID_STATUS",
  version_unsupported: "HPE_INVALID_VERSION",
  header_name_invalid: "HPE_INVALID_HEADER_TOKEN",
  header_value_invalid: "HPE_INVALID_HEADER_TOKEN",
  obs_fold: "HPE_INVALID_HEADER_TOKEN",
  bare_lf: "HPE_LF_EXPECTED",
  bare_cr: "HPE_LF_EXPECTED",
  header_section_too_large: "HPE_HEADER_OVERFLOW",
  header_count_exceeded: "HPE_HEADER_OVERFLOW",
  cl_invalid: "HPE_INVALID_CONTENT_LENGTH",
  cl_duplicate: "HPE_UNEXPECTED_CONTENT_LENGTH",
  cl_and_te: "HPE_UNEXPECTED_CONTENT_LENGTH",
  te_not_chunked: "HPE_INVALID_TRANSFER_ENCODING",
  te_duplicate: "HPE_INVALID_TRANSFER_ENCODING",
  body_not_allowed: "HPE_UNEXPECTED_CONTENT_LENGTH",
  upgrade_unexpected: "HPE_INVALID_CONSTANT",
  chunk_size_invalid: "HPE_INVALID_CHUNK_SIZE",
  chunk_extension_invalid: "HPE_INVALID_CHUNK_SIZE",
  chunk_data_overrun: "HPE_STRICT",
  trailer_invalid: "HPE_INVALID_HEADER_TOKEN",
  trailer_too_large: "HPE_HEADER_OVERFLOW",
  body_incomplete: "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
  unsolicited_data: "HPE_INVALID_CONSTANT",
};

/**
 * A failure of an upstream exchange that is not the response's bytes: a timeout, a connection
 * closed or reset, an abort. Codes are undici's for the same conditions, so the layers above
 * (retry, breaker, health, upstream/upstream-errors.ts) read them as they read undici's.
 */
export class ClientError extends Error {
  readonly code:
    | "UND_ERR_CONNECT_TIMEOUT"
    | "UND_ERR_HEADERS_TIMEOUT"
    | "UND_ERR_BODY_TIMEOUT"
    | "UND_ERR_SOCKET"
    | "UND_ERR_CLOSED"
    | "UND_ERR_ABORTED"
    | "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH";

  constructor(code: ClientError["code"], message: string) {
    super(message);
    this.name = "ClientError";
    this.code = code;
  }
}
