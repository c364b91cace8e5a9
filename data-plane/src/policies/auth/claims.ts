import { type ClaimRule, UnsafeIdentity } from "@palisade/proto";
import { PolicyConfigError } from "../factory.js";

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

/**
 * What a header value cannot carry unchanged (RFC 9110 §5.5): a control character (C0 but tab,
 * DEL, C1: CR, LF and NUL among them), white space at either end (a recipient strips it), a lone
 * surrogate (no UTF-8 form); and U+2028/U+2029, line breaks to JavaScript and many log readers.
 * @returns -1 when unsafe, 0 when printable ASCII, 1 when safe with non-ASCII characters
 */
function classify(text: string): -1 | 0 | 1 {
  const n = text.length;
  if (n > 0) {
    const first = text.charCodeAt(0);
    const last = text.charCodeAt(n - 1);
    if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09) return -1;
  }
  let ascii = true;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) continue;
    if (c === 0x09) continue;
    if (c < 0xa0 || c === 0x2028 || c === 0x2029) return -1;
    if (c >= 0xdc00 && c <= 0xdfff) return -1;
    if (c >= 0xd800 && c <= 0xdbff) {
      const low = text.charCodeAt(i + 1);
      if (!(low >= 0xdc00 && low <= 0xdfff)) return -1;
      i++;
    }
    ascii = false;
  }
  return ascii ? 0 : 1;
}

/**
 * A verified identity's text as an upstream header value, or `undefined` when no header value
 * carries it unchanged (see {@link classify}): a CR/LF would end the header (or be refused by
 * the HTTP client, leaving an authenticated request without its identity), ` admin` would
 * arrive as `admin`. Non-ASCII text goes as its UTF-8 bytes (obs-text, RFC 9110 §5.5), as nginx
 * and Kong forward it: distinct identities stay distinct byte strings and none becomes ASCII.
 * @returns the value for node:http/undici (a latin1 string of the bytes to send)
 */
export function identityHeaderValue(text: string): string | undefined {
  const kind = classify(text);
  if (kind === 0) return text;
  return kind < 0 ? undefined : Buffer.from(text, "utf8").toString("latin1");
}

/** A claim (or certificate fact) whose text cannot be forwarded as a header value unchanged. */
export const UNSAFE = Symbol("unsafe identity");

/**
 * The header value for a claim: strings as they are, numbers and booleans as text, arrays of
 * those joined with ", ", anything else as JSON; `null` when the claim is absent; {@link UNSAFE}
 * when the text is not a safe header value (see {@link identityHeaderValue}) or when an array
 * element holds a comma or edge white space (a list reader, RFC 9110 §5.6.1, would split or trim
 * it: `["viewer, admin"]` must not arrive as two roles).
 */
export function claimHeaderValue(value: unknown): string | null | typeof UNSAFE {
  let text: string;
  if (value === undefined || value === null) return null;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" || typeof value === "boolean") text = String(value);
  else if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number")) {
    for (const v of value) if (typeof v === "string" && (v.includes(",") || v.trim() !== v)) return UNSAFE;
    text = value.join(", ");
  } else text = JSON.stringify(value);
  return identityHeaderValue(text) ?? UNSAFE;
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

/**
 * Header edits for the claims: each header set from its claim, or removed when it is absent.
 * A claim that is not a safe header value is removed too when `drop` (`unsafe_identity:
 * drop_header`); otherwise the first such claim is returned and the caller refuses the request.
 * @returns the name of the first unsafe claim (as configured), or `null`
 */
export function claimEdits(
  claims: Claims,
  pairs: readonly (readonly [string, string])[],
  into: Record<string, string | null>,
  drop: boolean,
): string | null {
  for (const [claim, header] of pairs) {
    const v = claimHeaderValue(readClaim(claims, claim));
    if (v !== UNSAFE) into[header] = v;
    else if (drop) into[header] = null;
    else return claim;
  }
  return null;
}

/**
 * Reads a policy's `unsafe_identity` setting.
 * @returns true for `UNSAFE_IDENTITY_DROP_HEADER`, false for refuse (unspecified, `REFUSE`)
 * @throws PolicyConfigError on a value this build does not know
 */
export function dropsUnsafeIdentity(value: UnsafeIdentity): boolean {
  if (value === UnsafeIdentity.DROP_HEADER) return true;
  if (value === UnsafeIdentity.UNSPECIFIED || value === UnsafeIdentity.REFUSE) return false;
  throw new PolicyConfigError(`unsafe_identity: ${value} is not a known value`);
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
