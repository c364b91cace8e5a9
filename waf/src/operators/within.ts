import type { OperatorFactory } from "./operator.js";
import { stringOperator } from "./string-compare.js";

/**
 * `@within list`: the value occurs within the argument (a substring of it), case-sensitively;
 * macros expand (reference manual, "within"). CRS matches REQUEST_METHOD against
 * `%{tx.allowed_methods}` this way (rule 911100).
 */
export const within: OperatorFactory = (argument, env) =>
  stringOperator("within", argument, env, (v, p) => p.includes(v));
