import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { API_ERRORS } from "./errors.js";

test("the README's error table lists exactly the registry, with the same statuses", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
  assert.deepEqual(
    rows.sort(),
    Object.entries(API_ERRORS)
      .map(([code, e]) => [code, e.status])
      .sort(),
  );
});
