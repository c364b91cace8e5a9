import type { PolicyConfigInit, PolicyJson } from "../policy-type.js";

/** The proto `ApiKeyPolicy` of a stored `api-key` config (absent names: the node's defaults). */
export function toApiKeyPolicy(c: PolicyJson): PolicyConfigInit {
  return {
    case: "apiKey",
    value: { header: (c.header as string) ?? "", queryParam: (c.query_param as string) ?? "" },
  };
}
