import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../eval/rng.js";
import type { Contributor, Subject } from "./detection.js";
import { OpenDetections } from "./episodes.js";

const route: Subject = { type: "route", id: "login" };
const client: Subject = { type: "address", id: "203.0.113.7" };

/** `n` contributors named `prefix`0…, or a random pick of `n` out of `pool` of them. */
const rng = new Rng(16);

function set(prefix: string, n: number, pool = n): Contributor[] {
  const ids = new Set<number>();
  while (ids.size < n) ids.add(pool === n ? ids.size : rng.int(pool));
  return [...ids].map((i) => ({ subject: { type: "address", id: `${prefix}${i}` }, count: 5 }));
}

/** Evaluates the rule every 5 s from `from` to `to` (ms); `holds(t)` gives its contributors or null. */
function run(o: OpenDetections, from: number, to: number, holds: (t: number) => Contributor[] | null): number[] {
  const reports: number[] = [];
  for (let t = from; t < to; t += 5000) {
    o.miss("credential_stuffing", route, t);
    const c = holds(t);
    if (c !== null && o.hit("credential_stuffing", route, t, c)) reports.push(t);
  }
  return reports;
}

test("one long attack from a fixed set of addresses is one detection", () => {
  const o = new OpenDetections();
  // 200 addresses, the top 32 drawn anew at every evaluation, for 20 minutes.
  assert.deepEqual(
    run(o, 0, 1_200_000, () => set("a", 32, 200)),
    [0],
  );
});

test("an attacker who never reuses an address stays one detection", () => {
  const o = new OpenDetections();
  let next = 0;
  const reports = run(o, 0, 1_200_000, () =>
    Array.from({ length: 32 }, () => ({ subject: { type: "address" as const, id: `f${next++}` }, count: 1 })),
  );
  assert.deepEqual(reports, [0]);
});

test("a new set of addresses while the episode is open is a new detection", () => {
  const o = new OpenDetections();
  // First run 0-90 s; the second from other addresses starts at 130 s, before the rule dropped.
  const reports = run(o, 0, 400_000, (t) => {
    if (t < 130_000) return set("a", 32, 200);
    if (t < 145_000) return [...set("a", 24, 200), ...set("b", 8, 200)]; // the first run's decaying tail
    return set("b", 32, 200);
  });
  assert.equal(reports.length, 2, `reports at ${reports}`);
  assert.ok(reports[1]! >= 130_000 && reports[1]! <= 160_000, `second at ${reports[1]}`);
});

test("a route rule that rises again after a minute below its threshold is a new detection; a short dip is not", () => {
  const o = new OpenDetections();
  const c: Contributor[] = [];
  // Holds 0-60 s, dips 60-90 s (30 s), holds 90-200 s, drops 200-270 s (70 s), holds again.
  const reports = run(o, 0, 400_000, (t) => ((t >= 60_000 && t < 90_000) || (t >= 200_000 && t < 270_000) ? null : c));
  assert.deepEqual(reports, [0, 270_000]);
});

test("a client rule needs the full re-arm time after it was quiet", () => {
  const o = new OpenDetections();
  assert.equal(o.hit("brute_force", client, 0), true);
  o.miss("brute_force", client, 10_000);
  assert.equal(o.hit("brute_force", client, 90_000), false, "70 s later: the same episode");
  o.miss("brute_force", client, 95_000);
  assert.equal(o.hit("brute_force", client, 216_000), true, "quiet for over 2 min: a new episode");
});
