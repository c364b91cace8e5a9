import { numericOperator } from "./numeric.js";
import type { OperatorFactory } from "./operator.js";

/** `@eq n`: the value, read as an integer (atoi), is equal to n (reference manual, "eq"). */
export const eq: OperatorFactory = (argument, env) => numericOperator("eq", argument, env, (v, p) => v === p);
