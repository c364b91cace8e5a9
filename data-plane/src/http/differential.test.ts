// The differential check at a small size (the full run: `npm run http:differential -w
// @palisade/data-plane`): every fixed framing case and 1,500 generated requests read by the
// engine and by node:http with Palisade's checks; each difference must be a known, reasoned one.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { compare, engineVerdict, NodeOracle, runDifferential } from "./differential.js";
import { renderReport, report } from "./differential-report.js";
import { fixedCases, generatedCases } from "./request-corpus.js";

const oracle = new NodeOracle();

before(async () => {
  await oracle.start();
});

after(async () => {
  await oracle.stop();
});

test("every difference from node:http (with Palisade's checks) is a known one, with its reason", async () => {
  const cases = [...fixedCases(), ...generatedCases(1_500, 20261207)];
  const { differences, compared } = await runDifferential(cases, oracle, 8);
  const r = report(compared, differences);
  assert.deepEqual(
    r.unexplained.map((d) => d.name),
    [],
    renderReport(r),
  );
  assert.ok(compared > 1_500);
});

test("the comparison itself: the same reading agrees, a looser engine or another reading never passes", async () => {
  const ok = Buffer.from("GET /x HTTP/1.1\r\nHost: a.test\r\nX-A:  v \r\n\r\n");
  assert.equal(compare("same", ok, engineVerdict(ok), await oracle.verdict(ok)), null);
  const looser = compare("looser", ok, engineVerdict(ok), { kind: "refused", status: 400, why: "x" });
  assert.ok(looser !== null && report(1, [looser]).unexplained.length === 1);
  const other = compare("other", ok, { kind: "accepted", read: "a" }, { kind: "accepted", read: "b" });
  assert.ok(other !== null && report(1, [other]).unexplained.length === 1);
});
