import { detectXSS as libinjectionXss } from "../libinjection/index.js";
import type { OperatorFactory } from "./operator.js";

/** `@detectXSS`: libinjection's XSS verdict on the value (reference manual, "detectXSS"; CRS 941100, 941101). */
export const detectXSS: OperatorFactory = () => ({
  name: "detectXSS",
  evaluate: (value) => libinjectionXss(value),
});
