import { beginsWith } from "./begins-with.js";
import { operatorTable } from "./operator-test-kit.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "beginsWith".
operatorTable("beginsWith", beginsWith, [
  ["/api", "/api/v1", true],
  ["/api", "/v1/api", false],
]);
