import { policyRef } from "../../schema-fields.js";

/** Config of an `auth-any` policy: the authentication policies of which one must pass. */
export const authAnyConfigSchema = {
  type: "object",
  required: ["policies"],
  additionalProperties: false,
  properties: {
    policies: {
      type: "array",
      minItems: 1,
      maxItems: 8,
      uniqueItems: true,
      items: policyRef,
    },
  },
} as const;
