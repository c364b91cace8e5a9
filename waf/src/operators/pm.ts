import type { Operator, OperatorFactory } from "./operator.js";
import { PhraseMatcher } from "./phrase-matcher.js";

/**
 * `@pm phrase1 phrase2 …`: any phrase occurs in the value, case-insensitively (reference manual,
 * "pm"; an Aho-Corasick automaton). With `capture`, TX:0 is the phrase found.
 */
export const pm: OperatorFactory = (argument) =>
  phraseOperator(
    "pm",
    argument.split(/[ \t]+/).filter((p) => p !== ""),
  );

/** An operator that matches when a phrase of `phrases` occurs in the value. */
export function phraseOperator(name: string, phrases: readonly string[]): Operator {
  const matcher = new PhraseMatcher(phrases);
  return {
    name,
    evaluate(value, scope) {
      const found = matcher.first(value);
      if (found === null) return false;
      if (scope.capture) scope.setCapture(0, found);
      return true;
    },
  };
}
