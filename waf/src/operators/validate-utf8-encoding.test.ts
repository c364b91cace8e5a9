import { operatorTable } from "./operator-test-kit.js";
import { validateUtf8Encoding } from "./validate-utf8-encoding.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "validateUtf8Encoding".
operatorTable("validateUtf8Encoding", validateUtf8Encoding, [
  ["", "plain", false],
  ["", "\u00c3\u00a9", false],
  ["", "\u00c0\u00af", true],
  ["", "\u00e2\u0082", true],
  ["", "\u00ff", true],
  ["", "\u00f0\u009f\u0098\u0080", false],
  ["", "\u00ed\u00a0\u0080", true],
]);
