import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { HealthCheckSchema } from "@palisade/proto";
import { TargetHealth, type UpstreamHealth } from "./target-health.js";
import { resolvePassive } from "./upstream-settings.js";

function upstream(n: number, maxEjectionPercent = 50): UpstreamHealth {
  const passive = resolvePassive(
    create(HealthCheckSchema, {
      passive: { consecutive5xx: 3, consecutiveConnectFailures: 2, baseEjectionMs: 60_000, maxEjectionPercent },
    }),
  );
  return {
    resource: "upstream/u",
    targets: Array.from({ length: n }, (_, i) => new TargetHealth(`http://t${i}`)),
    passive,
  };
}

test("consecutive failures eject; a success in between restarts the streak", () => {
  const u = upstream(4);
  const t = u.targets[0]!;
  t.recordFailure("gateway", u);
  t.recordFailure("gateway", u);
  t.recordSuccess();
  t.recordFailure("gateway", u);
  t.recordFailure("gateway", u);
  assert.equal(t.available, true, "the streak restarted");
  t.recordFailure("gateway", u);
  assert.equal(t.ejected, true);
  assert.equal(t.available, false);
  t.unEject();
  assert.equal(t.available, true);
  const c = u.targets[1]!;
  c.recordFailure("connect", u);
  c.recordFailure("connect", u);
  assert.equal(c.ejected, true, "two connect failures");
  for (const x of u.targets) x.dispose();
});

test("never more than max_ejection_percent of the targets are ejected, but always one may be", () => {
  const u = upstream(4, 50);
  for (const t of u.targets) for (let i = 0; i < 3; i++) t.recordFailure("gateway", u);
  assert.equal(u.targets.filter((t) => t.ejected).length, 2);
  const single = upstream(1, 10);
  for (let i = 0; i < 3; i++) single.targets[0]!.recordFailure("gateway", single);
  assert.equal(single.targets[0]!.ejected, true, "at least one target may be ejected");
  for (const t of [...u.targets, ...single.targets]) t.dispose();
});

test("passive detection off ejects nothing; active checks use their thresholds", () => {
  const t = new TargetHealth("http://t");
  const off: UpstreamHealth = { resource: "upstream/u", targets: [t], passive: null };
  for (let i = 0; i < 10; i++) t.recordFailure("gateway", off);
  assert.equal(t.available, true);
  t.recordProbe(false, 2, 2);
  assert.equal(t.available, true);
  t.recordProbe(false, 2, 2);
  assert.equal(t.activeFailed, true);
  t.recordProbe(true, 2, 2);
  assert.equal(t.available, false);
  t.recordProbe(true, 2, 2);
  assert.equal(t.available, true);
  t.recordProbe(false, 2, 2);
  t.clearActive();
  assert.equal(t.available, true);
});
