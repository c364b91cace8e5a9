import { deepStrictEqual, throws } from "node:assert/strict";
import { test } from "node:test";
import { operatorTable, testEnv, testScope } from "./operator-test-kit.js";
import { pmFromFile } from "./pm-from-file.js";

const files = {
  "shells.data": "# comment\n\nbash\n/bin/sh\nPowerShell\n",
  "more.data": "nc -e\n",
};

// Rows: [files, value, matches?]. ModSecurity reference manual, "pmFromFile": one phrase per
// line, `#` comments and blank lines skipped, case-insensitive.
operatorTable(
  "pmFromFile",
  pmFromFile,
  [
    ["shells.data", "run /BIN/SH -c", true],
    ["shells.data", "powershell.exe", true],
    ["shells.data", "# comment", false],
    ["shells.data", "ba sh", false],
    ["shells.data more.data", "nc -e /bin/bash", true],
  ],
  testEnv(files),
);

test("@pmFromFile with capture sets TX:0 to the phrase found", () => {
  const scope = testScope({}, true);
  deepStrictEqual(pmFromFile("shells.data", testEnv(files)).evaluate("x PowerShell y", scope), true);
  deepStrictEqual(scope.captures[0], "powershell");
});

test("@pmFromFile names a file that cannot be read: SECLANG_DATA_FILE", () => {
  throws(() => pmFromFile("missing.data", testEnv(files)), { code: "SECLANG_DATA_FILE" });
});
