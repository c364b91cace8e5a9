import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ANOMALY_ERRORS, AnomalyError } from "./errors.js";

describe("error registry", () => {
  it("lists every code in the README's table, and no other", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const documented = [...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual(documented.sort(), Object.keys(ANOMALY_ERRORS).sort());
  });

  it("answers with a stable code and the field at fault", () => {
    const e = new AnomalyError("THRESHOLD_INVALID", "routes.login.bruteForce.ratio", "must be a number in 1..1000000");
    assert.deepEqual(e.toJSON(), {
      error: {
        code: "THRESHOLD_INVALID",
        message: "the detector threshold config is invalid: must be a number in 1..1000000",
        field: "routes.login.bruteForce.ratio",
      },
    });
  });
});
