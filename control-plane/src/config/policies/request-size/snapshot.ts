import { create } from "@bufbuild/protobuf";
import { RequestSizePolicySchema } from "@palisade/proto";
import type { PolicyConfigInit, PolicyJson } from "../policy-type.js";

/** The proto `RequestSizePolicy` of a stored `request-size` config (0 = no limit). */
export function toRequestSizePolicy(c: PolicyJson): PolicyConfigInit {
  return {
    case: "requestSize",
    value: create(RequestSizePolicySchema, {
      maxBodyBytes: BigInt((c.max_body_bytes as number) ?? 0),
      maxHeaderBytes: (c.max_header_bytes as number) ?? 0,
      maxHeaders: (c.max_headers as number) ?? 0,
      maxUrlBytes: (c.max_url_bytes as number) ?? 0,
      maxQueryParams: (c.max_query_params as number) ?? 0,
    }),
  };
}
