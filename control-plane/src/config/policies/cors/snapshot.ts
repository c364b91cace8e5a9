import { create } from "@bufbuild/protobuf";
import { CorsPolicySchema } from "@palisade/proto";
import type { PolicyConfigInit, PolicyJson } from "../policy-type.js";

/** The proto `CorsPolicy` of a stored `cors` config. */
export function toCorsPolicy(c: PolicyJson): PolicyConfigInit {
  return {
    case: "cors",
    value: create(CorsPolicySchema, {
      allowOrigins: c.allow_origins as string[],
      allowMethods: (c.allow_methods as string[]) ?? [],
      allowHeaders: (c.allow_headers as string[]) ?? [],
      exposeHeaders: (c.expose_headers as string[]) ?? [],
      allowCredentials: (c.allow_credentials as boolean) ?? false,
      maxAgeS: (c.max_age_s as number) ?? 0,
    }),
  };
}
