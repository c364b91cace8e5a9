import type { SecurityReason } from "../../events/security-events.js";
import { type Claims, requiredClaimsPresent } from "../auth/claims.js";

/** What {@link checkRegisteredClaims} checks (a subset of JwtSettings). Times in seconds. */
export interface ClaimChecks {
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  readonly leewayS: number;
  readonly expRequired: boolean;
  readonly maxTokenAgeS: number;
  readonly maxLifetimeS: number;
  readonly requiredClaims: readonly string[];
}

function isNumericDate(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/**
 * Checks the registered claims of a verified token (RFC 7519 §4.1), each time claim with the
 * policy's leeway:
 * - `exp` (§4.1.4): a number, required unless the policy allows tokens without it; refused when
 *   `now >= exp + leeway`; with `maxLifetimeS`, refused when `exp - now > maxLifetime + leeway`
 *   (a token minted for years is refused even though it has not expired, as Kong's
 *   `maximum_expiration`);
 * - `nbf` (§4.1.5): a number when present; refused when `now + leeway < nbf`;
 * - `iat` (§4.1.6): a number when present; refused when in the future beyond the leeway; with
 *   `maxTokenAgeS` it is required and `now - iat` may not exceed the age plus the leeway;
 * - `iss` (§4.1.1) in the accepted issuers, `aud` (§4.1.3, string or array) holding an accepted
 *   audience, when the policy lists them; every required claim present.
 * Numbers given as strings ("4102444800") are refused: units and types are never guessed.
 * @param nowS current time in seconds since the epoch (may be fractional)
 * @returns `undefined` when every check passes, else the reason
 */
export function checkRegisteredClaims(claims: Claims, c: ClaimChecks, nowS: number): SecurityReason | undefined {
  const { exp, nbf, iat } = claims;
  const leeway = c.leewayS;
  if (exp !== undefined && !isNumericDate(exp)) return "token_claims_invalid";
  if (nbf !== undefined && !isNumericDate(nbf)) return "token_claims_invalid";
  if (iat !== undefined && !isNumericDate(iat)) return "token_claims_invalid";
  if (exp === undefined) {
    if (c.expRequired) return "token_claim_missing";
    if (c.maxLifetimeS > 0) return "token_lifetime_too_long";
  } else {
    if (nowS >= exp + leeway) return "token_expired";
    if (c.maxLifetimeS > 0 && exp - nowS > c.maxLifetimeS + leeway) return "token_lifetime_too_long";
  }
  if (nbf !== undefined && nowS + leeway < nbf) return "token_not_yet_valid";
  if (iat !== undefined && iat > nowS + leeway) return "token_issued_in_future";
  if (c.maxTokenAgeS > 0) {
    if (iat === undefined) return "token_claim_missing";
    if (nowS - iat > c.maxTokenAgeS + leeway) return "token_too_old";
  }
  if (c.issuers.length > 0) {
    const iss = claims.iss;
    if (typeof iss !== "string" || !c.issuers.includes(iss)) return "token_issuer_mismatch";
  }
  if (c.audiences.length > 0) {
    const aud = claims.aud;
    const ok =
      typeof aud === "string"
        ? c.audiences.includes(aud)
        : Array.isArray(aud) && aud.some((a) => typeof a === "string" && c.audiences.includes(a));
    if (!ok) return "token_audience_mismatch";
  }
  if (!requiredClaimsPresent(claims, c.requiredClaims)) return "token_claim_missing";
  return undefined;
}
