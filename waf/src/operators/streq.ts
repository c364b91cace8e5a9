import type { OperatorFactory } from "./operator.js";
import { stringOperator } from "./string-compare.js";

/** `@streq text`: the value equals the argument, case-sensitively; macros expand (reference manual, "streq"). */
export const streq: OperatorFactory = (argument, env) => stringOperator("streq", argument, env, (v, p) => v === p);
