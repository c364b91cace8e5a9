/**
 * Bearer token extraction from the `Authorization` header (RFC 6750 §2.1):
 *
 *     credentials = "Bearer" 1*SP b64token
 *     b64token    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 *
 * The scheme is case-insensitive (RFC 9110 §11.1). This gateway is stricter than `1*SP`:
 * exactly one space, then exactly one token68 value; anything else is refused rather than
 * guessed. A comma means a list of credentials (RFC 9110 §11.6.2), i.e. more than one token.
 */

/** The result of {@link extractBearerToken}. */
export type TokenResult =
  | { readonly kind: "ok"; readonly token: string }
  | { readonly kind: "missing" }
  | { readonly kind: "invalid" }
  | { readonly kind: "ambiguous" };

const MISSING: TokenResult = Object.freeze({ kind: "missing" });
const INVALID: TokenResult = Object.freeze({ kind: "invalid" });
const AMBIGUOUS: TokenResult = Object.freeze({ kind: "ambiguous" });

// "Bearer" (any case), one space, one b64token. The i flag only matters for the scheme: the
// token's character class already holds both cases.
const BEARER = /^bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Extracts the bearer token from an `Authorization` header value.
 * @param authorization the header as node:http parsed it (`undefined` when absent)
 * @returns `ok` with the token; `missing` when there is no header; `ambiguous` when the value
 *   carries several credentials; `invalid` for any other shape (other scheme, two spaces, …)
 */
export function extractBearerToken(authorization: string | string[] | undefined): TokenResult {
  if (authorization === undefined) return MISSING;
  if (typeof authorization !== "string" || authorization.includes(",")) return AMBIGUOUS;
  const m = BEARER.exec(authorization);
  return m ? { kind: "ok", token: m[1]! } : INVALID;
}
