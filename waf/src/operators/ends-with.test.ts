import { endsWith } from "./ends-with.js";
import { operatorTable } from "./operator-test-kit.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "endsWith".
operatorTable("endsWith", endsWith, [
  [".pdf", "file.pdf", true],
  [".pdf", "file.pdf.exe", false],
]);
