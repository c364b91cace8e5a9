import { type ClaimRule, UnsafeIdentity } from "@palisade/proto";
import { DomainError } from "../../errors.js";

/**
 * What the authentication policies (`jwt`, `introspection`, `mtls`, `api-key`) share: the claim
 * rules and claims-to-headers schemas, the unsafe-identity choice, and the request headers a
 * policy may never write.
 */

/** What a policy does with a verified identity no header value carries unchanged. */
export const unsafeIdentity = {
  type: "string",
  enum: ["refuse", "drop_header"],
  description: "refuse the request (default) or forward it without that header",
} as const;

/** `claim_rules`: each rule names a claim and one of equals / contains. */
export const claimRules = {
  type: "array",
  maxItems: 32,
  items: {
    type: "object",
    required: ["claim"],
    additionalProperties: false,
    properties: {
      claim: { type: "string", minLength: 1, maxLength: 256 },
      equals: { type: "string", maxLength: 1024 },
      contains: { type: "string", maxLength: 1024 },
    },
    oneOf: [{ required: ["equals"] }, { required: ["contains"] }],
  },
  description: "each rule has claim and exactly one of equals / contains",
} as const;

/** `claims_to_headers`: claim name → request header name. */
export const claimsToHeaders = {
  type: "object",
  maxProperties: 32,
  propertyNames: { pattern: "^[A-Za-z0-9_.:/-]{1,256}$" },
  additionalProperties: { type: "string", pattern: "^[A-Za-z0-9-]{1,128}$" },
} as const;

/**
 * Request headers a policy may never set from a claim: framing, routing and hop-by-hop
 * headers (RFC 9110 §7.6.1), credentials, and the forwarding headers the node writes itself.
 */
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "upgrade",
  "proxy-connection",
  "proxy-authorization",
  "proxy-authenticate",
  "authorization",
  "cookie",
  "expect",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-forwarded-port",
  "x-forwarded-prefix",
  "x-real-ip",
  "x-request-id",
  "via",
  "x-consumer-id",
  "x-consumer-name",
]);

/** Refuses a header the gateway owns (RESERVED_HEADERS, any `proxy-*`). */
export function checkHeaderNotReserved(header: string, field: string): void {
  const h = header.toLowerCase();
  if (RESERVED_HEADERS.has(h) || h.startsWith("proxy-"))
    throw new DomainError("VALIDATION_FAILED", `header ${header} is reserved by the gateway`, field);
}

/** `claims_to_headers` may not name a header the gateway owns, nor one header twice. */
export function checkClaimHeaders(map: Record<string, string> | undefined, field: string): void {
  const seen = new Set<string>();
  for (const [claim, header] of Object.entries(map ?? {})) {
    checkHeaderNotReserved(header, `${field}.${claim}`);
    if (seen.has(header.toLowerCase()))
      throw new DomainError("VALIDATION_FAILED", `header ${header} is used twice`, `${field}.${claim}`);
    seen.add(header.toLowerCase());
  }
}

/** `claim_rules` → proto `ClaimRule`s. */
export function toClaimRules(rules: unknown): Array<Omit<ClaimRule, "$typeName" | "$unknown">> {
  return ((rules as Array<{ claim: string; equals?: string; contains?: string }>) ?? []).map((r) => ({
    claim: r.claim,
    match:
      r.equals !== undefined
        ? { case: "equals" as const, value: r.equals }
        : { case: "contains" as const, value: r.contains ?? "" },
  }));
}

/** `unsafe_identity` as the proto enum; unset stays UNSPECIFIED (refuse), so existing hashes hold. */
export function toUnsafeIdentity(v: unknown): UnsafeIdentity {
  return v === "drop_header"
    ? UnsafeIdentity.DROP_HEADER
    : v === "refuse"
      ? UnsafeIdentity.REFUSE
      : UnsafeIdentity.UNSPECIFIED;
}
