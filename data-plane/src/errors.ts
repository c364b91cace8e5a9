/**
 * The one registry of error codes the data plane answers with (fastify `lib/errors.js` style).
 *
 * Every error answer on the wire is `Content-Type: application/json` with the body
 * `{"error":{"code":"ROUTE_NOT_FOUND","message":"no route matches the request","request_id":"..."}}`
 * (plus `"field"` naming what is at fault when the code alone does not say).
 * The message is the registry's fixed text: library error text, stacks, tokens and key material
 * never reach the wire (internal causes go to the log only). `blame` says who caused the error,
 * after Pingora's `ErrorSource` (downstream = the client, upstream = the proxied service,
 * internal = this node); `retryable` says whether sending the same request again may succeed.
 */

/** Who is at fault for an error. */
export type Blame = "downstream" | "upstream" | "internal";

/** One registry entry. `status` is the HTTP status code sent to the client. */
export interface ErrorSpec {
  readonly status: number;
  readonly message: string;
  readonly blame: Blame;
  readonly retryable: boolean;
}

/** Error codes, in the order the README's table lists them. */
export const ERRORS = {
  BAD_REQUEST: { status: 400, message: "the request is malformed", blame: "downstream", retryable: false },
  AUTH_AMBIGUOUS: {
    status: 400,
    message: "the request carries more than one credential",
    blame: "downstream",
    retryable: false,
  },
  PATH_INVALID: {
    status: 400,
    message: "the request path is malformed or ambiguous",
    blame: "downstream",
    retryable: false,
  },
  AUTH_TOKEN_MISSING: { status: 401, message: "a bearer token is required", blame: "downstream", retryable: false },
  AUTH_TOKEN_INVALID: { status: 401, message: "the bearer token is invalid", blame: "downstream", retryable: false },
  AUTH_KEY_MISSING: { status: 401, message: "an API key is required", blame: "downstream", retryable: false },
  AUTH_KEY_INVALID: { status: 401, message: "the API key is invalid", blame: "downstream", retryable: false },
  AUTH_CREDENTIALS_MISSING: {
    status: 401,
    message: "credentials are required",
    blame: "downstream",
    retryable: false,
  },
  AUTH_IDENTITY_UNSAFE: {
    status: 401,
    message: "the verified identity cannot be forwarded in a header",
    blame: "downstream",
    retryable: false,
  },
  AUTH_FORBIDDEN: {
    status: 403,
    message: "the credentials do not grant access to this resource",
    blame: "downstream",
    retryable: false,
  },
  AUTH_CERT_REQUIRED: {
    status: 403,
    message: "a valid client certificate is required",
    blame: "downstream",
    retryable: false,
  },
  AUTH_CERT_IDENTITY_UNSAFE: {
    status: 403,
    message: "the client certificate's identity cannot be forwarded in a header",
    blame: "downstream",
    retryable: false,
  },
  IP_FORBIDDEN: { status: 403, message: "the client address is not allowed", blame: "downstream", retryable: false },
  CORS_FORBIDDEN: {
    status: 403,
    message: "the cross-origin request is not allowed",
    blame: "downstream",
    retryable: false,
  },
  WAF_BLOCKED: {
    status: 403,
    message: "the request was blocked by the web application firewall",
    blame: "downstream",
    retryable: false,
  },
  ROUTE_NOT_FOUND: { status: 404, message: "no route matches the request", blame: "downstream", retryable: false },
  REQUEST_TIMEOUT: {
    status: 408,
    message: "the request was not received in time",
    blame: "downstream",
    retryable: false,
  },
  PAYLOAD_TOO_LARGE: { status: 413, message: "the request body is too large", blame: "downstream", retryable: false },
  URI_TOO_LONG: {
    status: 414,
    message: "the request target is too long or has too many query parameters",
    blame: "downstream",
    retryable: false,
  },
  EXPECTATION_FAILED: {
    status: 417,
    message: "the request's expectation cannot be met",
    blame: "downstream",
    retryable: false,
  },
  MISDIRECTED_REQUEST: {
    status: 421,
    message: "this connection cannot serve the requested host",
    blame: "downstream",
    retryable: false,
  },
  RATE_LIMITED: { status: 429, message: "too many requests", blame: "downstream", retryable: true },
  ANOMALY_DENIED: {
    status: 403,
    message: "the client is blocked for a while (anomaly detection)",
    blame: "downstream",
    retryable: true,
  },
  ANOMALY_THROTTLED: {
    status: 429,
    message: "the client is throttled for a while (anomaly detection)",
    blame: "downstream",
    retryable: true,
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    message: "the request header section is too large",
    blame: "downstream",
    retryable: false,
  },
  INTERNAL: { status: 500, message: "internal error", blame: "internal", retryable: false },
  WAF_ERROR: {
    status: 500,
    message: "the request could not be inspected by the web application firewall",
    blame: "internal",
    retryable: false,
  },
  NOT_IMPLEMENTED: {
    status: 501,
    message: "the request method is not supported by this gateway",
    blame: "downstream",
    retryable: false,
  },
  UPSTREAM_UNAVAILABLE: {
    status: 502,
    message: "the upstream service is unavailable",
    blame: "upstream",
    retryable: true,
  },
  UPSTREAM_BAD_RESPONSE: {
    status: 502,
    message: "the upstream service sent an invalid response",
    blame: "upstream",
    retryable: false,
  },
  RATE_LIMIT_UNAVAILABLE: {
    status: 503,
    message: "the rate limit service is unavailable",
    blame: "internal",
    retryable: true,
  },
  NO_CONFIG: { status: 503, message: "no configuration has been applied yet", blame: "internal", retryable: true },
  AUTH_UNAVAILABLE: {
    status: 503,
    message: "authentication is temporarily unavailable",
    blame: "upstream",
    retryable: true,
  },
  UPSTREAM_OVERLOADED: {
    status: 503,
    message: "the upstream service is overloaded",
    blame: "upstream",
    retryable: true,
  },
  UPSTREAM_TIMEOUT: {
    status: 504,
    message: "the upstream service did not answer in time",
    blame: "upstream",
    retryable: false,
  },
  HTTP_VERSION_NOT_SUPPORTED: {
    status: 505,
    message: "the request's HTTP version is not supported",
    blame: "downstream",
    retryable: false,
  },
} as const satisfies Record<string, ErrorSpec>;

/** A stable, machine-readable error code, e.g. `"ROUTE_NOT_FOUND"`. */
export type ErrorCode = keyof typeof ERRORS;

/** All codes, in registry order. */
export const ERROR_CODES: readonly ErrorCode[] = Object.freeze(Object.keys(ERRORS) as ErrorCode[]);

// The body up to the request id is fixed per code: build it once.
const BODY_PREFIX = new Map<ErrorCode, string>(
  ERROR_CODES.map((code) => [
    code,
    `{"error":{"code":${JSON.stringify(code)},"message":${JSON.stringify(ERRORS[code].message)},"request_id":`,
  ]),
);

/**
 * The JSON error body for `code`. `requestId` is echoed as given (JSON-escaped); `field` names
 * what is at fault when the code alone does not (the claim of `AUTH_IDENTITY_UNSAFE`): a name
 * from the config, never a value from the request; `eventId` is the id of the security event the
 * refusal was recorded as (a WAF block: an operator finds the rules that matched by it).
 * @returns `{"error":{"code":...,"message":...,"request_id":...}}`, with `"field":...` and
 *   `"event_id":...` last when given
 */
export function errorBody(
  code: ErrorCode,
  requestId: string,
  field: string | null = null,
  eventId: string | null = null,
): string {
  const tail =
    (field === null ? "" : `,"field":${JSON.stringify(field)}`) +
    (eventId === null ? "" : `,"event_id":${JSON.stringify(eventId)}`);
  return `${BODY_PREFIX.get(code)}${JSON.stringify(requestId)}${tail}}}`;
}

/**
 * An expected failure of one request (a policy denial, no route, an upstream error): a plain
 * value, not an `Error`, so the hot path captures no stack. `headers` are extra response headers
 * (e.g. `WWW-Authenticate`); `cause` is for the log only and never reaches the wire.
 */
export class Failure {
  readonly code: ErrorCode;
  readonly headers: Readonly<Record<string, string>> | null;
  readonly cause: unknown;
  /** The error body's `field` (see {@link errorBody}), or `null`. */
  readonly field: string | null;
  /** The error body's `event_id` (see {@link errorBody}), or `null`. */
  readonly eventId: string | null;

  constructor(
    code: ErrorCode,
    headers: Readonly<Record<string, string>> | null = null,
    cause: unknown = undefined,
    field: string | null = null,
    eventId: string | null = null,
  ) {
    this.code = code;
    this.headers = headers;
    this.cause = cause;
    this.field = field;
    this.eventId = eventId;
  }
}
