import ipaddr from "ipaddr.js";
import { fail } from "../../fail.js";

/** True for an IPv4/IPv6 address or CIDR as nodes read it (no legacy IPv4 forms such as `127.1`). */
export function isCidr(text: string): boolean {
  const slash = text.indexOf("/");
  const addr = slash === -1 ? text : text.slice(0, slash);
  if (!ipaddr.isValid(addr)) return false;
  const v4 = !addr.includes(":");
  if (v4 && !ipaddr.IPv4.isValidFourPartDecimal(addr)) return false;
  if (slash === -1) return true;
  const bits = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits) || Number(bits) > (v4 ? 32 : 128)) return false;
  const parsed = ipaddr.parse(addr);
  // An IPv4-mapped CIDR must stay inside the mapped range.
  if (!v4 && parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress() && Number(bits) < 96)
    return false;
  return true;
}

/**
 * Checks an `ip-restriction` config: allow and/or deny, every entry an address or CIDR.
 * @throws DomainError VALIDATION_FAILED naming the field
 */
export function checkIpRestriction(c: { allow?: string[]; deny?: string[] }): void {
  if (!c.allow?.length && !c.deny?.length) fail("give allow, deny or both", "config.allow");
  for (const list of ["allow", "deny"] as const)
    (c[list] ?? []).forEach((v, i) => {
      if (!isCidr(v)) fail(`${JSON.stringify(v)} is not an IPv4/IPv6 address or CIDR`, `config.${list}.${i}`);
    });
}
