import { createPublicKey } from "node:crypto";
import { DomainError } from "../../../errors.js";
import { checkClaimHeaders, checkHeaderNotReserved } from "../identity.js";

const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "priv"];

/**
 * Checks a `jwt` policy config: `jwks_url`, or inline keys (`jwks` and/or `pem_keys`), not
 * both; no private key material (RFC 7517 §9.2: publish public keys only); every key fits an
 * allowed algorithm and every HMAC algorithm has an `oct` key of at least 256 bits; HMAC never
 * with a JWKS URL (RFC 8725 §2.1: secrets are not fetched). Mixing HMAC and asymmetric keys in
 * one policy is allowed: each key verifies only the algorithms of its own type.
 */
export function checkJwtConfig(config: {
  jwks?: { keys: Array<Record<string, unknown>> };
  jwks_url?: string;
  pem_keys?: Array<{ pem: string; kid?: string; alg?: string }>;
  algorithms: string[];
  claims_to_headers?: Record<string, string>;
  token_header?: string;
  jwks_min_ttl_s?: number;
  jwks_max_ttl_s?: number;
}): void {
  if (config.jwks_url !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(config.jwks_url);
    } catch {}
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:"))
      throw new DomainError("VALIDATION_FAILED", "not a valid http(s) URL", "config.jwks_url");
  }
  const inline = config.jwks !== undefined || config.pem_keys !== undefined;
  const hasUrl = config.jwks_url !== undefined;
  if (inline === hasUrl)
    throw new DomainError(
      "VALIDATION_FAILED",
      "give jwks_url, or inline keys (jwks and/or pem_keys), not both",
      inline ? "config.jwks_url" : "config.jwks",
    );
  const hmac = config.algorithms.filter((a) => a.startsWith("HS"));
  const asym = config.algorithms.filter((a) => !a.startsWith("HS"));
  if (hasUrl && hmac.length > 0)
    throw new DomainError(
      "VALIDATION_FAILED",
      "HMAC algorithms need inline oct keys, not a JWKS URL",
      "config.algorithms",
    );
  config.jwks?.keys.forEach((k, i) => {
    for (const m of PRIVATE_JWK_MEMBERS)
      if (m in k)
        throw new DomainError(
          "VALIDATION_FAILED",
          "a JWKS must hold public keys only (private key member present)",
          `config.jwks.keys.${i}.${m}`,
        );
    const isOct = k.kty === "oct";
    if (isOct && (typeof k.k !== "string" || !/^[A-Za-z0-9_-]+$/.test(k.k)))
      throw new DomainError(
        "VALIDATION_FAILED",
        "an oct key needs its k member in base64url",
        `config.jwks.keys.${i}.k`,
      );
    if (isOct && Buffer.from(k.k as string, "base64url").length < 32)
      throw new DomainError(
        "VALIDATION_FAILED",
        "an HMAC key must be at least 32 bytes (RFC 7518 §3.2)",
        `config.jwks.keys.${i}.k`,
      );
    if (isOct ? hmac.length === 0 : asym.length === 0)
      throw new DomainError(
        "VALIDATION_FAILED",
        `key type ${String(k.kty)} does not fit the allowed algorithms`,
        `config.jwks.keys.${i}.kty`,
      );
  });
  config.pem_keys?.forEach((p, i) => {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(p.pem))
      throw new DomainError(
        "VALIDATION_FAILED",
        "give the public key, not the private key",
        `config.pem_keys.${i}.pem`,
      );
    try {
      createPublicKey(p.pem);
    } catch {
      throw new DomainError("VALIDATION_FAILED", "not a PEM public key or certificate", `config.pem_keys.${i}.pem`);
    }
    if (asym.length === 0)
      throw new DomainError("VALIDATION_FAILED", "a PEM key needs an asymmetric algorithm", `config.pem_keys.${i}`);
  });
  if (hmac.length > 0 && !config.jwks?.keys.some((k) => k.kty === "oct"))
    throw new DomainError("VALIDATION_FAILED", "HMAC algorithms need an oct key in jwks", "config.algorithms");
  checkClaimHeaders(config.claims_to_headers, "config.claims_to_headers");
  if (config.token_header !== undefined && config.token_header.toLowerCase() !== "authorization")
    checkHeaderNotReserved(config.token_header, "config.token_header");
  if ((config.jwks_min_ttl_s ?? 60) > (config.jwks_max_ttl_s ?? 86_400))
    throw new DomainError("VALIDATION_FAILED", "jwks_min_ttl_s is above jwks_max_ttl_s", "config.jwks_min_ttl_s");
}
