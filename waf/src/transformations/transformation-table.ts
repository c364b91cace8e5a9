import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ByteString } from "../bytes.js";
import type { Transformation } from "./transformation.js";

/** One row of a transformation's table: input bytes, expected output bytes, why the row exists. */
export type TransformationRow = readonly [input: ByteString, expected: ByteString, why: string];

/**
 * Runs a transformation's table as one node:test `describe` with a test per row, plus a check
 * that output is a byte string (every char code 0–255). Used by the `*.test.ts` files only.
 */
export function transformationTable(name: string, fn: Transformation, rows: readonly TransformationRow[]): void {
  describe(`t:${name}`, () => {
    for (const [input, expected, why] of rows) {
      test(why, () => {
        const out = fn(input);
        assert.equal(out, expected, `t:${name}(${JSON.stringify(input)})`);
        for (let i = 0; i < out.length; i++) assert.ok(out.charCodeAt(i) < 256, "output is a byte string");
      });
    }
  });
}
