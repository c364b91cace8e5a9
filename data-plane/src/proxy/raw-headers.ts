import type { ErrorCode } from "../errors.js";

/**
 * Finds duplicated credential or routing headers in `rawHeaders` (name, value, name, value, …).
 * node:http keeps only the first `Authorization` and `Host` and silently drops the rest, so a
 * policy could check one value while an upstream that reads the raw request sees another.
 *
 * @returns `AUTH_AMBIGUOUS` for two or more `Authorization` (RFC 6750 §2: one method, one
 *   token), `BAD_REQUEST` for two or more `Host` (RFC 9112 §3.2: exactly one), else `undefined`
 */
export function duplicateHeaderError(rawHeaders: readonly string[]): ErrorCode | undefined {
  let auth = 0;
  let host = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 13) {
      if (name.toLowerCase() === "authorization") auth++;
    } else if (name.length === 4) {
      if (name.toLowerCase() === "host") host++;
    }
  }
  if (auth > 1) return "AUTH_AMBIGUOUS";
  if (host > 1) return "BAD_REQUEST";
  return undefined;
}
