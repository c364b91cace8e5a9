import { PHRASES } from "../regex/literal-index.js";
import { PrefilterProgram } from "../regex/prefilter-program.js";
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

/**
 * An operator that matches when a phrase of `phrases` occurs in the value. The phrases are also
 * literals of the shared literal index, whose scan of a value the engine keeps: "some phrase
 * occurs" is then read from the scan (exactly, both fold ASCII case), as the operator's
 * prefilter on whole targets and as its answer on a value; its own automaton only runs to name
 * the phrase for `capture`, and in reference mode.
 */
export function phraseOperator(name: string, phrases: readonly string[]): Operator {
  const matcher = new PhraseMatcher(phrases);
  const literals = matcher.phrases;
  const program = new PrefilterProgram(
    literals.length === 0
      ? false
      : literals.length === 1
        ? { kind: "lit", text: literals[0]! }
        : { kind: "or", items: literals.map((text) => ({ kind: "lit", text })) },
    PHRASES,
  );
  const capture = (value: string, scope: Parameters<Operator["evaluate"]>[1]): boolean => {
    const found = matcher.first(value);
    if (found === null) return false;
    if (scope.capture) scope.setCapture(0, found);
    return true;
  };
  return {
    name,
    evaluate: capture,
    evaluateValue(value, scope) {
      if (scope.reference === true || scope.capture) return capture(value.s, scope);
      return program.passes(value.hitsIn(PHRASES));
    },
    prefilter: (hits) => program.passes(hits),
    literalIndex: PHRASES,
  };
}
