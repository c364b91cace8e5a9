import { X509Certificate } from "node:crypto";
import { ApiError } from "../errors.js";

/**
 * Semantic checks that JSON Schema cannot express. Each throws
 * `ApiError("VALIDATION_FAILED", message, field)` naming the field at fault.
 */

const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;

/** A route path must already be canonical: no dot segments, no empty segments (RFC 3986 §5.2.4). */
export function checkRoutePaths(paths: unknown[] | undefined): void {
  (paths ?? []).forEach((p, i) => {
    const value = typeof p === "string" ? p : (Object.values(p as object)[0] as string);
    if (DOT_SEGMENT.test(value))
      throw new ApiError("VALIDATION_FAILED", "paths must not contain dot segments", `paths.${i}`);
    if (value.includes("//"))
      throw new ApiError("VALIDATION_FAILED", "paths must not contain empty segments", `paths.${i}`);
    if (/%(?![0-9A-Fa-f]{2})/.test(value))
      throw new ApiError("VALIDATION_FAILED", "invalid percent-encoding in path", `paths.${i}`);
  });
}

/**
 * Route path options: `prefix_rewrite` must be canonical like the paths, and excludes
 * `strip_prefix` (which is the rewrite to "/").
 */
export function checkRouteRewrite(body: { strip_prefix?: boolean; prefix_rewrite?: string }): void {
  if (body.prefix_rewrite === undefined) return;
  if (body.strip_prefix)
    throw new ApiError("VALIDATION_FAILED", "give strip_prefix or prefix_rewrite, not both", "prefix_rewrite");
  try {
    checkRoutePaths([body.prefix_rewrite]);
  } catch (err) {
    if (err instanceof ApiError) throw new ApiError("VALIDATION_FAILED", err.message, "prefix_rewrite");
    throw err;
  }
}

/**
 * Upstream settings that JSON Schema cannot relate: `tls` needs scheme https and its `ca_pem`
 * must parse; `ring_hash` needs `hash_on`, and `hash_on` is only for `ring_hash`.
 */
export function checkUpstream(body: {
  scheme?: string;
  load_balancing?: string;
  hash_on?: unknown;
  tls?: { ca_pem?: string };
}): void {
  if (body.tls !== undefined && body.scheme !== "https")
    throw new ApiError("VALIDATION_FAILED", 'tls applies to scheme "https" only', "tls");
  if (body.tls?.ca_pem !== undefined) {
    try {
      new X509Certificate(body.tls.ca_pem);
    } catch {
      throw new ApiError("VALIDATION_FAILED", "ca_pem is not a PEM certificate", "tls.ca_pem");
    }
  }
  if (body.load_balancing === "ring_hash" && body.hash_on === undefined)
    throw new ApiError("VALIDATION_FAILED", "ring_hash needs hash_on (header, cookie or client_ip)", "hash_on");
  if (body.hash_on !== undefined && body.load_balancing !== "ring_hash")
    throw new ApiError("VALIDATION_FAILED", 'hash_on is used by load_balancing "ring_hash" only', "hash_on");
}

/** Kong requires at least one matcher; a route that matches everything must say so with path `/`. */
export function checkRouteHasMatcher(body: { hosts?: unknown[]; paths?: unknown[]; methods?: unknown[] }): void {
  if (!body.hosts?.length && !body.paths?.length && !body.methods?.length)
    throw new ApiError("VALIDATION_FAILED", "a route needs at least one of hosts, paths or methods", "paths");
}

const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth"];

/**
 * Checks a `jwt` policy config: exactly one key source; no private key material
 * in a JWKS (RFC 7517 §9.2: publish public keys only); HMAC algorithms only with
 * inline `oct` keys, asymmetric ones only with asymmetric keys (RFC 8725 §2.1:
 * algorithm confusion).
 */
export function checkJwtConfig(config: {
  jwks?: { keys: Array<Record<string, unknown>> };
  jwks_url?: string;
  algorithms: string[];
}): void {
  const hasJwks = config.jwks !== undefined;
  const hasUrl = config.jwks_url !== undefined;
  if (hasJwks === hasUrl)
    throw new ApiError(
      "VALIDATION_FAILED",
      "give exactly one of jwks or jwks_url",
      hasJwks ? "config.jwks_url" : "config.jwks",
    );
  const hmac = config.algorithms.filter((a) => a.startsWith("HS"));
  const asym = config.algorithms.filter((a) => !a.startsWith("HS"));
  if (hmac.length > 0 && asym.length > 0)
    throw new ApiError(
      "VALIDATION_FAILED",
      "do not mix HMAC and asymmetric algorithms in one policy",
      "config.algorithms",
    );
  if (hasUrl && hmac.length > 0)
    throw new ApiError(
      "VALIDATION_FAILED",
      "HMAC algorithms need inline oct keys, not a JWKS URL",
      "config.algorithms",
    );
  config.jwks?.keys.forEach((k, i) => {
    for (const m of PRIVATE_JWK_MEMBERS)
      if (m in k)
        throw new ApiError(
          "VALIDATION_FAILED",
          "a JWKS must hold public keys only (private key member present)",
          `config.jwks.keys.${i}.${m}`,
        );
    const isOct = k.kty === "oct";
    if (isOct && typeof k.k !== "string")
      throw new ApiError("VALIDATION_FAILED", "an oct key needs its k member", `config.jwks.keys.${i}.k`);
    if (isOct && Buffer.from(k.k as string, "base64url").length < 32)
      throw new ApiError(
        "VALIDATION_FAILED",
        "an HMAC key must be at least 32 bytes (RFC 7518 §3.2)",
        `config.jwks.keys.${i}.k`,
      );
    if (isOct ? hmac.length === 0 : asym.length === 0)
      throw new ApiError(
        "VALIDATION_FAILED",
        `key type ${String(k.kty)} does not fit the allowed algorithms`,
        `config.jwks.keys.${i}.kty`,
      );
  });
}
