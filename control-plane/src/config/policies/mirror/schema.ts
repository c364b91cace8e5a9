import { upstreamRef } from "../../schema-fields.js";

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
