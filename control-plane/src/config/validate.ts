import { createPublicKey, X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { createSecureContext } from "node:tls";
import { ApiError } from "../errors.js";
import { templateProbe } from "./route-match.js";

/**
 * Semantic checks that JSON Schema cannot express. Each throws
 * `ApiError("VALIDATION_FAILED", message, field)` naming the field at fault.
 */

const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;
// Nodes refuse request paths with a segment ending in "." or a space (Windows drops them), so a
// route path with one could never be reached.
const TRAILING_DOT_OR_SPACE = /(\.|%20)(\/|$)/;

/**
 * A route path must already be canonical, as nodes canonicalize request paths before
 * matching: no dot segments, no empty segments (RFC 3986 §5.2.4), no segment ending in `.` or
 * `%20` (Windows drops them, so nodes refuse such request paths), no `;`, and
 * percent-encoding only for bytes that are not unreserved (RFC 3986 §2.3: `%41` must be `A`).
 */
export function checkRoutePaths(paths: unknown[] | undefined): void {
  (paths ?? []).forEach((p, i) => {
    // A regex is not a path (checkRouteMatchers checks it); a template is one once each variable is a segment.
    if (typeof p === "object" && p !== null && "regex" in p) return;
    const raw = typeof p === "string" ? p : (Object.values(p as object)[0] as string);
    const value = typeof p === "object" && p !== null && "template" in p ? templateProbe(raw) : raw;
    const field = `paths.${i}`;
    if (DOT_SEGMENT.test(value)) throw new ApiError("VALIDATION_FAILED", "paths must not contain dot segments", field);
    if (value.includes("//")) throw new ApiError("VALIDATION_FAILED", "paths must not contain empty segments", field);
    if (TRAILING_DOT_OR_SPACE.test(value))
      throw new ApiError("VALIDATION_FAILED", "path segments must not end in '.' or a space", field);
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
  "x-consumer-id",
  "x-consumer-name",
]);

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

/**
 * A route's overrides of the nodes' path refusal list (data-plane README, "Reading a request"):
 * `allow_encoded` may only name escapes refused by default that a route can allow (`%2F`, `%5C`,
 * `%01`-`%1F`, `%7F`; never `%00`), `refuse_encoded` only legal escapes of characters that are
 * not unreserved (nodes decode `%41` to `A`, so refusing it means nothing) and `;`, and no
 * escape may be in both.
 */
export function checkRouteEncoded(body: { allow_encoded?: string[]; refuse_encoded?: string[] }): void {
  const byte = (e: string) => Number.parseInt(e.slice(1), 16);
  const allowable = (b: number) => b === 0x2f || b === 0x5c || (b >= 0x01 && b < 0x20) || b === 0x7f;
  const allowed = new Set<number>();
  (body.allow_encoded ?? []).forEach((e, i) => {
    const b = byte(e);
    if (!allowable(b))
      throw new ApiError(
        "VALIDATION_FAILED",
        b === 0
          ? "%00 is always refused"
          : `${e.toUpperCase()} is forwarded by default: only %2F, %5C, %01-%1F and %7F can be allowed`,
        `allow_encoded.${i}`,
      );
    if (allowed.has(b)) throw new ApiError("VALIDATION_FAILED", "listed twice", `allow_encoded.${i}`);
    allowed.add(b);
  });
  const refused = new Set<string>();
  (body.refuse_encoded ?? []).forEach((e, i) => {
    const field = `refuse_encoded.${i}`;
    if (refused.has(e.toUpperCase())) throw new ApiError("VALIDATION_FAILED", "listed twice", field);
    refused.add(e.toUpperCase());
    if (e === ";") return;
    const b = byte(e);
    if (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)))
      throw new ApiError("VALIDATION_FAILED", `${e} is an unreserved character: nodes decode it`, field);
    if (allowed.has(b)) throw new ApiError("VALIDATION_FAILED", `${e} is also in allow_encoded`, field);
    if (allowable(b) || b === 0) throw new ApiError("VALIDATION_FAILED", `${e} is refused by default`, field);
  });
}

/** Kong requires at least one matcher; a route that matches everything must say so with path `/`. */
export function checkRouteHasMatcher(body: { hosts?: unknown[]; paths?: unknown[]; methods?: unknown[] }): void {
  if (!body.hosts?.length && !body.paths?.length && !body.methods?.length)
    throw new ApiError("VALIDATION_FAILED", "a route needs at least one of hosts, paths or methods", "paths");
}

const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "priv"];

function checkHeaderNotReserved(header: string, field: string): void {
  const h = header.toLowerCase();
  if (RESERVED_HEADERS.has(h) || h.startsWith("proxy-"))
    throw new ApiError("VALIDATION_FAILED", `header ${header} is reserved by the gateway`, field);
}

/** `claims_to_headers` may not name a header the gateway owns, nor one header twice. */
export function checkClaimHeaders(map: Record<string, string> | undefined, field: string): void {
  const seen = new Set<string>();
  for (const [claim, header] of Object.entries(map ?? {})) {
    checkHeaderNotReserved(header, `${field}.${claim}`);
    if (seen.has(header.toLowerCase()))
      throw new ApiError("VALIDATION_FAILED", `header ${header} is used twice`, `${field}.${claim}`);
    seen.add(header.toLowerCase());
  }
}

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
      throw new ApiError("VALIDATION_FAILED", "not a valid http(s) URL", "config.jwks_url");
  }
  const inline = config.jwks !== undefined || config.pem_keys !== undefined;
  const hasUrl = config.jwks_url !== undefined;
  if (inline === hasUrl)
    throw new ApiError(
      "VALIDATION_FAILED",
      "give jwks_url, or inline keys (jwks and/or pem_keys), not both",
      inline ? "config.jwks_url" : "config.jwks",
    );
  const hmac = config.algorithms.filter((a) => a.startsWith("HS"));
  const asym = config.algorithms.filter((a) => !a.startsWith("HS"));
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
  config.pem_keys?.forEach((p, i) => {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(p.pem))
      throw new ApiError("VALIDATION_FAILED", "give the public key, not the private key", `config.pem_keys.${i}.pem`);
    try {
      createPublicKey(p.pem);
    } catch {
      throw new ApiError("VALIDATION_FAILED", "not a PEM public key or certificate", `config.pem_keys.${i}.pem`);
    }
    if (asym.length === 0)
      throw new ApiError("VALIDATION_FAILED", "a PEM key needs an asymmetric algorithm", `config.pem_keys.${i}`);
  });
  if (hmac.length > 0 && !config.jwks?.keys.some((k) => k.kty === "oct"))
    throw new ApiError("VALIDATION_FAILED", "HMAC algorithms need an oct key in jwks", "config.algorithms");
  checkClaimHeaders(config.claims_to_headers, "config.claims_to_headers");
  if (config.token_header !== undefined && config.token_header.toLowerCase() !== "authorization")
    checkHeaderNotReserved(config.token_header, "config.token_header");
  if ((config.jwks_min_ttl_s ?? 60) > (config.jwks_max_ttl_s ?? 86_400))
    throw new ApiError("VALIDATION_FAILED", "jwks_min_ttl_s is above jwks_max_ttl_s", "config.jwks_min_ttl_s");
}

/** Checks an `api-key` policy config: the header may not be one the gateway owns. */
export function checkApiKeyConfig(config: { header?: string }): void {
  if (config.header !== undefined) checkHeaderNotReserved(config.header, "config.header");
}

/** Checks an `introspection` policy config. */
export function checkIntrospectionConfig(config: { claims_to_headers?: Record<string, string> }): void {
  checkClaimHeaders(config.claims_to_headers, "config.claims_to_headers");
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Checks an `mtls` policy config: `ca_pem` holds at least one parseable CA certificate
 * (basicConstraints CA:TRUE) and loads as a trust store, `crl_pem` loads as CRLs, and the fact
 * headers are not headers the gateway owns.
 */
export function checkMtlsConfig(config: {
  ca_pem: string;
  crl_pem?: string;
  subject_header?: string;
  san_header?: string;
  fingerprint_header?: string;
}): void {
  const pems = config.ca_pem.match(PEM_CERT) ?? [];
  if (pems.length === 0) throw new ApiError("VALIDATION_FAILED", "no PEM certificate", "config.ca_pem");
  pems.forEach((pem) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      throw new ApiError("VALIDATION_FAILED", "a certificate does not parse", "config.ca_pem");
    }
    if (!cert.ca)
      throw new ApiError("VALIDATION_FAILED", `${cert.subject.split("\n").join(",")} is not a CA`, "config.ca_pem");
  });
  try {
    createSecureContext({ ca: config.ca_pem });
  } catch {
    throw new ApiError("VALIDATION_FAILED", "not usable as a CA bundle", "config.ca_pem");
  }
  if (config.crl_pem !== undefined) {
    try {
      createSecureContext({ ca: config.ca_pem, crl: config.crl_pem });
    } catch {
      throw new ApiError("VALIDATION_FAILED", "not a PEM CRL", "config.crl_pem");
    }
  }
  for (const f of ["subject_header", "san_header", "fingerprint_header"] as const) {
    const h = config[f];
    if (h !== undefined) checkHeaderNotReserved(h, `config.${f}`);
  }
}
