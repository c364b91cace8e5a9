import { operatorTable } from "./operator-test-kit.js";
import { pm } from "./pm.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "pm".
operatorTable("pm", pm, [
  ["select union", "xx UNION yy", true],
  ["select union", "selec", false],
  ["<script", "a<SCRIPT>", true],
  ["abc", "", false],
]);
