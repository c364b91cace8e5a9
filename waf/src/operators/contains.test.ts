import { contains } from "./contains.js";
import { operatorTable } from "./operator-test-kit.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "contains".
operatorTable("contains", contains, [
  ["admin", "the administrator", true],
  ["admin", "ADMIN", false],
]);
