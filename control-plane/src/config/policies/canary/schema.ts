import { headerToken, upstreamRef } from "../../schema-fields.js";

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
          header: headerToken,
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
        { type: "object", required: ["header"], additionalProperties: false, properties: { header: headerToken } },
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
