import { gt } from "./gt.js";
import { operatorTable } from "./operator-test-kit.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "gt".
operatorTable("gt", gt, [
  ["5", "6", true],
  ["5", "5", false],
  ["0", "x", false],
]);
