import type { OperatorFactory } from "./operator.js";
import { stringOperator } from "./string-compare.js";

/** `@contains text`: the value contains the argument, case-sensitively; macros expand (reference manual, "contains"). */
export const contains: OperatorFactory = (argument, env) =>
  stringOperator("contains", argument, env, (v, p) => v.includes(p));
