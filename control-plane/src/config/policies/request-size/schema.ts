const limit = { type: "integer", minimum: 0, maximum: 2_147_483_647 } as const;

/** Config of a `request-size` policy: limits of a request's body, headers, URL and query (0 = none). */
export const requestSizeConfigSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    max_body_bytes: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    max_header_bytes: limit,
    max_headers: limit,
    max_url_bytes: limit,
    max_query_params: limit,
  },
} as const;
