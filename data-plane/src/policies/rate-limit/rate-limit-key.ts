import { hash } from "node:crypto";
import { RateLimitKeySource } from "@palisade/proto";
import ipaddr from "ipaddr.js";
import { parseAddress } from "../../request/cidr.js";
import type { PolicyRequest } from "../contract.js";

/** One compiled key part. */
export interface KeyPart {
  readonly source: RateLimitKeySource;
  /** Lower-case header name, for HEADER. */
  readonly header: string;
}

/**
 * The client-address part of a key: the canonical address, IPv6 grouped by `ipv6Prefix` bits
 * (a client holds a whole /64, so per-address IPv6 keys would be free to rotate; case C35).
 */
export function addressKey(address: string, ipv6Prefix: number): string {
  if (ipv6Prefix >= 128 || !address.includes(":")) return address;
  const a = parseAddress(address);
  if (a === undefined || a.kind() !== "ipv6") return address;
  const bytes = a.toByteArray();
  for (let bit = ipv6Prefix; bit < 128; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return `${ipaddr.fromByteArray(bytes).toString()}/${ipv6Prefix}`;
}

/**
 * The counting key of a request, from the canonical view only: client address, consumer id (the
 * address when the request has none), matched route id, a header value (the address when the
 * header is absent). Parts are joined with "\n" (never in a header value) after the policy id;
 * a long key, or one with Redis hash-tag braces, is replaced by its SHA-256.
 */
export function rateLimitKey(
  policyId: string,
  parts: readonly KeyPart[],
  req: PolicyRequest,
  ipv6Prefix: number,
): string {
  let key = policyId;
  for (const p of parts) {
    switch (p.source) {
      case RateLimitKeySource.CONSUMER: {
        const c = req.consumer;
        key += c !== null ? `\nc=${c.id}` : `\na=${addressKey(req.view.clientAddress, ipv6Prefix)}`;
        break;
      }
      case RateLimitKeySource.ROUTE:
        key += `\nr=${req.routeId}`;
        break;
      case RateLimitKeySource.HEADER: {
        const v = req.fields.get(p.header);
        key += v === undefined ? `\na=${addressKey(req.view.clientAddress, ipv6Prefix)}` : `\nh=${v}`;
        break;
      }
      default:
        key += `\na=${addressKey(req.view.clientAddress, ipv6Prefix)}`;
    }
  }
  if (key.length > 200 || key.includes("{") || key.includes("}")) {
    return `${policyId}#${hash("sha256", key, "base64url")}`;
  }
  return key;
}
