import { TRAFFIC_POLICY_CONFIG_SCHEMAS } from "./traffic-schemas.js";

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
    load_balancing: { type: "string", enum: ["round_robin", "least_requests"] },
    timeouts: {
      type: "object",
      additionalProperties: false,
      properties: { connect_ms: ms, header_ms: ms, body_ms: ms },
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

/** Body of `POST /v1/routes` and `PUT /v1/routes/{id}`. */
export const routeSchema = {
  type: "object",
  required: ["name", "upstream"],
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
        ],
      },
    },
    methods: {
      type: "array",
      maxItems: 9,
      uniqueItems: true,
      items: { type: "string", enum: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"] },
    },
    priority: { type: "integer", minimum: -1000, maximum: 1000 },
    upstream: { type: "string", minLength: 1, maxLength: 64, description: "upstream id or name" },
    policies: {
      type: "array",
      maxItems: 32,
      items: { type: "string", minLength: 1, maxLength: 64, description: "policy id or name" },
    },
    strip_prefix: { type: "boolean" },
    merge_slashes: { type: "boolean" },
    allow_encoded_slashes: { type: "boolean" },
    case_sensitive: { type: "boolean" },
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
    jwks_url: { type: "string", maxLength: 2048, pattern: "^https?://[^\\s]+$" },
    algorithms: {
      type: "array",
      minItems: 1,
      uniqueItems: true,
      items: { type: "string", enum: JWT_ALGORITHMS },
    },
    issuers: { type: "array", maxItems: 32, items: { type: "string", minLength: 1, maxLength: 2048 } },
    audiences: { type: "array", maxItems: 32, items: { type: "string", minLength: 1, maxLength: 2048 } },
    leeway_s: { type: "integer", minimum: 0, maximum: 300 },
    claims_to_headers: {
      type: "object",
      maxProperties: 32,
      propertyNames: { pattern: "^[A-Za-z0-9_.:-]{1,128}$" },
      additionalProperties: { type: "string", pattern: "^[A-Za-z0-9-]{1,128}$" },
    },
    forward_token: { type: "boolean" },
  },
} as const;

/** Policy types this control plane accepts, each with the schema of its `config`. */
export const POLICY_CONFIG_SCHEMAS = { jwt: jwtConfigSchema, ...TRAFFIC_POLICY_CONFIG_SCHEMAS } as const;

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

/** Body of `POST /v1/config/versions`. */
export const publishSchema = {
  type: "object",
  additionalProperties: false,
  properties: { message: { type: "string", maxLength: 1000 } },
} as const;
