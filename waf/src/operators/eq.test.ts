import { eq } from "./eq.js";
import { operatorTable } from "./operator-test-kit.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "eq".
operatorTable("eq", eq, [
  ["0", "0", true],
  ["0", "", true],
  ["5", "5abc", true],
  ["5", "6", false],
  ["%{tx.n}", "3", true, { n: "3" }],
  ["-1", "-1", true],
]);
