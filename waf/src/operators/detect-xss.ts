import { detectXSS as libinjectionXss } from "../libinjection/index.js";
import type { OperatorFactory } from "./operator.js";

/**
 * `@detectXSS`: libinjection's XSS verdict on the value (reference manual, "detectXSS"; CRS
 * 941100, 941101). The verdict on a value is kept on it for the rest of the transaction.
 */
export const detectXSS: OperatorFactory = () => ({
  name: "detectXSS",
  evaluate: (value) => libinjectionXss(value),
  evaluateValue(value, scope) {
    if (value.xss === 0 || scope.reference === true) value.xss = libinjectionXss(value.s) ? 2 : 1;
    return value.xss === 2;
  },
});
