import { name, path, policyRef } from "../schema-fields.js";
import { timeoutsSchema } from "../timeouts.js";
import { actionSchemas } from "./action.js";
import { conditionSchemas, patternPathSchemas } from "./match.js";

/** A request body limit in bytes; 0 = no limit. */
const bodyBytes = {
  type: "integer",
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: "request body limit in bytes when no request-size policy sets one; 0 = no limit",
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
      items: policyRef,
    },
    strip_prefix: { type: "boolean" },
    prefix_rewrite: path,
    preserve_host: { type: "boolean" },
    timeouts: timeoutsSchema,
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
