/**
 * JSON Schema pieces (draft-07, fastify's Ajv) shared by the resource and policy schemas of the
 * admin API. `additionalProperties: false` everywhere they are objects: a misspelt field is an
 * error, not a silent default.
 */

/** A resource name: unique per kind. */
export const name = {
  type: "string",
  pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
  description: "unique per kind; letters, digits, '.', '_' and '-'; at most 64 characters",
} as const;

/** A DNS name, an IPv4 address or a bracket-less IPv6 address. */
export const hostname = {
  type: "string",
  minLength: 1,
  maxLength: 253,
  pattern:
    "^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]+)$",
} as const;

/** A duration in ms, 1 ms to 1 h. */
export const ms = { type: "integer", minimum: 1, maximum: 3_600_000 } as const;

/** An integer from 1 to `max`. */
export const count = (max: number) => ({ type: "integer", minimum: 1, maximum: max }) as const;

/** A duration in seconds, 1 s to `max`. */
export const seconds = (max: number) => ({ type: "integer", minimum: 1, maximum: max }) as const;

/** An RFC 9110 token (header and cookie names). */
export const token = {
  type: "string",
  minLength: 1,
  maxLength: 128,
  pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
} as const;

/** A canonical request path (checked further by routes/validate.ts). */
export const path = {
  type: "string",
  minLength: 1,
  maxLength: 1024,
  pattern: "^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$",
} as const;

/** An HTTP header name of an authentication policy. */
export const headerName = { type: "string", pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$" } as const;

/** A query parameter name. */
export const paramName = { type: "string", pattern: "^[A-Za-z0-9._~-]{1,128}$" } as const;

/** An http(s) URL. */
export const httpUrl = { type: "string", maxLength: 2048, pattern: "^https?://[^\\s]+$" } as const;

/** A list of up to 32 strings (issuers, audiences). */
export const stringList = {
  type: "array",
  maxItems: 32,
  items: { type: "string", minLength: 1, maxLength: 2048 },
} as const;

/** A reference to a policy by id or name. */
export const policyRef = { type: "string", minLength: 1, maxLength: 64, description: "policy id or name" } as const;

/** A reference to an upstream by id or name. */
export const upstreamRef = { type: "string", minLength: 1, maxLength: 64, description: "upstream id or name" } as const;

/** An HTTP header name (RFC 9110 token) of a traffic policy. */
export const headerToken = {
  type: "string",
  pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$",
  description: "an HTTP header name (RFC 9110 token)",
} as const;

/** A list of distinct header names. */
export const headerTokens = { type: "array", maxItems: 100, uniqueItems: true, items: headerToken } as const;
