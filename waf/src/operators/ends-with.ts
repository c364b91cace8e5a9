import type { OperatorFactory } from "./operator.js";
import { stringOperator } from "./string-compare.js";

/** `@endsWith text`: the value ends with the argument, case-sensitively; macros expand (reference manual, "endsWith"). */
export const endsWith: OperatorFactory = (argument, env) =>
  stringOperator("endsWith", argument, env, (v, p) => v.endsWith(p));
