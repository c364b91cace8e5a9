import type { ByteString } from "../bytes.js";
import type { Operator, OperatorEnv } from "./operator.js";

/** A case-sensitive string operator whose argument may hold macros (`@streq %{tx.x}`). */
export function stringOperator(
  name: string,
  argument: string,
  env: OperatorEnv,
  test: (value: ByteString, param: ByteString) => boolean,
): Operator {
  const macro = env.macro(argument);
  const constant = macro.constant;
  return {
    name,
    evaluate(value, scope) {
      return test(value, constant ?? scope.expand(macro));
    },
  };
}
