import { numericOperator } from "./numeric.js";
import type { OperatorFactory } from "./operator.js";

/** `@lt n`: the value, read as an integer (atoi), is less than n (reference manual, "lt"). */
export const lt: OperatorFactory = (argument, env) => numericOperator("lt", argument, env, (v, p) => v < p);
