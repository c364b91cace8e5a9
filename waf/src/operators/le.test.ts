import { le } from "./le.js";
import { operatorTable } from "./operator-test-kit.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "le".
operatorTable("le", le, [
  ["2", "2", true],
  ["2", "3", false],
]);
