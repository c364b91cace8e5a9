import { detectXSS } from "./detect-xss.js";
import { operatorTable } from "./operator-test-kit.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "detectXSS".
operatorTable("detectXSS", detectXSS, [
  ["", "<script>alert(1)</script>", true],
  ["", "<img src=x onerror=alert(1)>", true],
  ["", "a < b and c > d", false],
  ["", "hello", false],
]);
