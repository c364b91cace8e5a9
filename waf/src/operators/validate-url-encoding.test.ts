import { operatorTable } from "./operator-test-kit.js";
import { validateUrlEncoding } from "./validate-url-encoding.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "validateUrlEncoding".
operatorTable("validateUrlEncoding", validateUrlEncoding, [
  ["", "a%20b", false],
  ["", "a%2", true],
  ["", "a%zz", true],
  ["", "100%", true],
  ["", "plain", false],
]);
