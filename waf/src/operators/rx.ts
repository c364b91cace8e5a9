import { WafError } from "../errors.js";
import { LinearRegex } from "../regex/linear-regex.js";
import { RegexUnsupportedError } from "../regex/pcre-parser.js";
import type { Operator, OperatorFactory, OperatorScope } from "./operator.js";

/**
 * `@rx pattern`: the PCRE pattern matches somewhere in the value (reference manual, "rx"). Runs
 * on RE2 (linear time) after a literal prefilter. With `capture`, TX:0 is the whole match and
 * TX:1–TX:9 the groups.
 * @throws WafError SECLANG_REGEX_UNSUPPORTED for a pattern no linear-time engine can run.
 */
export const rx: OperatorFactory = (argument) => {
  let re: LinearRegex;
  try {
    re = new LinearRegex(argument);
  } catch (e) {
    const reason = e instanceof RegexUnsupportedError ? e.message : (e as Error).message;
    throw new WafError("SECLANG_REGEX_UNSUPPORTED", `@rx: ${reason}`);
  }
  return rxOperator(re);
};

/** The @rx operator over an already compiled regex (shared by every rule with the same pattern). */
export function rxOperator(re: LinearRegex): Operator {
  const captured = (value: string, scope: OperatorScope): boolean => {
    // Groups only for a value that matches (most do not): exec costs more than test.
    const m = re.execWithoutPrefilter(value);
    if (m === null) return false;
    for (let i = 0; i < 10 && i < m.length; i++) scope.setCapture(i, m[i] ?? "");
    return true;
  };
  const op: Operator & { regex: LinearRegex } = {
    name: "rx",
    regex: re,
    evaluate(value, scope) {
      if (scope.reference === true) {
        if (!re.testWithoutPrefilter(value)) return false;
      } else if (!re.test(value, re.filtered ? scope.hits(value) : undefined)) return false;
      return scope.capture ? captured(value, scope) : true;
    },
    evaluateValue(value, scope) {
      if (!re.testValue(value)) return false;
      return scope.capture ? captured(value.s, scope) : true;
    },
  };
  if (re.filtered) op.prefilter = (hits) => re.prefilterPasses(hits);
  return op;
}
