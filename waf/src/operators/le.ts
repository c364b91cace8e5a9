import { numericOperator } from "./numeric.js";
import type { OperatorFactory } from "./operator.js";

/** `@le n`: the value, read as an integer (atoi), is less than or equal to n (reference manual, "le"). */
export const le: OperatorFactory = (argument, env) => numericOperator("le", argument, env, (v, p) => v <= p);
