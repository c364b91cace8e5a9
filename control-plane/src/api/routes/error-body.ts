/**
 * JSON schema of an admin API error response (`{error: {code, message, field?}}`), for a route's
 * `response` schema beside its success body: `code` is from the registry in errors.ts, `field`
 * names the input at fault.
 */
export const errorBody = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: { code: { type: "string" }, message: { type: "string" }, field: { type: "string" } },
    },
  },
} as const;
