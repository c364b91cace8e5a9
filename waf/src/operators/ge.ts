import { numericOperator } from "./numeric.js";
import type { OperatorFactory } from "./operator.js";

/** `@ge n`: the value, read as an integer (atoi), is greater than or equal to n (reference manual, "ge"). */
export const ge: OperatorFactory = (argument, env) => numericOperator("ge", argument, env, (v, p) => v >= p);
