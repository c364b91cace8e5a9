import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { SINK_CONFIG_ERRORS } from "./errors.js";

describe("error registry", () => {
  it("the README's error table lists exactly the registry's codes, in its order", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const table = readme.slice(readme.indexOf("| code | when |"));
    const codes = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual(codes, Object.keys(SINK_CONFIG_ERRORS));
  });
});
