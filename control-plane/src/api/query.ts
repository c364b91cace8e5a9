import { DomainError } from "../errors.js";

/**
 * JSON Schema of a decimal integer query parameter. Query values are strings and
 * the API's Ajv does not coerce types (so a body's `"80"` is no port): numbers in
 * the query are matched as digits here and converted by `queryInt`.
 */
export const digits = { type: "string", pattern: "^[0-9]{1,15}$" } as const;

/**
 * The integer value of query parameter `name`, or undefined when absent.
 * @throws DomainError VALIDATION_FAILED naming the parameter when it is outside [min, max].
 */
export function queryInt(query: unknown, name: string, min: number, max: number): number | undefined {
  const raw = (query as Record<string, string | undefined>)[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new DomainError("VALIDATION_FAILED", `${name} must be an integer from ${min} to ${max}`, name);
  return n;
}
