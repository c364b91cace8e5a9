import assert from "node:assert/strict";
import { test } from "node:test";
import { Backoff } from "./backoff.js";

test("the ceiling doubles from the base up to the cap; reset starts over", () => {
  const b = new Backoff({ baseMs: 250, capMs: 5000, random: () => 0.999999 });
  const seq = Array.from({ length: 7 }, () => b.next());
  assert.deepEqual(seq, [249, 499, 999, 1999, 3999, 4999, 4999]);
  b.reset();
  assert.equal(b.next(), 249);
});

test("full jitter: the delay is anywhere from 0 to the ceiling", () => {
  const b = new Backoff({ random: () => 0 });
  assert.equal(b.next(), 0);
  const c = new Backoff({ random: () => 0.5 });
  assert.equal(c.next(), 125);
});
