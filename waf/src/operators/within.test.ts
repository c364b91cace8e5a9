import { operatorTable } from "./operator-test-kit.js";
import { within } from "./within.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "within".
operatorTable("within", within, [
  ["GET HEAD POST OPTIONS", "POST", true],
  ["GET HEAD POST OPTIONS", "DELETE", false],
  ["%{tx.allowed_methods}", "PUT", true, { allowed_methods: "GET PUT" }],
]);
