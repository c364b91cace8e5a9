import { isIP } from "node:net";
import { ApiError } from "../errors.js";

/**
 * Semantic checks that JSON Schema cannot express. Each throws
 * `ApiError("VALIDATION_FAILED", message, field)` naming the field at fault.
 */

const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;

/**
 * A route path must already be canonical, as nodes canonicalize request paths before
 * matching: no dot segments, no empty segments (RFC 3986 §5.2.4), no `;`, and
 * percent-encoding only for bytes that are not unreserved (RFC 3986 §2.3: `%41` must be `A`).
 */
export function checkRoutePaths(paths: unknown[] | undefined): void {
  (paths ?? []).forEach((p, i) => {
    const value = typeof p === "string" ? p : (Object.values(p as object)[0] as string);
    const field = `paths.${i}`;
    if (DOT_SEGMENT.test(value)) throw new ApiError("VALIDATION_FAILED", "paths must not contain dot segments", field);
    if (value.includes("//")) throw new ApiError("VALIDATION_FAILED", "paths must not contain empty segments", field);
    if (value.includes(";")) throw new ApiError("VALIDATION_FAILED", "paths must not contain ';'", field);
    for (const m of value.matchAll(/%(.{0,2})/g)) {
      const hex = m[1] ?? "";
      if (!/^[0-9A-Fa-f]{2}$/.test(hex))
        throw new ApiError("VALIDATION_FAILED", "invalid percent-encoding in path", field);
      const code = Number.parseInt(hex, 16);
      const c = String.fromCharCode(code);
      if (/[A-Za-z0-9._~-]/.test(c))
        throw new ApiError("VALIDATION_FAILED", `write ${JSON.stringify(c)} instead of %${hex} (unreserved)`, field);
      if (c === "/" || c === "\\" || code < 0x20 || code === 0x7f)
        throw new ApiError("VALIDATION_FAILED", `paths must not contain an encoded ${JSON.stringify(c)}`, field);
    }
  });
}

/**
 * Upstream target hosts: a DNS name (labels of 1-63 characters, none empty) or a valid
 * IPv4/IPv6 address. Something that looks numeric must be a real address (`999.1.1.1` is not).
 */
export function checkUpstreamTargets(targets: Array<{ host: string }>): void {
  targets.forEach((t, i) => {
    const h = t.host;
    const field = `targets.${i}.host`;
    if (h.includes(":")) {
      if (isIP(h) !== 6) throw new ApiError("VALIDATION_FAILED", "not a valid IPv6 address", field);
    } else if (/^[0-9.]+$/.test(h)) {
      if (isIP(h) !== 4) throw new ApiError("VALIDATION_FAILED", "not a valid IPv4 address", field);
    } else if (h.split(".").some((l) => !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l))) {
      throw new ApiError("VALIDATION_FAILED", "not a valid host name", field);
    }
  });
}

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
]);

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
  claims_to_headers?: Record<string, string>;
}): void {
  for (const [claim, header] of Object.entries(config.claims_to_headers ?? {}))
    if (RESERVED_HEADERS.has(header.toLowerCase()))
      throw new ApiError(
        "VALIDATION_FAILED",
        `${header} is set by the gateway, not from a claim`,
        `config.claims_to_headers.${claim}`,
      );
  if (config.jwks_url !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(config.jwks_url);
    } catch {}
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:"))
      throw new ApiError("VALIDATION_FAILED", "not a valid http(s) URL", "config.jwks_url");
  }
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
    if (isOct && (typeof k.k !== "string" || !/^[A-Za-z0-9_-]+$/.test(k.k)))
      throw new ApiError("VALIDATION_FAILED", "an oct key needs its k member in base64url", `config.jwks.keys.${i}.k`);
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
