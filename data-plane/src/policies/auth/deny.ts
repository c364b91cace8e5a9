import type { ErrorCode } from "../../errors.js";
import type { SecurityReason } from "../../events/security-events.js";
import { type ConsumerRef, type Refusal, refusal } from "../contract.js";

/**
 * Building refusals with the right challenge. RFC 7235 §3.1: a 401 carries at least one
 * `WWW-Authenticate` challenge. RFC 6750 §3: without credentials the Bearer challenge has no
 * error code; a bad token gets `error="invalid_token"` (401), a malformed request
 * `error="invalid_request"` (400), a token without the needed rights `error="insufficient_scope"`
 * (403, §3.1). API keys have no registered scheme: their challenge is `ApiKey realm="palisade"`
 * (as Kong's `Key realm`).
 */

/** The realm every challenge names. */
export const REALM = "palisade";

/** Challenges by case. */
export const CHALLENGES = Object.freeze({
  bearer: `Bearer realm="${REALM}"`,
  bearerInvalid: `Bearer realm="${REALM}", error="invalid_token"`,
  bearerRequest: `Bearer realm="${REALM}", error="invalid_request"`,
  bearerScope: `Bearer realm="${REALM}", error="insufficient_scope"`,
  apiKey: `ApiKey realm="${REALM}"`,
});

/**
 * A refusal.
 * @param challenge the `WWW-Authenticate` value, or `null` for none
 */
export function deny(
  code: ErrorCode,
  reason: SecurityReason,
  challenge: string | null,
  consumer: ConsumerRef | null = null,
): Refusal {
  return refusal(code, reason, challenge === null ? null : Object.freeze({ "www-authenticate": challenge }), consumer);
}

/** 503 with `Retry-After` (RFC 9110 §10.2.3) when a key server cannot be reached and the policy asks for 503. */
export function unavailable(reason: SecurityReason): Refusal {
  return refusal("AUTH_UNAVAILABLE", reason, Object.freeze({ "retry-after": "5" }));
}

/**
 * A verified identity that cannot be forwarded as a header value (see claims.ts
 * `identityHeaderValue`): 401 `AUTH_IDENTITY_UNSAFE` with the policy's challenge (tokens), or 403
 * `AUTH_CERT_IDENTITY_UNSAFE` without one (client certificates have no HTTP challenge scheme).
 * @param field the claim (`sub`) or certificate fact (`subject`, `san`) at fault, by its config name
 */
export function identityUnsafe(field: string, challenge: string | null, consumer: ConsumerRef | null): Refusal {
  return refusal(
    challenge === null ? "AUTH_CERT_IDENTITY_UNSAFE" : "AUTH_IDENTITY_UNSAFE",
    "identity_unsafe",
    challenge === null ? null : Object.freeze({ "www-authenticate": challenge }),
    consumer,
    field,
  );
}
