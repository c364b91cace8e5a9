import { headerToken, headerTokens } from "../../schema-fields.js";

const headerMap = {
  type: "object",
  maxProperties: 50,
  propertyNames: headerToken,
  additionalProperties: { type: "string", maxLength: 4096 },
} as const;

/** Config of a `headers` policy: response headers set, added when missing, removed. */
export const headersConfigSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    set: headerMap,
    add_if_missing: headerMap,
    remove: headerTokens,
  },
} as const;
