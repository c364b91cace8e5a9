/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffMs } from "./poll.ts";

test("poll backoff doubles per failure from the interval, caps at 30 s, jitters ±20 %", () => {
  assert.equal(backoffMs(1, 2000, 0.5), 4000);
  assert.equal(backoffMs(2, 2000, 0.5), 8000);
  assert.equal(backoffMs(10, 2000, 0.5), 30_000);
  assert.equal(backoffMs(1, 2000, 0), 3200);
  assert.equal(backoffMs(1, 2000, 1), 4800);
});
