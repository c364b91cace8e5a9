import { operatorTable } from "./operator-test-kit.js";
import { unconditionalMatch } from "./unconditional-match.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "unconditionalMatch".
operatorTable("unconditionalMatch", unconditionalMatch, [
  ["", "", true],
  ["", "anything", true],
]);
