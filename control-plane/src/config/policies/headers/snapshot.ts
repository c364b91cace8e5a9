import { create } from "@bufbuild/protobuf";
import { HeadersPolicySchema } from "@palisade/proto";
import type { PolicyConfigInit, PolicyJson } from "../policy-type.js";

/** The proto `HeadersPolicy` of a stored `headers` config. */
export function toHeadersPolicy(c: PolicyJson): PolicyConfigInit {
  return {
    case: "headers",
    value: create(HeadersPolicySchema, {
      set: (c.set as Record<string, string>) ?? {},
      addIfMissing: (c.add_if_missing as Record<string, string>) ?? {},
      remove: (c.remove as string[]) ?? [],
    }),
  };
}
