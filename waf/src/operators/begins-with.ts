import type { OperatorFactory } from "./operator.js";
import { stringOperator } from "./string-compare.js";

/** `@beginsWith text`: the value begins with the argument, case-sensitively; macros expand (reference manual, "beginsWith"). */
export const beginsWith: OperatorFactory = (argument, env) =>
  stringOperator("beginsWith", argument, env, (v, p) => v.startsWith(p));
