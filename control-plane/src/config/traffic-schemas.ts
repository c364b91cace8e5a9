/**
 * JSON Schemas (draft-07, fastify's Ajv) of the traffic-protection policy types: `ip-restriction`,
 * `rate-limit`, `request-size`, `cors`, `headers`; and of the global settings. Semantic rules
 * JSON Schema cannot express (CIDR syntax, origins, reserved header names) are in
 * traffic-validate.ts. `additionalProperties: false` everywhere.
 */

const cidrList = {
  type: "array",
  maxItems: 1000,
  uniqueItems: true,
  items: {
    type: "string",
    minLength: 2,
    maxLength: 64,
    description: "an IPv4 or IPv6 address or CIDR, e.g. 10.0.0.0/8 or 2001:db8::/32",
  },
} as const;

export const ipRestrictionConfigSchema = {
  type: "object",
  additionalProperties: false,
  properties: { allow: cidrList, deny: cidrList },
} as const;

const headerName = {
  type: "string",
  pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$",
  description: "an HTTP header name (RFC 9110 token)",
} as const;

export const rateLimitConfigSchema = {
  type: "object",
  required: ["limits"],
  additionalProperties: false,
  properties: {
    limits: {
      type: "array",
      minItems: 1,
      maxItems: 4,
      items: {
        type: "object",
        required: ["requests", "per"],
        additionalProperties: false,
        properties: {
          requests: { type: "integer", minimum: 1, maximum: 1_000_000_000 },
          per: { type: "string", enum: ["second", "minute", "hour", "day"] },
        },
      },
    },
    key: {
      type: "array",
      maxItems: 4,
      items: {
        anyOf: [
          { type: "string", enum: ["client_address", "consumer", "route"] },
          { type: "object", required: ["header"], additionalProperties: false, properties: { header: headerName } },
        ],
      },
    },
    scope: { type: "string", enum: ["local", "cluster"] },
    redis: {
      type: "object",
      required: ["host", "port"],
      additionalProperties: false,
      properties: {
        host: { type: "string", minLength: 1, maxLength: 253 },
        port: { type: "integer", minimum: 1, maximum: 65535 },
        username: { type: "string", maxLength: 256 },
        password: { type: "string", maxLength: 1024 },
        database: { type: "integer", minimum: 0, maximum: 1024 },
        timeout_ms: { type: "integer", minimum: 1, maximum: 10_000 },
        key_prefix: { type: "string", maxLength: 128, pattern: "^[A-Za-z0-9:._-]*$" },
      },
    },
    failure_mode: { type: "string", enum: ["open", "closed"] },
    hide_client_headers: { type: "boolean" },
    ipv6_prefix_length: { type: "integer", minimum: 32, maximum: 128 },
  },
} as const;

const limit = { type: "integer", minimum: 0, maximum: 2_147_483_647 } as const;

export const requestSizeConfigSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    max_body_bytes: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    max_header_bytes: limit,
    max_headers: limit,
    max_url_bytes: limit,
    max_query_params: limit,
  },
} as const;

const headerNames = { type: "array", maxItems: 100, uniqueItems: true, items: headerName } as const;

export const corsConfigSchema = {
  type: "object",
  required: ["allow_origins"],
  additionalProperties: false,
  properties: {
    allow_origins: {
      type: "array",
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
      items: {
        type: "string",
        minLength: 1,
        maxLength: 300,
        description: 'a serialized origin (https://app.example.com), a pattern (https://*.example.com) or "*"',
      },
    },
    allow_methods: {
      type: "array",
      maxItems: 20,
      uniqueItems: true,
      items: { type: "string", pattern: "^[A-Z]{1,20}$", description: "an upper-case HTTP method" },
    },
    allow_headers: headerNames,
    expose_headers: headerNames,
    allow_credentials: { type: "boolean" },
    max_age_s: { type: "integer", minimum: 0, maximum: 86_400 },
  },
} as const;

const headerMap = {
  type: "object",
  maxProperties: 50,
  propertyNames: headerName,
  additionalProperties: { type: "string", maxLength: 4096 },
} as const;

export const headersConfigSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    set: headerMap,
    add_if_missing: headerMap,
    remove: headerNames,
  },
} as const;

const upstreamRef = { type: "string", minLength: 1, maxLength: 64, description: "upstream id or name" } as const;

/** `canary`: weighted split in percent (the rest stays on the route's upstream), overrides, stickiness. */
export const canaryConfigSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    splits: {
      type: "array",
      maxItems: 16,
      items: {
        type: "object",
        required: ["upstream", "weight"],
        additionalProperties: false,
        properties: {
          upstream: upstreamRef,
          weight: {
            type: "number",
            minimum: 0,
            maximum: 100,
            description: "percent of the route's requests, at most two decimals (0.25 = a quarter of a percent)",
          },
        },
      },
    },
    overrides: {
      type: "array",
      maxItems: 32,
      items: {
        type: "object",
        required: ["upstream"],
        additionalProperties: false,
        properties: {
          header: headerName,
          cookie: { type: "string", pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$", description: "a cookie name" },
          value: { type: "string", minLength: 1, maxLength: 1024 },
          regex: { type: "string", minLength: 1, maxLength: 256, description: "ECMAScript regular expression" },
          upstream: upstreamRef,
        },
      },
    },
    sticky: {
      anyOf: [
        { type: "string", enum: ["client_address"] },
        { type: "object", required: ["header"], additionalProperties: false, properties: { header: headerName } },
        {
          type: "object",
          required: ["cookie"],
          additionalProperties: false,
          properties: { cookie: { type: "string", pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$" } },
        },
      ],
    },
  },
} as const;

/** `mirror`: shadow traffic to another upstream. */
export const mirrorConfigSchema = {
  type: "object",
  required: ["upstream", "fraction"],
  additionalProperties: false,
  properties: {
    upstream: upstreamRef,
    fraction: { type: "number", exclusiveMinimum: 0, maximum: 1, description: "share of requests mirrored, 0..1" },
    max_body_bytes: { type: "integer", minimum: 0, maximum: 16 * 1024 * 1024 },
    timeout_ms: { type: "integer", minimum: 1, maximum: 60_000 },
    max_in_flight: { type: "integer", minimum: 1, maximum: 10_000 },
  },
} as const;

/** The traffic-protection and traffic-management policy types, each with the schema of its `config`. */
export const TRAFFIC_POLICY_CONFIG_SCHEMAS = {
  "ip-restriction": ipRestrictionConfigSchema,
  "rate-limit": rateLimitConfigSchema,
  "request-size": requestSizeConfigSchema,
  cors: corsConfigSchema,
  headers: headersConfigSchema,
  canary: canaryConfigSchema,
  mirror: mirrorConfigSchema,
} as const;

/** Policy types that act on one route's upstream choice: never global, at most one of each per route. */
export const ROUTE_ONLY_POLICY_TYPES: readonly string[] = ["canary", "mirror"];

/** Body of `PUT /v1/settings`: snapshot-wide settings. */
export const settingsSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    global_policies: {
      type: "array",
      maxItems: 32,
      items: { type: "string", minLength: 1, maxLength: 64, description: "policy id or name" },
    },
    merge_slashes: { type: "boolean" },
    max_body_bytes: {
      type: "integer",
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description:
        "request body limit of routes without their own, bytes; 0 = none; unset = each node's --max-body-bytes",
    },
  },
} as const;
