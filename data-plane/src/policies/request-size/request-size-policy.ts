import type { RequestSizePolicy } from "@palisade/proto";
import { CONTINUE, NO_TRAITS, type Policy, refusal } from "../contract.js";
import { PolicyConfigError, type PolicyContext } from "../factory.js";

const BODY = refusal("PAYLOAD_TOO_LARGE", "body_too_large");
const HEADER_BYTES = refusal("HEADERS_TOO_LARGE", "header_bytes_exceeded");
const HEADER_COUNT = refusal("HEADERS_TOO_LARGE", "header_count_exceeded");
const URL = refusal("URI_TOO_LONG", "url_too_long");
const PARAMS = refusal("URI_TOO_LONG", "query_params_exceeded");

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
 * - `max_body_bytes` (the `maxRequestBodyBytes` trait: the route's body limit, see the data-plane
 *   README's "Body limit"): a declared Content-Length over it → 413 `PAYLOAD_TOO_LARGE` before any
 *   byte is read or forwarded; otherwise the proxy counts the streamed (de-chunked) bytes and
 *   cuts the request at the limit: 413 if the answer has not started, the upstream request
 *   aborted so the upstream never sees a complete oversized body (case C37).
 * @throws PolicyConfigError when every limit is 0
 */
export function createRequestSizePolicy(cfg: RequestSizePolicy, ctx: PolicyContext): Policy {
  const maxBody = Number(cfg.maxBodyBytes);
  if (!Number.isSafeInteger(maxBody)) throw new PolicyConfigError("max_body_bytes is too large");
  const { maxHeaderBytes, maxHeaders, maxUrlBytes, maxQueryParams } = cfg;
  if (maxBody === 0 && maxHeaderBytes === 0 && maxHeaders === 0 && maxUrlBytes === 0 && maxQueryParams === 0)
    throw new PolicyConfigError("set at least one limit");
  return Object.freeze({
    type: "request-size",
    id: ctx.id,
    traits: maxBody > 0 ? Object.freeze({ maxRequestBodyBytes: maxBody }) : NO_TRAITS,
    requestHeaders(ex) {
      const view = ex.view;
      if (maxUrlBytes > 0 && view.path.length + view.query.length > maxUrlBytes) return URL;
      if (maxQueryParams > 0 && countQueryParams(view.query) > maxQueryParams) return PARAMS;
      const fields = ex.fields;
      if (maxHeaders > 0 && fields.size > maxHeaders) return HEADER_COUNT;
      if (maxHeaderBytes > 0) {
        let bytes = 0;
        for (let i = 0; i < fields.size; i++) bytes += fields.lineBytes(i) + 4;
        if (bytes > maxHeaderBytes) return HEADER_BYTES;
      }
      if (maxBody === 0) return CONTINUE;
      const cl = fields.get("content-length");
      if (cl !== undefined && Number(cl) > maxBody) return BODY;
      return CONTINUE;
    },
  } satisfies Policy);
}
