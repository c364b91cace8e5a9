import { headerName, paramName } from "../../schema-fields.js";

/** Config of an `api-key` policy: where the key is read (default: the node's header). */
export const apiKeyConfigSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    header: headerName,
    query_param: paramName,
  },
} as const;
