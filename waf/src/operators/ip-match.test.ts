import { ipMatch } from "./ip-match.js";
import { operatorTable } from "./operator-test-kit.js";

// Rows: [argument, value (a byte string), matches?, TX variables for macros]. ModSecurity
// reference manual, "ipMatch".
operatorTable("ipMatch", ipMatch, [
  ["192.168.1.100,10.0.0.0/8", "10.2.3.4", true],
  ["192.168.1.100,10.0.0.0/8", "192.168.1.101", false],
  ["::1,2001:db8::/32", "2001:db8::5", true],
  ["127.0.0.1", "::ffff:127.0.0.1", true],
  ["127.0.0.1", "not an ip", false],
]);
