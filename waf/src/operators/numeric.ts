import type { Macro } from "../compile/macro.js";
import type { Operator, OperatorEnv, OperatorScope } from "./operator.js";

/**
 * C's atoi(): optional leading white space and sign, then decimal digits; anything else ends the
 * number, and no digits is 0. ModSecurity's numeric operators read both sides this way.
 */
export function atoi(text: string): number {
  let i = 0;
  const n = text.length;
  while (
    i < n &&
    (text[i] === " " ||
      text[i] === "\t" ||
      text[i] === "\n" ||
      text[i] === "\r" ||
      text[i] === "\v" ||
      text[i] === "\f")
  )
    i++;
  let sign = 1;
  if (text[i] === "+" || text[i] === "-") {
    if (text[i] === "-") sign = -1;
    i++;
  }
  let v = 0;
  for (; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  return sign * v;
}

/** A numeric comparison operator whose argument may hold macros (`@lt %{tx.max}`). */
export function numericOperator(
  name: string,
  argument: string,
  env: OperatorEnv,
  compare: (value: number, param: number) => boolean,
): Operator {
  const macro: Macro = env.macro(argument.trim());
  const constant = macro.constant === null ? null : atoi(macro.constant);
  return {
    name,
    evaluate(value: string, scope: OperatorScope) {
      const param = constant ?? atoi(scope.expand(macro));
      return compare(atoi(value), param);
    },
  };
}
