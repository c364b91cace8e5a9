import { detectSQLi as libinjectionSqli } from "../libinjection/index.js";
import type { OperatorFactory } from "./operator.js";

/**
 * `@detectSQLi`: libinjection's SQL injection verdict on the value (reference manual,
 * "detectSQLi"; CRS 942100, 942101). As in ModSecurity, a match with `capture` sets TX:0 to
 * libinjection's fingerprint (`s&1c`), which CRS logs as the matched data. The verdict on a value
 * is kept on it for the rest of the transaction.
 */
export const detectSQLi: OperatorFactory = () => ({
  name: "detectSQLi",
  evaluate(value, scope) {
    const r = libinjectionSqli(value);
    if (!r.sqli) return false;
    if (scope.capture) scope.setCapture(0, r.fingerprint);
    return true;
  },
  evaluateValue(value, scope) {
    let fingerprint = value.sqli;
    if (fingerprint === null || scope.reference === true) {
      const r = libinjectionSqli(value.s);
      fingerprint = r.sqli ? r.fingerprint : "";
      value.sqli = fingerprint;
    }
    if (fingerprint === "") return false;
    if (scope.capture) scope.setCapture(0, fingerprint);
    return true;
  },
});
