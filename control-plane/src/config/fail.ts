import { DomainError } from "../errors.js";

/**
 * Throws the `VALIDATION_FAILED` error of a semantic check.
 * @param field the body field at fault, dotted (`config.limits.1.per`)
 */
export function fail(message: string, field: string): never {
  throw new DomainError("VALIDATION_FAILED", message, field);
}
