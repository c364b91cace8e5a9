import assert from "node:assert/strict";
import { test } from "node:test";
import { codeBlockAfter, readmeText, tableAfter } from "../test/readme.js";
import { FAIL_TO_PROXY, PHASES } from "./phases.js";

test("the README drawing lists the same phases, in the same order", () => {
  const drawing = codeBlockAfter(readmeText(), "## Request lifecycle");
  const names: string[] = [];
  for (const m of drawing.matchAll(/\b[a-z]+(?:_[a-z]+)+\b|\blogging\b/g)) {
    if (!names.includes(m[0])) names.push(m[0]);
  }
  assert.ok(names.includes(FAIL_TO_PROXY), "the drawing shows the error path");
  assert.deepEqual(
    names.filter((n) => n !== FAIL_TO_PROXY),
    [...PHASES],
  );
});

test("the README phase table lists the phases in order, then fail_to_proxy", () => {
  const rows = tableAfter(readmeText(), "## Request lifecycle");
  assert.deepEqual(
    rows.map((r) => r[0]?.replaceAll("`", "")),
    [...PHASES, FAIL_TO_PROXY],
  );
});
