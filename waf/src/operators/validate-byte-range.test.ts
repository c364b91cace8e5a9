import { operatorTable } from "./operator-test-kit.js";
import { validateByteRange } from "./validate-byte-range.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "validateByteRange".
operatorTable("validateByteRange", validateByteRange, [
  ["1-255", "abc", false],
  ["1-255", "a\u0000b", true],
  ["9,10,13,32-126", "hello world", false],
  ["9,10,13,32-126", "caf\u00e9", true],
]);
