import { lt } from "./lt.js";
import { operatorTable } from "./operator-test-kit.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "lt".
operatorTable("lt", lt, [
  ["2", "1", true],
  ["2", "2", false],
  ["%{tx.blocking_paranoia_level}", "1", true, { blocking_paranoia_level: "2" }],
]);
