import { headerName, httpUrl, paramName, seconds, stringList } from "../../schema-fields.js";
import { claimRules, claimsToHeaders, unsafeIdentity } from "../identity.js";

/** JWS algorithms a `jwt` policy may allow (RFC 7518 §3.1, RFC 8037); never `none`. */
export const JWT_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "HS256",
  "HS384",
  "HS512",
] as const;

/** Config of a `jwt` policy: keys (inline or a JWKS URL), algorithms, claims checks. */
export const jwtConfigSchema = {
  type: "object",
  required: ["algorithms"],
  additionalProperties: false,
  properties: {
    jwks: {
      type: "object",
      required: ["keys"],
      additionalProperties: false,
      properties: {
        keys: {
          type: "array",
          minItems: 1,
          maxItems: 100,
          items: {
            type: "object",
            required: ["kty"],
            maxProperties: 32,
            // JWK members are strings (RFC 7517 §4), except key_ops and x5c (arrays of strings):
            // no nested objects, so a key cannot smuggle deep structures into the store.
            properties: {
              kty: { type: "string", enum: ["RSA", "EC", "OKP", "oct"] },
              kid: { type: "string", maxLength: 256 },
              key_ops: { type: "array", maxItems: 8, items: { type: "string", maxLength: 32 } },
              x5c: { type: "array", maxItems: 10, items: { type: "string", maxLength: 16384 } },
            },
            additionalProperties: { type: "string", maxLength: 16384 },
          },
        },
      },
    },
    jwks_url: httpUrl,
    pem_keys: {
      type: "array",
      minItems: 1,
      maxItems: 100,
      items: {
        type: "object",
        required: ["pem"],
        additionalProperties: false,
        properties: {
          pem: { type: "string", minLength: 1, maxLength: 65536 },
          kid: { type: "string", minLength: 1, maxLength: 256 },
          alg: { type: "string", enum: JWT_ALGORITHMS.filter((a) => !a.startsWith("HS")) },
        },
      },
    },
    algorithms: {
      type: "array",
      minItems: 1,
      uniqueItems: true,
      items: { type: "string", enum: JWT_ALGORITHMS },
    },
    issuers: stringList,
    audiences: stringList,
    leeway_s: { type: "integer", minimum: 0, maximum: 300 },
    claims_to_headers: claimsToHeaders,
    forward_token: { type: "boolean" },
    token_header: headerName,
    token_cookie: { type: "string", pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$" },
    token_query_param: paramName,
    exp_optional: { type: "boolean" },
    max_token_age_s: seconds(315_360_000),
    max_lifetime_s: seconds(315_360_000),
    required_claims: { type: "array", maxItems: 32, items: { type: "string", minLength: 1, maxLength: 256 } },
    claim_rules: claimRules,
    jwks_min_ttl_s: seconds(86_400),
    jwks_max_ttl_s: seconds(604_800),
    jwks_default_ttl_s: seconds(604_800),
    jwks_cooldown_s: seconds(3_600),
    jwks_timeout_ms: { type: "integer", minimum: 100, maximum: 60_000 },
    keys_unavailable_status: { type: "integer", enum: [401, 503] },
    cache: { type: "boolean", description: "cache verification results by token hash (default true)" },
    require_consumer: { type: "boolean" },
    unsafe_identity: unsafeIdentity,
  },
} as const;
