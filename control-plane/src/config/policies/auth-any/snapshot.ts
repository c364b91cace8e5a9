import type { PolicyConfigInit, PolicyJson } from "../policy-type.js";

/** The proto `AuthAnyPolicy` of a stored `auth-any` config (members already resolved to ids). */
export function toAuthAnyPolicy(c: PolicyJson): PolicyConfigInit {
  return { case: "authAny", value: { policyIds: c.policies as string[] } };
}
