import type { ClaimRule } from "@palisade/proto";
import { PolicyConfigError } from "../types.js";

/**
 * Claims of a verified token (JWT payload or introspection answer, RFC 7519 §4, RFC 7662 §2.2):
 * reading a claim, value rules, and forwarding claims as upstream headers.
 */

/** A JSON object of claims. */
export type Claims = Readonly<Record<string, unknown>>;

/**
 * Reads a claim: the name as-is first (claim names may hold dots, e.g. URIs), else as a dotted
 * path into nested objects (`realm_access.roles`).
 */
export function readClaim(claims: Claims, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  if (!name.includes(".")) return undefined;
  let cur: unknown = claims;
  for (const part of name.split(".")) {
    if (typeof cur !== "object" || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** A compiled claim rule. */
export interface CompiledClaimRule {
  readonly claim: string;
  readonly op: "equals" | "contains";
  readonly value: string;
}

/**
 * Validates claim rules.
 * @throws PolicyConfigError naming the rule at fault
 */
export function compileClaimRules(rules: readonly ClaimRule[]): readonly CompiledClaimRule[] {
  return rules.map((r, i) => {
    if (r.claim === "") throw new PolicyConfigError(`claim_rules[${i}]: claim is required`);
    if (r.match.case === undefined) throw new PolicyConfigError(`claim_rules[${i}]: set equals or contains`);
    return Object.freeze({ claim: r.claim, op: r.match.case, value: r.match.value });
  });
}

/**
 * Whether the claims pass every rule. `equals`: the claim is a string, number or boolean whose
 * text equals the value. `contains`: the claim is an array with an element equal to the value,
 * or a string whose space-delimited words include it (`scope`, RFC 8693 §4.2; RFC 6749 §3.3).
 */
export function claimRulesPass(claims: Claims, rules: readonly CompiledClaimRule[]): boolean {
  for (const r of rules) {
    const v = readClaim(claims, r.claim);
    if (r.op === "equals") {
      if (!(typeof v === "string" || typeof v === "number" || typeof v === "boolean") || String(v) !== r.value) {
        return false;
      }
    } else if (Array.isArray(v)) {
      if (!v.some((e) => (typeof e === "string" || typeof e === "number") && String(e) === r.value)) return false;
    } else if (typeof v === "string") {
      if (!v.split(" ").includes(r.value)) return false;
    } else {
      return false;
    }
  }
  return true;
}

/** Whether every named claim is present (not `undefined` or `null`). */
export function requiredClaimsPresent(claims: Claims, required: readonly string[]): boolean {
  for (const name of required) {
    const v = readClaim(claims, name);
    if (v === undefined || v === null) return false;
  }
  return true;
}

// Visible ASCII, space and tab: what a header value may safely carry (RFC 9110 §5.5, without
// obs-text). A claim with CR/LF or other control characters is dropped, never forwarded.
const SAFE_VALUE = /^[\t\x20-\x7e]*$/;

/**
 * The header value for a claim: strings as they are, numbers and booleans as text, arrays of
 * those joined with ", ", anything else as JSON. `null` (remove the header) when the claim is
 * absent or its text is not a safe header value.
 */
export function claimHeaderValue(value: unknown): string | null {
  let text: string;
  if (value === undefined || value === null) return null;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" || typeof value === "boolean") text = String(value);
  else if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number")) {
    text = value.join(", ");
  } else text = JSON.stringify(value);
  return SAFE_VALUE.test(text) ? text : null;
}

// Header names a policy may not set: framing, hop-by-hop, credentials, the forwarding headers
// and the consumer headers the proxy owns.
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "upgrade",
  "expect",
  "authorization",
  "proxy-authorization",
  "proxy-authenticate",
  "cookie",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "x-forwarded-port",
  "x-forwarded-prefix",
  "x-real-ip",
  "x-request-id",
  "via",
  "x-consumer-id",
  "x-consumer-name",
]);

// RFC 9110 §5.1 field-name = token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/**
 * Validates an upstream header name a policy sets from verified data.
 * @returns the lower-case name
 * @throws PolicyConfigError when it is not a token or is reserved by the proxy
 */
export function checkIdentityHeader(field: string, raw: string): string {
  const header = raw.toLowerCase();
  if (!TOKEN.test(header)) throw new PolicyConfigError(`${field}: "${raw}" is not a valid header name`);
  if (RESERVED_HEADERS.has(header) || header.startsWith("proxy-")) {
    throw new PolicyConfigError(`${field}: header "${raw}" is reserved by the proxy`);
  }
  return header;
}

/**
 * Validates a `claims_to_headers` map (claim → header name).
 * @returns [claim, lower-case header] pairs
 * @throws PolicyConfigError on an empty claim, a bad or reserved header, a header used twice
 */
export function parseClaimHeaders(
  field: string,
  map: Readonly<Record<string, string>>,
): readonly (readonly [string, string])[] {
  const out: [string, string][] = [];
  const seen = new Set<string>();
  for (const [claim, rawHeader] of Object.entries(map)) {
    if (claim === "") throw new PolicyConfigError(`${field}: empty claim name`);
    const header = checkIdentityHeader(field, rawHeader);
    if (seen.has(header)) throw new PolicyConfigError(`${field}: header "${rawHeader}" is used twice`);
    seen.add(header);
    out.push([claim, header]);
  }
  return out;
}

/** Header edits for the claims: each header set from its claim, or removed when it is absent. */
export function claimEdits(
  claims: Claims,
  pairs: readonly (readonly [string, string])[],
  into: Record<string, string | null>,
): Record<string, string | null> {
  for (const [claim, header] of pairs) into[header] = claimHeaderValue(readClaim(claims, claim));
  return into;
}

/**
 * Checks a `1..max` seconds option where 0 means `fallback`.
 * @throws PolicyConfigError when above `max`
 */
export function secondsOption(field: string, value: number, fallback: number, max: number): number {
  if (value === 0) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new PolicyConfigError(`${field}: ${value} is not 0-${max}`);
  }
  return value;
}
