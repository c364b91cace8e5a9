import type { OperatorFactory } from "./operator.js";

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * `@validateUrlEncoding`: matches when the value has a `%` not followed by two hexadecimal
 * digits (a non-hex digit, or the value ends too early) (reference manual,
 * "validateUrlEncoding"; CRS rule 920220/920240).
 */
export const validateUrlEncoding: OperatorFactory = () => ({
  name: "validateUrlEncoding",
  evaluate(value) {
    let i = value.indexOf("%");
    while (i >= 0) {
      if (i + 2 >= value.length) return true;
      if (!isHex(value.charCodeAt(i + 1)) || !isHex(value.charCodeAt(i + 2))) return true;
      i = value.indexOf("%", i + 3);
    }
    return false;
  },
});
