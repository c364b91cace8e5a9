import { checkClaimHeaders } from "../identity.js";

/** Checks an `introspection` policy config. */
export function checkIntrospectionConfig(config: { claims_to_headers?: Record<string, string> }): void {
  checkClaimHeaders(config.claims_to_headers, "config.claims_to_headers");
}
