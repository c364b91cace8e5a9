const cidrList = {
  type: "array",
  maxItems: 1000,
  uniqueItems: true,
  items: {
    type: "string",
    minLength: 2,
    maxLength: 64,
    description: "an IPv4 or IPv6 address or CIDR, e.g. 10.0.0.0/8 or 2001:db8::/32",
  },
} as const;

/** Config of an `ip-restriction` policy: addresses and CIDRs allowed and denied. */
export const ipRestrictionConfigSchema = {
  type: "object",
  additionalProperties: false,
  properties: { allow: cidrList, deny: cidrList },
} as const;
