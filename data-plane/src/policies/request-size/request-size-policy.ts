import type { RequestSizePolicy } from "@palisade/proto";
import type { SecurityReason } from "../../events/security-events.js";
import {
  ALLOW,
  type PolicyAllow,
  PolicyConfigError,
  type PolicyContext,
  type PolicyDeny,
  type PolicyInstance,
} from "../types.js";

const deny = (code: PolicyDeny["code"], reason: SecurityReason): PolicyDeny =>
  Object.freeze({ allow: false, code, responseHeaders: null, reason });
const BODY = deny("PAYLOAD_TOO_LARGE", "body_too_large");
const HEADER_BYTES = deny("HEADERS_TOO_LARGE", "header_bytes_exceeded");
const HEADER_COUNT = deny("HEADERS_TOO_LARGE", "header_count_exceeded");
const URL = deny("URI_TOO_LONG", "url_too_long");
const PARAMS = deny("URI_TOO_LONG", "query_params_exceeded");

/** Query parameters in a raw query (`""` or `"?a=1&b"`): non-empty `&`-separated parts. */
export function countQueryParams(query: string): number {
  if (query.length <= 1) return 0;
  let n = 0;
  let start = 1;
  for (let i = 1; i <= query.length; i++) {
    if (i === query.length || query.charCodeAt(i) === 0x26 /* & */) {
      if (i > start) n++;
      start = i + 1;
    }
  }
  return n;
}

/**
 * The `request-size` policy. Each limit is optional (0 = none):
 * - `max_url_bytes`: canonical path + query length → 414 `URI_TOO_LONG` (the forwarded target);
 * - `max_query_params` → 414 `URI_TOO_LONG`;
 * - `max_headers` (header lines) and `max_header_bytes` (names + values + 4 bytes a line, as on
 *   the wire) → 431 `HEADERS_TOO_LARGE` (RFC 6585 §5);
 * - `max_body_bytes`: a declared Content-Length over it → 413 `PAYLOAD_TOO_LARGE` before any byte
 *   is read or forwarded; otherwise the proxy counts the streamed (de-chunked) bytes and cuts the
 *   request at the limit: 413 if the answer has not started, the upstream request aborted so the
 *   upstream never sees a complete oversized body (case C37).
 * @throws PolicyConfigError when every limit is 0
 */
export function createRequestSizePolicy(cfg: RequestSizePolicy, ctx: PolicyContext): PolicyInstance {
  const maxBody = Number(cfg.maxBodyBytes);
  if (!Number.isSafeInteger(maxBody)) throw new PolicyConfigError("max_body_bytes is too large");
  const { maxHeaderBytes, maxHeaders, maxUrlBytes, maxQueryParams } = cfg;
  if (maxBody === 0 && maxHeaderBytes === 0 && maxHeaders === 0 && maxUrlBytes === 0 && maxQueryParams === 0)
    throw new PolicyConfigError("set at least one limit");
  const withBody: PolicyAllow | null =
    maxBody > 0 ? Object.freeze({ allow: true, upstreamHeaders: null, maxBodyBytes: maxBody }) : null;
  return Object.freeze({
    type: "request-size",
    id: ctx.id,
    check(req) {
      const view = req.view;
      if (maxUrlBytes > 0 && view.path.length + view.query.length > maxUrlBytes) return URL;
      if (maxQueryParams > 0 && countQueryParams(view.query) > maxQueryParams) return PARAMS;
      const raw = req.rawHeaders;
      if (maxHeaders > 0 && raw.length / 2 > maxHeaders) return HEADER_COUNT;
      if (maxHeaderBytes > 0) {
        let bytes = 0;
        for (let i = 0; i < raw.length; i++) bytes += raw[i]!.length + 2;
        if (bytes > maxHeaderBytes) return HEADER_BYTES;
      }
      if (withBody === null) return ALLOW;
      const cl = req.headers["content-length"];
      if (cl !== undefined && Number(cl) > maxBody) return BODY;
      return withBody;
    },
  } satisfies PolicyInstance);
}
