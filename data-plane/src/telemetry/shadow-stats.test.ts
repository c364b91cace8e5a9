import assert from "node:assert/strict";
import { test } from "node:test";
import { diffQuantileMs, ShadowStats } from "./shadow-stats.js";

test("a comparison disagrees when the status classes differ, not the statuses", () => {
  const stats = new ShadowStats();
  const c = stats.route("r1");
  c.compare(200, 204, 1);
  c.compare(404, 410, 1);
  c.compare(200, 500, 1);
  c.compare(502, 200, 1);
  c.drop("queue_full");
  c.drop("queue_full");
  c.drop("shadow_timeout");
  const [f] = stats.figures();
  assert.equal(f?.routeId, "r1");
  assert.deepEqual([f?.compared, f?.disagreed], [4, 2]);
  assert.deepEqual(f?.dropped, {
    queue_full: 2,
    body_too_large: 0,
    shadow_error: 0,
    shadow_timeout: 1,
    incomplete: 0,
  });
});

test("latency differences: mean and quantiles, negative ones too", () => {
  const stats = new ShadowStats();
  const c = stats.route("r");
  // 99 requests where the shadow is 1 s slower, one where it is 20 ms faster.
  for (let i = 0; i < 99; i++) c.compare(200, 200, 1000);
  c.compare(200, 200, -20);
  const [f] = stats.figures();
  assert.ok(Math.abs(f!.diffMeanMs - (99 * 1000 - 20) / 100) < 1e-9);
  assert.ok(f!.diffP50Ms > 800 && f!.diffP50Ms <= 1200, String(f!.diffP50Ms));
  assert.ok(f!.diffP99Ms > 800 && f!.diffP99Ms <= 1200, String(f!.diffP99Ms));
  const fast = new ShadowStats().route("f");
  for (let i = 0; i < 100; i++) fast.compare(200, 200, -30);
  const p50 = diffQuantileMs(fast.diffBuckets, 0.5);
  assert.ok(p50 <= -24 && p50 >= -36, String(p50));
  assert.equal(diffQuantileMs(new Float64Array(fast.diffBuckets.length), 0.99), 0, "nothing compared");
});

test("figures list routes by id", () => {
  const stats = new ShadowStats();
  stats.route("b").drop("incomplete");
  stats.route("a").mirrored++;
  assert.deepEqual(
    stats.figures().map((f) => f.routeId),
    ["a", "b"],
  );
});
