import { create } from "@bufbuild/protobuf";
import { IpRestrictionPolicySchema } from "@palisade/proto";
import type { PolicyConfigInit, PolicyJson } from "../policy-type.js";

/** The proto `IpRestrictionPolicy` of a stored `ip-restriction` config. */
export function toIpRestrictionPolicy(c: PolicyJson): PolicyConfigInit {
  return {
    case: "ipRestriction",
    value: create(IpRestrictionPolicySchema, {
      allow: (c.allow as string[]) ?? [],
      deny: (c.deny as string[]) ?? [],
    }),
  };
}
