import { Ajv, type ValidateFunction } from "ajv";
import { DomainError } from "../errors.js";

/** One Ajv error, as fastify's validator and {@link compileBodySchema} report them. */
export interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: { description?: string };
}

/** A human sentence for one Ajv error, without regexes or schema jargon. */
function describe(e: AjvError): string {
  switch (e.keyword) {
    case "required":
      return "is required";
    case "additionalProperties":
      return "is not a known field";
    case "enum":
      return `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}${e.parentSchema?.description ? ` (${e.parentSchema.description})` : ""}`;
    case "pattern":
    case "format":
      return `has an invalid format${e.parentSchema?.description ? ` (${e.parentSchema.description})` : ""}`;
    case "anyOf":
    case "oneOf":
      return `does not match any accepted form${e.parentSchema?.description ? ` (${e.parentSchema.description})` : ""}`;
    default:
      return e.message ?? "is invalid";
  }
}

/** `/targets/0/port` + missing `host` → `targets.0.host`. */
function fieldOf(e: AjvError): string {
  const parts = e.instancePath.split("/").filter(Boolean);
  if (e.keyword === "required") parts.push(String(e.params.missingProperty));
  if (e.keyword === "additionalProperties") parts.push(String(e.params.additionalProperty));
  return parts.join(".");
}

/**
 * The API's 400 for schema errors: the first error (if/then failures are reported after the inner
 * error) as a sentence naming the field (`targets.0.port must be <= 65535`).
 * @param where `body`, `querystring`, `params`: named when the field is the whole value
 */
export function validationError(errors: readonly AjvError[], where = "body"): DomainError {
  const first = errors.find((e) => e.keyword !== "if") ?? errors[0]!;
  const field = fieldOf(first);
  const subject = field || (where === "body" ? "the body" : where);
  return new DomainError("VALIDATION_FAILED", `${subject} ${describe(first)}`, field || where);
}

// The options of the admin API's own Ajv (server.ts): no coercion ("80" is no port), no removal
// of unknown fields, errors with their schema (for descriptions).
const ajv = new Ajv({ removeAdditional: false, allErrors: false, coerceTypes: false, verbose: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * Validates a body against a route's JSON Schema outside a request (a sync file, an offline
 * `palisadectl validate`), with the API's Ajv options and error wording.
 * @throws DomainError VALIDATION_FAILED naming the field
 */
export function checkBodySchema(schema: object, body: unknown): void {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(body)) throw validationError(validate.errors as AjvError[]);
}
