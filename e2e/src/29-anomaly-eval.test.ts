/**
 * The small seeded anomaly evaluation through real processes (issue 16 point 5): the part-1
 * generator's traffic replayed in real time against a real control plane and two real nodes; a
 * brute force and an enumeration among 300 normal users are found by the control plane's fleet
 * view, with no false detection. `npm run anomaly:eval` is the full run.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { resultLines } from "@palisade/anomaly";
import { realEval, SMALL_REAL_EVAL } from "./anomaly-eval/real-eval.js";

test("the small seeded evaluation through real processes finds every attack, with no false detection", async (t) => {
  const r = await realEval({ ...SMALL_REAL_EVAL, log: (l) => t.diagnostic(l) });
  for (const line of resultLines(r.score))
    if ([...SMALL_REAL_EVAL.kinds!].some((k) => line.includes(`kind=${k} `))) t.diagnostic(line);
  for (const kind of SMALL_REAL_EVAL.kinds!) {
    const k = r.score.kinds.find((x) => x.kind === kind)!;
    assert.equal(k.instances, 1, `${kind}: one attack replayed`);
    assert.equal(k.recall, 1, `${kind} missed: ${r.score.missed.map((a) => a.variant).join(", ")}`);
    assert.equal(k.precision, 1, `${kind} precision ${k.precision}`);
  }
  assert.equal(r.score.falseDetections, 0, r.score.falses.map((d) => d.explanation).join("; "));
  assert.ok(r.normalRequests > 0 && r.attackRequests > 0);
});
