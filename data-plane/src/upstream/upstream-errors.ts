import type { ErrorCode } from "../errors.js";

const TIMEOUT = new Set([
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_TOTAL_TIMEOUT",
  "ETIMEDOUT",
]);
const BAD_RESPONSE = new Set([
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
  "UND_ERR_RES_EXCEEDED_MAX_SIZE",
  "UND_ERR_INFO",
  "ERR_INVALID_CHAR",
  "ERR_HTTP_INVALID_HEADER_VALUE",
  "ERR_INVALID_HTTP_TOKEN",
]);
const OUR_FAULT = new Set(["UND_ERR_INVALID_ARG", "UND_ERR_NOT_SUPPORTED", "UND_ERR_INVALID_RETURN_VALUE"]);

/**
 * Aborts the proxy itself causes (client gone, total timeout, an attempt dropped for a retry, a
 * request body over its `request-size` limit): never held against the target's health.
 */
const LOCAL_ABORT = new Set([
  "CLIENT_CLOSED",
  "UND_ERR_ABORTED",
  "UND_ERR_TOTAL_TIMEOUT",
  "PALISADE_RETRY",
  "BODY_TOO_LARGE",
  "CLIENT_REQUEST_INVALID",
]);

/** Whether an exchange error is an abort the proxy caused, not something the target did. */
export function isLocalAbort(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && LOCAL_ABORT.has(code);
}

/**
 * Maps an error of an upstream exchange (undici or socket) to a registry code:
 * - the circuit breaker is open → `UPSTREAM_OVERLOADED` (503);
 * - the client's streamed body passed its `request-size` limit → `PAYLOAD_TOO_LARGE` (413);
 * - the client's body broke its framing (the HTTP engine found it) → `BAD_REQUEST` (400);
 * - headers/body/connect/total timeout → `UPSTREAM_TIMEOUT` (504, as nginx for a connect timeout too);
 * - an unparseable response (llhttp `HPE_*`, body length mismatch, invalid header) →
 *   `UPSTREAM_BAD_RESPONSE` (502);
 * - a request the proxy built wrongly → `INTERNAL` (500);
 * - anything else (refused, reset, closed, DNS, TLS) → `UPSTREAM_UNAVAILABLE` (502).
 */
export function classifyUpstreamError(err: unknown): ErrorCode {
  const e = err as { code?: unknown; name?: unknown } | null;
  // undici's HTTPParserError sometimes has no code (e.g. a response not starting with "HTTP/").
  if (e?.name === "HTTPParserError") return "UPSTREAM_BAD_RESPONSE";
  const code = e?.code;
  if (typeof code !== "string") return "UPSTREAM_UNAVAILABLE";
  if (code === "PALISADE_UPSTREAM_OVERLOADED") return "UPSTREAM_OVERLOADED";
  if (code === "BODY_TOO_LARGE") return "PAYLOAD_TOO_LARGE";
  if (code === "CLIENT_REQUEST_INVALID") return "BAD_REQUEST";
  if (TIMEOUT.has(code)) return "UPSTREAM_TIMEOUT";
  if (code.startsWith("HPE_") || BAD_RESPONSE.has(code)) return "UPSTREAM_BAD_RESPONSE";
  if (OUR_FAULT.has(code)) return "INTERNAL";
  return "UPSTREAM_UNAVAILABLE";
}
