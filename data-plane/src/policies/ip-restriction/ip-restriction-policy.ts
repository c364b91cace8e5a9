import type { IpRestrictionPolicy } from "@palisade/proto";
import { CidrSet, ipv4Number, parseAddress } from "../../request/cidr.js";
import { CONTINUE, NO_TRAITS, type Policy, refusal } from "../contract.js";
import { PolicyConfigError, type PolicyContext } from "../factory.js";

const NOT_ALLOWED = refusal("IP_FORBIDDEN", "ip_not_allowed");
const DENIED = refusal("IP_FORBIDDEN", "ip_denied");
const NO_ADDRESS = refusal("IP_FORBIDDEN", "ip_unknown");

/**
 * The `ip-restriction` policy: allows or refuses a request by its client address (the canonical
 * view's, i.e. the peer or the address resolved through trusted proxies, never a header the
 * client chose). A `deny` match always refuses; a non-empty `allow` list refuses every address
 * it does not match; otherwise the request goes on. Refusals answer 403 `IP_FORBIDDEN`.
 * IPv4-mapped IPv6 addresses count as IPv4.
 * @throws PolicyConfigError when a list entry is not an IPv4/IPv6 address or CIDR, or both lists are empty
 */
export function createIpRestrictionPolicy(cfg: IpRestrictionPolicy, ctx: PolicyContext): Policy {
  let allow: CidrSet;
  let deny: CidrSet;
  try {
    allow = new CidrSet(cfg.allow);
  } catch (err) {
    throw new PolicyConfigError(`allow: ${(err as Error).message}`);
  }
  try {
    deny = new CidrSet(cfg.deny);
  } catch (err) {
    throw new PolicyConfigError(`deny: ${(err as Error).message}`);
  }
  if (allow.empty && deny.empty) throw new PolicyConfigError("allow and deny are both empty");
  const hasAllow = !allow.empty;
  const hasDeny = !deny.empty;
  return Object.freeze({
    type: "ip-restriction",
    id: ctx.id,
    traits: NO_TRAITS,
    requestHeaders(ex) {
      const text = ex.view.clientAddress;
      // Dotted IPv4 (the common case) is matched without parsing into an object.
      if (ipv4Number(text) < 0 && parseAddress(text) === undefined) return NO_ADDRESS;
      if (hasDeny && deny.hasText(text)) return DENIED;
      if (hasAllow && !allow.hasText(text)) return NOT_ALLOWED;
      return CONTINUE;
    },
  } satisfies Policy);
}
