import { numericOperator } from "./numeric.js";
import type { OperatorFactory } from "./operator.js";

/** `@gt n`: the value, read as an integer (atoi), is greater than n (reference manual, "gt"). */
export const gt: OperatorFactory = (argument, env) => numericOperator("gt", argument, env, (v, p) => v > p);
