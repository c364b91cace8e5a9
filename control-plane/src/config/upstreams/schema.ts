import { count, hostname, ms, name, token } from "../schema-fields.js";
import { timeoutsSchema } from "../timeouts.js";

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
    timeouts: timeoutsSchema,
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
