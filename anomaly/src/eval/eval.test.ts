import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resultLines, score } from "./score.js";
import { SMALL_EVAL, simulate } from "./simulate.js";

describe("evaluation harness (small seeded run)", () => {
  it("meets the targets: precision and recall ≥ 0.95 per kind, stuffing found within 10 s, ≤ 1 false detection per million", () => {
    const run = simulate(SMALL_EVAL);
    const s = score(run);
    const lines = resultLines(s);
    assert.equal(lines.length, 7);
    for (const k of s.kinds) {
      assert.ok(k.instances > 0, `${k.kind}: no attack injected`);
      assert.ok(k.precision >= 0.95, `${k.kind} precision ${k.precision}`);
      assert.ok(k.recall >= 0.95, `${k.kind} recall ${k.recall}: missed ${s.missed.map((a) => a.variant).join(", ")}`);
    }
    const stuffing = s.kinds.find((k) => k.kind === "credential_stuffing")!;
    assert.ok(stuffing.ttdMaxS <= 10, `credential stuffing detected after ${stuffing.ttdMaxS} s`);
    assert.ok(s.falsePerMillion <= 1, `${s.falseDetections} false: ${s.falses.map((d) => d.explanation).join("; ")}`);
    assert.ok(run.normalRequests > 200_000);
    assert.equal(run.dropped, 0);
    // The clock of node 1 jumped twice and the 30,000-address burst went through: nothing grew.
    assert.equal(run.nodes[1]!.clockJumps, 2);
    assert.ok(run.nodes.every((n) => n.clientsTracked <= 131_072));
  });
});
