import { headerToken } from "../../schema-fields.js";

/** Config of a `rate-limit` policy: limits per period, the key, local or cluster (Redis) counting. */
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
          { type: "object", required: ["header"], additionalProperties: false, properties: { header: headerToken } },
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
