import type { OperatorFactory } from "./operator.js";

/** `@unconditionalMatch`: always matches (reference manual, "unconditionalMatch"). */
export const unconditionalMatch: OperatorFactory = () => ({ name: "unconditionalMatch", evaluate: () => true });

/** `@noMatch`: never matches (reference manual, "noMatch"). */
export const noMatch: OperatorFactory = () => ({ name: "noMatch", evaluate: () => false });
