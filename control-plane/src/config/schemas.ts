import { actionSchemas } from "./route-action.js";
import { conditionSchemas, patternPathSchemas } from "./route-match.js";
import { TRAFFIC_POLICY_CONFIG_SCHEMAS } from "./traffic-schemas.js";
import { wafConfigSchema } from "./waf-schemas.js";

/**
 * JSON Schemas of the admin API bodies (draft-07, validated by fastify's Ajv).
 * `additionalProperties: false` everywhere: a misspelt field is an error, not a silent default.
 */

const name = {
  type: "string",
  pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
  description: "unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters",
} as const;

const hostname = {
  type: "string",
  minLength: 1,
  maxLength: 253,
  // A DNS name, an IPv4 address or a bracket-less IPv6 address.
  pattern:
    "^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]+)$",
} as const;

const ms = { type: "integer", minimum: 1, maximum: 3_600_000 } as const;

const timeouts = {
  type: "object",
  additionalProperties: false,
  properties: { connect_ms: ms, header_ms: ms, body_ms: ms, total_ms: ms },
} as const;

const count = (max: number) => ({ type: "integer", minimum: 1, maximum: max }) as const;

const token = { type: "string", minLength: 1, maxLength: 128, pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" } as const;

/** Body of `POST /v1/upstreams` and `PUT /v1/upstreams/{id}`. */
export const upstreamSchema = {
  type: "object",
  required: ["name", "targets"],
  additionalProperties: false,
  properties: {
    name,
    targets: {
      type: "array",
      minItems: 1,
      maxItems: 1000,
      items: {
        type: "object",
        required: ["host", "port"],
        additionalProperties: false,
        properties: {
          host: hostname,
          port: { type: "integer", minimum: 1, maximum: 65535 },
          weight: { type: "integer", minimum: 1, maximum: 1000 },
        },
      },
    },
    scheme: { type: "string", enum: ["http", "https"] },
    load_balancing: { type: "string", enum: ["round_robin", "least_requests", "ring_hash"] },
    hash_on: {
      type: "object",
      minProperties: 1,
      maxProperties: 1,
      additionalProperties: false,
      description: "ring_hash key: exactly one of header, cookie, client_ip",
      properties: { header: token, cookie: token, client_ip: { type: "boolean", const: true } },
    },
    timeouts,
    health_check: {
      type: "object",
      additionalProperties: false,
      properties: {
        active: {
          type: "object",
          required: ["path"],
          additionalProperties: false,
          properties: {
            path: { type: "string", minLength: 1, maxLength: 1024, pattern: "^/[\\x21-\\x7e]*$" },
            interval_ms: { type: "integer", minimum: 100, maximum: 3_600_000 },
            timeout_ms: ms,
            healthy_threshold: count(100),
            unhealthy_threshold: count(100),
          },
        },
        passive: {
          type: "object",
          additionalProperties: false,
          properties: {
            enabled: { type: "boolean" },
            consecutive_5xx: count(1000),
            consecutive_connect_failures: count(1000),
            base_ejection_ms: ms,
            max_ejection_percent: count(100),
          },
        },
      },
    },
    retries: {
      type: "object",
      additionalProperties: false,
      properties: {
        max_retries: { type: "integer", minimum: 0, maximum: 10 },
        retry_on_statuses: {
          type: "array",
          maxItems: 100,
          uniqueItems: true,
          items: { type: "integer", minimum: 500, maximum: 599 },
        },
        budget_percent: count(100),
        min_concurrent: count(100_000),
      },
    },
    circuit_breaker: {
      type: "object",
      additionalProperties: false,
      properties: {
        max_requests: count(1_000_000),
        max_pending: count(1_000_000),
        max_connections: count(100_000),
      },
    },
    tls: {
      type: "object",
      additionalProperties: false,
      properties: {
        verify: { type: "boolean", description: "false turns certificate verification off (explicit only)" },
        ca_pem: { type: "string", maxLength: 262_144, pattern: "-----BEGIN CERTIFICATE-----" },
        server_name: hostname,
      },
    },
    path_prefix: {
      type: "string",
      maxLength: 1024,
      pattern: "^/[A-Za-z0-9._~!$&'()*+,=:@%/-]*$",
      description: "the upstream's base path, e.g. /pub",
    },
  },
} as const;

const path = { type: "string", minLength: 1, maxLength: 1024, pattern: "^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$" } as const;

/** A request body limit in bytes; 0 = no limit. */
export const bodyBytes = {
  type: "integer",
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: "request body limit in bytes when no request-size policy sets one; 0 = no limit",
} as const;

/** What a policy does with a verified identity no header value carries unchanged. */
const unsafeIdentity = {
  type: "string",
  enum: ["refuse", "drop_header"],
  description: "refuse the request (default) or forward it without that header",
} as const;

/** Body of `POST /v1/routes` and `PUT /v1/routes/{id}`. */
export const routeSchema = {
  type: "object",
  required: ["name"],
  additionalProperties: false,
  properties: {
    name,
    hosts: {
      type: "array",
      maxItems: 100,
      items: { type: "string", minLength: 1, maxLength: 253, pattern: "^(?:\\*\\.)?[A-Za-z0-9.-]+$" },
    },
    paths: {
      type: "array",
      maxItems: 100,
      items: {
        anyOf: [
          path,
          { type: "object", required: ["prefix"], additionalProperties: false, properties: { prefix: path } },
          { type: "object", required: ["exact"], additionalProperties: false, properties: { exact: path } },
          ...patternPathSchemas,
        ],
      },
    },
    ...conditionSchemas,
    ...actionSchemas,
    methods: {
      type: "array",
      maxItems: 9,
      uniqueItems: true,
      items: { type: "string", enum: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"] },
    },
    priority: { type: "integer", minimum: -1000, maximum: 1000 },
    upstream: {
      type: "string",
      minLength: 1,
      maxLength: 64,
      description: "upstream id or name; required unless the route has a redirect or direct_response",
    },
    policies: {
      type: "array",
      maxItems: 32,
      items: { type: "string", minLength: 1, maxLength: 64, description: "policy id or name" },
    },
    strip_prefix: { type: "boolean" },
    prefix_rewrite: path,
    preserve_host: { type: "boolean" },
    timeouts,
    merge_slashes: { type: "boolean" },
    allow_encoded_slashes: { type: "boolean" },
    case_sensitive: { type: "boolean" },
    strict_trailing_slash: {
      type: "boolean",
      description: "match each path only with its own trailing slash (default: /a and /a/ are one route path)",
    },
    allow_encoded: {
      type: "array",
      maxItems: 34,
      uniqueItems: true,
      items: { type: "string", pattern: "^%[0-9A-Fa-f]{2}$" },
      description: "escapes refused by default that this route forwards: %2F, %5C, %01-%1F, %7F",
    },
    refuse_encoded: {
      type: "array",
      maxItems: 100,
      uniqueItems: true,
      items: { type: "string", pattern: "^(?:%[0-9A-Fa-f]{2}|;)$" },
      description: "legal escapes (and ;) this route refuses, e.g. %23, %3F, %3B, %25",
    },
    max_body_bytes: bodyBytes,
  },
} as const;

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

const headerName = { type: "string", pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$" } as const;
const paramName = { type: "string", pattern: "^[A-Za-z0-9._~-]{1,128}$" } as const;
const httpUrl = { type: "string", maxLength: 2048, pattern: "^https?://[^\\s]+$" } as const;
const seconds = (max: number) => ({ type: "integer", minimum: 1, maximum: max }) as const;
const stringList = { type: "array", maxItems: 32, items: { type: "string", minLength: 1, maxLength: 2048 } } as const;

const claimRules = {
  type: "array",
  maxItems: 32,
  items: {
    type: "object",
    required: ["claim"],
    additionalProperties: false,
    properties: {
      claim: { type: "string", minLength: 1, maxLength: 256 },
      equals: { type: "string", maxLength: 1024 },
      contains: { type: "string", maxLength: 1024 },
    },
    oneOf: [{ required: ["equals"] }, { required: ["contains"] }],
  },
  description: "each rule has claim and exactly one of equals / contains",
} as const;

const claimsToHeaders = {
  type: "object",
  maxProperties: 32,
  propertyNames: { pattern: "^[A-Za-z0-9_.:/-]{1,256}$" },
  additionalProperties: { type: "string", pattern: "^[A-Za-z0-9-]{1,128}$" },
} as const;

const jwtConfigSchema = {
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

const apiKeyConfigSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    header: headerName,
    query_param: paramName,
  },
} as const;

const introspectionConfigSchema = {
  type: "object",
  required: ["endpoint", "client_id", "client_secret"],
  additionalProperties: false,
  properties: {
    endpoint: httpUrl,
    client_id: { type: "string", minLength: 1, maxLength: 256 },
    client_secret: { type: "string", minLength: 1, maxLength: 1024 },
    auth_method: { type: "string", enum: ["client_secret_basic", "client_secret_post"] },
    token_type_hint: { type: "string", minLength: 1, maxLength: 64 },
    cache_ttl_s: seconds(86_400),
    negative_cache_ttl_s: seconds(3_600),
    timeout_ms: { type: "integer", minimum: 100, maximum: 60_000 },
    cache: { type: "boolean" },
    issuers: stringList,
    audiences: stringList,
    claim_rules: claimRules,
    claims_to_headers: claimsToHeaders,
    forward_token: { type: "boolean" },
    unavailable_status: { type: "integer", enum: [401, 503] },
    require_consumer: { type: "boolean" },
    unsafe_identity: unsafeIdentity,
  },
} as const;

const pemText = { type: "string", minLength: 1, maxLength: 1_048_576 } as const;

const mtlsConfigSchema = {
  type: "object",
  required: ["ca_pem"],
  additionalProperties: false,
  properties: {
    ca_pem: pemText,
    crl_pem: pemText,
    allowed_subjects: { type: "array", maxItems: 100, items: { type: "string", minLength: 1, maxLength: 2048 } },
    subject_header: headerName,
    san_header: headerName,
    fingerprint_header: headerName,
    require_consumer: { type: "boolean" },
    unsafe_identity: unsafeIdentity,
  },
} as const;

const authAnyConfigSchema = {
  type: "object",
  required: ["policies"],
  additionalProperties: false,
  properties: {
    policies: {
      type: "array",
      minItems: 1,
      maxItems: 8,
      uniqueItems: true,
      items: { type: "string", minLength: 1, maxLength: 64, description: "policy id or name" },
    },
  },
} as const;

/** Policy types this control plane accepts, each with the schema of its `config`. */
export const POLICY_CONFIG_SCHEMAS = {
  jwt: jwtConfigSchema,
  "api-key": apiKeyConfigSchema,
  mtls: mtlsConfigSchema,
  introspection: introspectionConfigSchema,
  "auth-any": authAnyConfigSchema,
  ...TRAFFIC_POLICY_CONFIG_SCHEMAS,
  waf: wafConfigSchema,
} as const;

/** Policy types that authenticate a request (members allowed in an `auth-any`). */
export const AUTH_POLICY_TYPES: readonly string[] = ["jwt", "api-key", "mtls", "introspection"];

/** A policy type name (`jwt`, …). */
export type PolicyType = keyof typeof POLICY_CONFIG_SCHEMAS;

/** Body of `POST /v1/policies` and `PUT /v1/policies/{id}`. */
export const policySchema = {
  type: "object",
  required: ["name", "type", "config"],
  additionalProperties: false,
  properties: {
    name,
    type: { type: "string", enum: Object.keys(POLICY_CONFIG_SCHEMAS) },
    config: { type: "object" },
  },
  allOf: Object.entries(POLICY_CONFIG_SCHEMAS).map(([type, schema]) => ({
    if: { properties: { type: { const: type } }, required: ["type"] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword
    then: { properties: { config: schema } },
  })),
} as const;

/** Body of `POST /v1/consumers` and `PUT /v1/consumers/{id}`. */
export const consumerSchema = {
  type: "object",
  required: ["name"],
  additionalProperties: false,
  properties: {
    name,
    disabled: { type: "boolean", description: "a disabled consumer's credentials are refused" },
    tags: {
      type: "array",
      maxItems: 32,
      uniqueItems: true,
      items: { type: "string", pattern: "^[A-Za-z0-9._:/-]{1,64}$" },
      description: "free-form tags for operators (Kong-style); not sent to nodes",
    },
    labels: {
      type: "object",
      maxProperties: 32,
      propertyNames: { pattern: "^[A-Za-z0-9._/-]{1,63}$" },
      additionalProperties: { type: "string", maxLength: 256 },
    },
  },
} as const;

const credentialSchemas = {
  "api-key": { type: "object", additionalProperties: false, properties: { type: {} } },
  jwt: {
    type: "object",
    required: ["issuer"],
    additionalProperties: false,
    properties: {
      type: {},
      issuer: { type: "string", minLength: 1, maxLength: 2048 },
      subject: { type: "string", minLength: 1, maxLength: 1024 },
      claim: { type: "string", minLength: 1, maxLength: 256 },
      value: { type: "string", minLength: 1, maxLength: 1024 },
    },
    oneOf: [{ required: ["subject"] }, { required: ["claim", "value"] }],
  },
  "client-cert": {
    type: "object",
    additionalProperties: false,
    properties: {
      type: {},
      subject_dn: { type: "string", minLength: 1, maxLength: 2048 },
      san_dns: { type: "string", minLength: 1, maxLength: 253 },
      san_uri: { type: "string", minLength: 1, maxLength: 2048 },
      san_email: { type: "string", minLength: 1, maxLength: 320 },
      fingerprint_sha256: { type: "string", pattern: "^(?:[0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$" },
    },
    oneOf: [
      { required: ["subject_dn"] },
      { required: ["san_dns"] },
      { required: ["san_uri"] },
      { required: ["san_email"] },
      { required: ["fingerprint_sha256"] },
    ],
  },
} as const;

/** Credential types a consumer can hold. */
export type CredentialType = keyof typeof credentialSchemas;

/**
 * Body of `POST /v1/consumers/{id}/credentials`: `{"type":"api-key"}` (the key is generated),
 * `{"type":"jwt","issuer","subject"}` or `{"type":"jwt","issuer","claim","value"}`,
 * `{"type":"client-cert"}` with exactly one of `subject_dn`, `san_dns`, `san_uri`, `san_email`,
 * `fingerprint_sha256`.
 */
export const credentialSchema = {
  type: "object",
  required: ["type"],
  properties: { type: { type: "string", enum: Object.keys(credentialSchemas) } },
  allOf: Object.entries(credentialSchemas).map(([type, schema]) => ({
    if: { properties: { type: { const: type } }, required: ["type"] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword
    then: schema,
  })),
} as const;

/** Body of `POST /v1/config/versions`. */
export const publishSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    message: { type: "string", maxLength: 1000 },
    deploy: {
      type: "string",
      enum: ["all", "none"],
      description: "all (default): every node now; none: for a rollout",
    },
  },
} as const;

/** Body of `POST /v1/certificates` and `PUT /v1/certificates/{id}`. `key_pem` is a secret. */
export const certificateSchema = {
  type: "object",
  required: ["name", "snis", "cert_pem", "key_pem"],
  additionalProperties: false,
  properties: {
    name,
    snis: {
      type: "array",
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
      description: "lower-case DNS names or one-label wildcards (*.example.com) this certificate answers",
      items: { type: "string", minLength: 1, maxLength: 253, pattern: "^(?:\\*\\.)?[a-z0-9.-]+$" },
    },
    cert_pem: {
      type: "string",
      maxLength: 65536,
      pattern: "-----BEGIN CERTIFICATE-----",
      description: "PEM chain: the leaf first, then intermediates",
    },
    key_pem: {
      type: "string",
      maxLength: 16384,
      pattern: "-----BEGIN [A-Z ]*PRIVATE KEY-----",
      description: "PEM private key of the leaf, unencrypted (never returned)",
    },
  },
} as const;
