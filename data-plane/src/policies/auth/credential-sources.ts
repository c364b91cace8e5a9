import type { HeaderFields } from "../../http/headers.js";
import { decodeFormComponent } from "../../request/form-component.js";

/**
 * Where a request carries a credential, and how it is read and removed. The rules are strict
 * on purpose: a credential is read from exactly one place, in exactly one well-formed copy, and
 * anything else is refused rather than guessed, because the upstream may read the request
 * differently (RFC 6750 §2: "clients MUST NOT use more than one method to transmit the token").
 *
 *     Authorization: Bearer <b64token>     RFC 6750 §2.1, scheme case-insensitive (RFC 9110 §11.1)
 *     <named header>: <token>              the raw token, one header, one value
 *     Cookie: <name>=<token>               RFC 6265 §4.2 (one cookie of that name)
 *     ?<param>=<token>                     RFC 6750 §2.3 (only where a policy enables it)
 */

/** The result of reading one credential. */
export type CredentialResult =
  | { readonly kind: "ok"; readonly value: string; readonly from: CredentialPlace }
  | { readonly kind: "missing" }
  | { readonly kind: "invalid" }
  | { readonly kind: "ambiguous" };

/** Where a credential was found. */
export type CredentialPlace = "authorization" | "header" | "cookie" | "query";

const MISSING: CredentialResult = Object.freeze({ kind: "missing" });
const INVALID: CredentialResult = Object.freeze({ kind: "invalid" });
const AMBIGUOUS: CredentialResult = Object.freeze({ kind: "ambiguous" });

/** Longest credential accepted, in characters (a JWT with a large key id still fits). */
export const MAX_CREDENTIAL_LENGTH = 16 * 1024;

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
// "Bearer" (any case), one space, one b64token. The i flag only matters for the scheme.
const BEARER = /^bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Extracts the bearer token from an `Authorization` header value (RFC 6750 §2.1). Stricter
 * than `1*SP`: exactly one space, then exactly one token68. `Authorization` holds one
 * credentials value (RFC 9110 §11.6.2), so a comma list (`Bearer a, Bearer b`, `Bearer a,`) is
 * simply not a valid value; two `Authorization` header lines are ambiguous (400, checked on the
 * raw headers, since node:http keeps only the first).
 * @param authorization the header as node:http parsed it (`undefined` when absent)
 * @returns `ok` with the token; `missing` when there is no header; `ambiguous` for an array (two
 *   header lines); `invalid` for any other shape (other scheme, two spaces, a comma, …)
 */
export function extractBearerToken(authorization: string | string[] | undefined): CredentialResult {
  if (authorization === undefined) return MISSING;
  if (typeof authorization !== "string") return AMBIGUOUS;
  if (authorization.length > MAX_CREDENTIAL_LENGTH + 7) return INVALID;
  const m = BEARER.exec(authorization);
  return m ? { kind: "ok", value: m[1]!, from: "authorization" } : INVALID;
}

/**
 * Reads a raw credential from the header `lowerName`: absent → missing; sent twice → ambiguous;
 * a value that is not one token68 → invalid.
 * @param tokenOnly when false the value may be any visible ASCII (API keys), not only token68
 */
export function extractHeaderCredential(fields: HeaderFields, lowerName: string, tokenOnly = true): CredentialResult {
  const n = fields.count(lowerName);
  if (n === 0) return MISSING;
  if (n > 1) return AMBIGUOUS;
  return checkValue(fields.get(lowerName)!, "header", tokenOnly);
}

/** The `Cookie` header as node:http gives it: several lines joined with `"; "` (RFC 6265 §5.4), `undefined` when absent. */
export function cookieHeader(fields: HeaderFields): string | undefined {
  const n = fields.count("cookie");
  if (n === 0) return undefined;
  return n === 1 ? fields.get("cookie") : fields.getAll("cookie").join("; ");
}

const VISIBLE = /^[\x21-\x7e]+$/;

function checkValue(v: string, from: CredentialPlace, tokenOnly: boolean): CredentialResult {
  if (v.length === 0 || v.length > MAX_CREDENTIAL_LENGTH) return INVALID;
  if (!(tokenOnly ? TOKEN68 : VISIBLE).test(v)) return INVALID;
  return { kind: "ok", value: v, from };
}

/**
 * Reads the cookie `name` from the `Cookie` header (node joins several `Cookie` headers with
 * `; `). Names are case-sensitive (RFC 6265 §5.4); a DQUOTE-wrapped value is unwrapped.
 * Two cookies of that name → ambiguous.
 */
export function extractCookieCredential(cookie: string | undefined, name: string, tokenOnly = true): CredentialResult {
  if (cookie === undefined) return MISSING;
  let found: string | undefined;
  for (const pair of cookie.split(";")) {
    const eq = pair.indexOf("=");
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    if (found !== undefined) return AMBIGUOUS;
    let v = pair.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    found = v;
  }
  return found === undefined ? MISSING : checkValue(found, "cookie", tokenOnly);
}

/** `Cookie` header value without the cookie `name`, or `null` when nothing is left. */
export function removeCookie(cookie: string | undefined, name: string): string | null {
  if (cookie === undefined) return null;
  const kept = cookie
    .split(";")
    .map((p) => p.trim())
    .filter((p) => {
      const eq = p.indexOf("=");
      return p !== "" && (eq === -1 || p.slice(0, eq).trim() !== name);
    });
  return kept.length === 0 ? null : kept.join("; ");
}

export { decodeFormComponent };

/**
 * Reads the query parameter `name` from a raw query (`""` or `"?a=b&c=d"`). Parameter names are
 * compared after decoding (`%61ccess_token` is `access_token` to any framework upstream).
 * Two parameters of that name → ambiguous.
 */
export function extractQueryCredential(query: string, name: string, tokenOnly = true): CredentialResult {
  if (query.length < 2) return MISSING;
  let found: string | undefined;
  for (const part of query.slice(1).split("&")) {
    const eq = part.indexOf("=");
    const rawName = eq === -1 ? part : part.slice(0, eq);
    if (decodeFormComponent(rawName) !== name) continue;
    if (found !== undefined) return AMBIGUOUS;
    found = eq === -1 ? "" : decodeFormComponent(part.slice(eq + 1));
  }
  return found === undefined ? MISSING : checkValue(found, "query", tokenOnly);
}

/**
 * The raw query without the parameters whose decoded name is in `names`; `""` when nothing is
 * left, else `"?…"`. Other parameters keep their bytes and order.
 */
export function removeQueryParams(query: string, names: readonly string[]): string {
  if (query.length < 2) return query;
  const kept = query
    .slice(1)
    .split("&")
    .filter((part) => {
      const eq = part.indexOf("=");
      return !names.includes(decodeFormComponent(eq === -1 ? part : part.slice(0, eq)));
    });
  return kept.length === 0 ? "" : `?${kept.join("&")}`;
}

/** The places one policy reads its credential from. */
export interface CredentialSourcesSpec {
  /** Lower-case header name; `authorization` means the Bearer scheme, others the raw value. */
  readonly header: string | null;
  readonly cookie: string | null;
  readonly query: string | null;
  /** Values must be token68 (tokens) rather than any visible ASCII (API keys). */
  readonly tokenOnly: boolean;
}

/**
 * Reads a credential from every configured place: none present → missing; present in more
 * than one place (even with the same value) → ambiguous; the one present must be well-formed.
 */
export function extractCredential(
  spec: CredentialSourcesSpec,
  req: { readonly fields: HeaderFields; readonly query: string },
): CredentialResult {
  let found: CredentialResult = MISSING;
  const fields = req.fields;
  if (spec.header !== null) {
    // Two Authorization lines never get here (request_filter refuses them, AUTH_AMBIGUOUS).
    found =
      spec.header === "authorization"
        ? extractBearerToken(fields.get("authorization"))
        : extractHeaderCredential(fields, spec.header, spec.tokenOnly);
    if (found.kind === "ambiguous") return found;
  }
  if (spec.cookie !== null) {
    const c = extractCookieCredential(cookieHeader(fields), spec.cookie, spec.tokenOnly);
    if (c.kind !== "missing") {
      if (found.kind !== "missing" || c.kind === "ambiguous") return AMBIGUOUS;
      found = c;
    }
  }
  if (spec.query !== null) {
    const q = extractQueryCredential(req.query, spec.query, spec.tokenOnly);
    if (q.kind !== "missing") {
      if (found.kind !== "missing" || q.kind === "ambiguous") return AMBIGUOUS;
      found = q;
    }
  }
  return found;
}
