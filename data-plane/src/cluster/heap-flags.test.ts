import assert from "node:assert/strict";
import { test } from "node:test";
import { semiSpaceFlagGiven, workerExecArgv } from "./heap-flags.js";

test("workers get the semi-space flag after the primary's own node flags", () => {
  assert.deepEqual(workerExecArgv(8, ["--enable-source-maps"], undefined), [
    "--enable-source-maps",
    "--max-semi-space-size=8",
  ]);
  assert.deepEqual(workerExecArgv(32, [], ""), ["--max-semi-space-size=32"]);
});

test("0 keeps node's default, and a flag the operator gave node wins", () => {
  assert.deepEqual(workerExecArgv(0, ["--inspect"], undefined), ["--inspect"]);
  assert.deepEqual(workerExecArgv(8, ["--max-semi-space-size=64"], undefined), ["--max-semi-space-size=64"]);
  assert.deepEqual(workerExecArgv(8, [], "--max-old-space-size=512 --max_semi_space_size=4"), []);
});

test("the flag is recognised in either spelling, in execArgv or NODE_OPTIONS", () => {
  assert.equal(semiSpaceFlagGiven(["--max-semi-space-size", "4"], undefined), true);
  assert.equal(semiSpaceFlagGiven([], "--max_semi_space_size=4"), true);
  assert.equal(semiSpaceFlagGiven(["--max-old-space-size=512"], "--trace-gc"), false);
});
