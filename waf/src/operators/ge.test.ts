import { ge } from "./ge.js";
import { operatorTable } from "./operator-test-kit.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "ge".
operatorTable("ge", ge, [
  ["5", "5", true],
  ["5", "4", false],
  ["5", "10", true],
  ["%{tx.max}", "7", true, { max: "7" }],
]);
