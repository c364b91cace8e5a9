import assert from "node:assert/strict";
import { test } from "node:test";
import type { Subject } from "./detection.js";
import { OpenDetections } from "./episodes.js";

const route: Subject = { type: "route", id: "login" };
const client: Subject = { type: "address", id: "203.0.113.7" };

/**
 * Evaluates a route rule every 5 s (as the fleet view does) from `from` to `to` (ms); `score(t)`
 * is observed ÷ threshold, the rule holding when ≥ 1. Returns the times reported.
 */
function run(o: OpenDetections, from: number, to: number, score: (t: number) => number): number[] {
  const reports: number[] = [];
  for (let t = from; t < to; t += 5000) {
    o.miss("credential_stuffing", route, t);
    const s = score(t);
    if (s >= 1 && o.hit("credential_stuffing", route, t, s)) reports.push(t);
  }
  return reports;
}

test("one long attack is one detection, whatever its score does above the threshold", () => {
  const o = new OpenDetections();
  assert.deepEqual(
    run(o, 0, 1_200_000, (t) => 3 + 2 * Math.sin(t / 20_000)),
    [0],
  );
});

test("a second run that starts once the first one's window has drained is a new detection", () => {
  const o = new OpenDetections();
  // Run 1 from 0 s; its 60 s window drains below the threshold at 150 s; run 2 rises at 165 s
  // (15 s later, long before the 2 min re-arm time).
  const reports = run(o, 0, 400_000, (t) =>
    t < 90_000 ? 10 : t < 150_000 ? 1 + (150_000 - t) / 10_000 : t < 165_000 ? 0.5 : Math.min(10, (t - 160_000) / 5000),
  );
  assert.deepEqual(reports, [0, 170_000]);
});

test("an attack hovering at the threshold, its window flapping above and below, stays one detection", () => {
  const o = new OpenDetections();
  // 20 s above (score 1.1-1.5), 15 s below, for 20 minutes.
  const reports = run(o, 0, 1_200_000, (t) => (t % 35_000 < 20_000 ? 1.1 + (t % 20_000) / 50_000 : 0.8));
  assert.deepEqual(reports, [0]);
});

test("a dip shorter than the drop time is the same attack", () => {
  const o = new OpenDetections();
  assert.deepEqual(
    run(o, 0, 300_000, (t) => (t >= 60_000 && t < 65_000 ? 0.5 : 8)),
    [0],
  );
});

test("a client rule needs the full re-arm time after it was quiet", () => {
  const o = new OpenDetections();
  assert.equal(o.hit("brute_force", client, 0, 9), true);
  o.miss("brute_force", client, 10_000);
  assert.equal(o.hit("brute_force", client, 90_000, 9), false, "70 s later, however strong: the same episode");
  o.miss("brute_force", client, 95_000);
  assert.equal(o.hit("brute_force", client, 216_000), true, "quiet for over 2 min: a new episode");
});
