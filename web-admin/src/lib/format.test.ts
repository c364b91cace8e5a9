/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { ago, fromNow, ms, pct, rate } from "./format.ts";

test("figures read as operators expect", () => {
  const now = Date.parse("2026-01-01T00:10:00Z");
  assert.equal(ago("2026-01-01T00:09:30Z", now), "30 s ago");
  assert.equal(ago("2026-01-01T00:05:00Z", now), "5 min ago");
  assert.equal(ago(null, now), "—");
  assert.equal(fromNow("2026-01-01T00:15:00Z", now), "in 5 min");
  assert.equal(pct(0.0123), "1.23 %");
  assert.equal(pct(0), "0 %");
  assert.equal(pct(0.00001), "<0.01 %");
  assert.equal(rate(1234), "1.2k");
  assert.equal(rate(12.34), "12.3");
  assert.equal(ms(0.84), "0.8 ms");
  assert.equal(ms(1500), "1.5 s");
});
