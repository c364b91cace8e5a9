import { REDACTED } from "../config/redact.js";
import { DomainError } from "../errors.js";

/**
 * A copy of `body` where every `[redacted]` string (what the API answers in place of a secret)
 * takes the stored resource's value at the same place, so that a body read from the API — a
 * `GET` edited and sent back, a dumped file — keeps the server's secrets without ever holding
 * them. Places are matched by member name and list position (`config.jwks.keys.1.k`).
 * @param stored the stored body (secrets in clear), or undefined for a new resource
 * @throws DomainError VALIDATION_FAILED naming the field when there is no stored secret to keep
 *   (a new resource, or a place the stored body has no secret at): `[redacted]` is never stored
 */
export function keepStoredSecrets(body: unknown, stored: unknown, path = ""): unknown {
  if (body === REDACTED) {
    if (typeof stored === "string" && stored !== REDACTED) return stored;
    throw new DomainError(
      "VALIDATION_FAILED",
      `${path} is ${REDACTED}: give the secret (none is stored to keep)`,
      path,
    );
  }
  if (Array.isArray(body))
    return body.map((v, i) => keepStoredSecrets(v, Array.isArray(stored) ? stored[i] : undefined, `${path}.${i}`));
  if (typeof body !== "object" || body === null) return body;
  const s = (typeof stored === "object" && stored !== null ? stored : {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(body).map(([k, v]) => [k, keepStoredSecrets(v, s[k], path ? `${path}.${k}` : k)]),
  );
}
