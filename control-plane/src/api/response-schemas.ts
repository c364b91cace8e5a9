/**
 * JSON Schemas of the admin API's answers, for a route's `schema.response`: fastify serializes
 * the answer with them (fast-json-stringify) and @fastify/swagger puts them in the OpenAPI
 * document, from which the web admin's types are generated. fast-json-stringify writes only
 * the members a schema lists unless the object allows more: every object here allows more
 * (`additionalProperties: true`), so an answer is never cut short by its description; the test
 * harness (test/admin-app.ts) checks every answer of the unit tests against what JSON.stringify
 * writes of the handler's value.
 */

/** An object schema's members. */
type Properties = Record<string, object>;

/**
 * An admin API error (`{"error": {"code", "message", "field"?, …detail}}`): `code` is from the
 * registry in errors.ts, `field` names the input at fault, further members (`permission`,
 * `resource`, `removals`, `etag`, `rule`) depend on the code.
 */
export const errorBody = {
  type: "object",
  required: ["error"],
  additionalProperties: true,
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      additionalProperties: true,
      properties: {
        code: { type: "string", description: 'stable error code (control-plane/README.md "Error codes")' },
        message: { type: "string" },
        field: { type: "string", description: "dotted path of the field at fault" },
      },
    },
  },
} as const;

/** An object with these members (and possibly others), `required` ones always present. */
export function obj(properties: Properties, required: readonly string[] = [], description?: string): object {
  return {
    type: "object",
    additionalProperties: true,
    properties,
    ...(required.length > 0 ? { required } : {}),
    ...(description ? { description } : {}),
  };
}

/** Any JSON value (not described). */
export const anyValue = {} as const;
/** Any JSON object (members not described). */
export const anyObject = { type: "object", additionalProperties: true } as const;
/** A string, an integer, a number, a boolean; `nullable` adds null. */
export const str = { type: "string" } as const;
export const int = { type: "integer" } as const;
export const num = { type: "number" } as const;
export const bool = { type: "boolean" } as const;
export const nullable = (t: "string" | "integer" | "number" | "boolean" | "object", description?: string) =>
  ({
    type: [t, "null"],
    ...(t === "object" ? { additionalProperties: true } : {}),
    ...(description ? { description } : {}),
  }) as const;
/** An ISO 8601 timestamp. */
export const time = { type: "string", format: "date-time" } as const;
/** A list of `item`. */
export const list = (item: object) => ({ type: "array", items: item }) as const;
/** A map of string keys to `value`. */
export const mapOf = (value: object) => ({ type: "object", additionalProperties: value }) as const;

/** `{items, next}`: a page of a list; `next` is the URL of the following page, or null. */
export function pageOf(item: object, extra: Properties = {}): object {
  return obj(
    {
      items: list(item),
      next: nullable("string", "URL of the next page (same query, `after` set), or null at the end"),
      ...extra,
    },
    ["items", "next"],
  );
}

/** `{items}`: a whole list (not paged). */
export const itemsOf = (item: object, extra: Properties = {}): object =>
  obj({ items: list(item), ...extra }, ["items"]);

/** No body (204). */
export const noContent = { type: "null", description: "no body" } as const;

/** Keywords that constrain a request but mean nothing for an answer (or would change its serialization). */
const REQUEST_ONLY = new Set([
  "default",
  "pattern",
  "format",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "propertyNames",
  "if",
  "then",
  "else",
  "allOf",
  "not",
  "dependentRequired",
]);

/**
 * The answer form of a request body schema: the same members and descriptions, without what
 * only constrains input (patterns, bounds, defaults, conditional parts), every object open to
 * members the server adds (stored references as ids, redacted secrets stay strings).
 */
export function answerOf(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(answerOf);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (REQUEST_ONLY.has(k)) continue;
    if (k === "properties" || k === "patternProperties")
      out[k] = Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, answerOf(s)]));
    else if (k === "additionalProperties") out[k] = v === false ? true : answerOf(v);
    else if (k === "enum" || k === "const" || k === "required" || k === "description" || k === "type") out[k] = v;
    else out[k] = answerOf(v);
  }
  if (out.type === "object" && out.additionalProperties === undefined) out.additionalProperties = true;
  return out;
}

/**
 * A route's `schema.response`: the success answer under `status`, and the error body for every
 * 4xx and 5xx. `ok` may also be a full response object (`{description, content}`) for answers
 * that are not JSON.
 */
export function replies(ok: object, status: 200 | 201 | 202 | 204 | 302 = 200, more: Record<number, object> = {}) {
  return { [status]: ok, ...more, "4XX": errorBody, "5XX": errorBody };
}

/** `replies` for an answer that is 201 when something was created, 200 when it already was. */
export function createdOrOk(ok: object) {
  return { 200: ok, 201: ok, "4XX": errorBody, "5XX": errorBody };
}
