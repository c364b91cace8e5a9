import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { TRANSFORMATIONS } from "./index.js";

const rulesDir = new URL("../../third_party/coreruleset/rules/", import.meta.url);

test("every transformation the vendored CRS uses is in the registry (t:none is the engine's)", () => {
  const used = new Set<string>();
  for (const file of readdirSync(rulesDir).filter((f) => f.endsWith(".conf"))) {
    for (const line of readFileSync(new URL(file, rulesDir), "utf8").split("\n")) {
      if (line.trimStart().startsWith("#")) continue;
      for (const m of line.matchAll(/\bt:([A-Za-z0-9]+)/g)) used.add(m[1]!.toLowerCase());
    }
  }
  assert.ok(used.size >= 20, `CRS uses ${used.size} transformations`);
  const missing = [...used].filter((name) => name !== "none" && !TRANSFORMATIONS.has(name));
  assert.deepEqual(missing, []);
  assert.equal(TRANSFORMATIONS.has("none"), false);
});

test("names are keyed in lower case and both spellings of normalisePath resolve", () => {
  for (const name of TRANSFORMATIONS.keys()) assert.equal(name, name.toLowerCase());
  assert.equal(TRANSFORMATIONS.get("normalisepath"), TRANSFORMATIONS.get("normalizepath"));
  assert.equal(TRANSFORMATIONS.get("normalisepathwin"), TRANSFORMATIONS.get("normalizepathwin"));
  assert.equal(TRANSFORMATIONS.get("urldecodeuni")?.("%u0041"), "A");
});

test("no transformation throws or leaves the byte range on any single byte or on every byte at once", () => {
  let all = "";
  for (let c = 0; c < 256; c++) all += String.fromCharCode(c);
  const inputs = [all, `${all}${all}`, "%", "\\", "&#", "/*", "0x", "&#x", "\\u", "%u"];
  for (let c = 0; c < 256; c++) inputs.push(String.fromCharCode(c));
  for (const [name, fn] of TRANSFORMATIONS) {
    for (const input of inputs) {
      const out = fn(input);
      assert.equal(typeof out, "string", name);
      for (let i = 0; i < out.length; i++) assert.ok(out.charCodeAt(i) < 256, `${name} output is a byte string`);
    }
  }
});
