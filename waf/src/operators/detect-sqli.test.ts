import { detectSQLi } from "./detect-sqli.js";
import { operatorTable } from "./operator-test-kit.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "detectSQLi".
operatorTable("detectSQLi", detectSQLi, [
  ["", "1' OR '1'='1", true],
  ["", "-1 UNION SELECT password FROM users--", true],
  ["", "hello world", false],
  ["", "jane.doe@example.com", false],
]);
