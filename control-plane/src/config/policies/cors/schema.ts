import { headerTokens } from "../../schema-fields.js";

/** Config of a `cors` policy (Fetch standard, CORS protocol). */
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
    allow_headers: headerTokens,
    expose_headers: headerTokens,
    allow_credentials: { type: "boolean" },
    max_age_s: { type: "integer", minimum: 0, maximum: 86_400 },
  },
} as const;
