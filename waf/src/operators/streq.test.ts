import { operatorTable } from "./operator-test-kit.js";
import { streq } from "./streq.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "streq".
operatorTable("streq", streq, [
  ["POST", "POST", true],
  ["POST", "post", false],
  ["%{tx.m}", "GET", true, { m: "GET" }],
]);
