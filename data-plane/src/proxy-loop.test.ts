import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { FAIL_TO_PROXY, PHASES } from "./proxy-loop.js";
import { codeBlockAfter, readmeText, tableAfter } from "./test/readme.js";

const PHASE_NAME = /\b[a-z]+(?:_[a-z]+)+\b|\blogging\b/g;

/** Phase names in the order they first appear in `text`. */
function phaseNames(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(PHASE_NAME)) if (!names.includes(m[0])) names.push(m[0]);
  return names;
}

test("the README drawing lists the loop's phases, in order, and the error path", () => {
  const names = phaseNames(codeBlockAfter(readmeText(), "## Request lifecycle"));
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

test("the picture in docs/ names the same phases, in the same order", () => {
  const svg = readFileSync(new URL("../../docs/request-loop.svg", import.meta.url), "utf8");
  // The boxes' names: the bold text elements, in document order.
  const boxes = [...svg.matchAll(/<text class="name"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]!);
  const names = boxes.filter((b) => /^[a-z_]+$/.test(b));
  assert.ok(names.includes(FAIL_TO_PROXY), "the picture shows the error path");
  assert.deepEqual(
    names.filter((n) => n !== FAIL_TO_PROXY),
    [...PHASES],
  );
  const md = readFileSync(new URL("../../docs/request-loop.md", import.meta.url), "utf8");
  assert.deepEqual(
    phaseNames(md.slice(md.indexOf("- **"))).filter((n) => n !== FAIL_TO_PROXY),
    [...PHASES],
  );
});
