import { deepStrictEqual, ok } from "node:assert/strict";
import { test } from "node:test";
import { runFtwTest } from "./runner.js";
import { conformanceRuleSet, conformanceTests, loadKnownFailures, runSuite } from "./suite.js";

// CRS's whole regression suite (go-ftw YAML, ~5,000 tests), in-process against the engine
// configured as CRS's CI configures its engines (conformance/crs-test-setup.conf). The whole
// suite runs (well under the two minutes it may take on the 2-core machine); a failure not on
// conformance/known-failures.yaml fails the test, and so does a listed test that now passes.
test("CRS regression suite: no new failure, no stale known failure, at least 97 % pass", () => {
  const tests = conformanceTests();
  const known = loadKnownFailures();
  const report = runSuite(conformanceRuleSet(), tests, known);
  ok(tests.length > 4900, `only ${tests.length} tests loaded`);
  deepStrictEqual(
    report.newFailures.map((o) => `${o.id}: ${o.reason}`),
    [],
  );
  deepStrictEqual(report.nowPassing, []);
  ok(report.passed / tests.length >= 0.97, `pass rate ${report.passed}/${tests.length}`);
  for (const k of known) ok(k.reason.length > 10, `${k.id} needs a reason`);
});

// The engine's shortcuts (literal prefilters on values and on unions of values, transformation
// steps skipped on values they cannot change, verdicts kept between rules) must not change an
// answer: every 4th test of the suite (attack payloads of every rule file) runs through the
// default evaluation and the reference one (every rule's chain and operator on every value),
// and the matched rules and values must be the same.
test("default and reference evaluation match the same rules and values on CRS's regression payloads", () => {
  const rs = conformanceRuleSet();
  const fixed = { uniqueId: "crs-regression", now: () => 1_700_000_000_000 };
  const differing: string[] = [];
  let compared = 0;
  conformanceTests().forEach((t, i) => {
    if (i % 4 !== 0) return;
    compared++;
    const a = runFtwTest(rs, t, undefined, fixed);
    const b = runFtwTest(rs, t, undefined, { ...fixed, reference: true });
    if (a.matchedValues.join("\n") !== b.matchedValues.join("\n")) differing.push(t.id);
  });
  ok(compared > 1200, `only ${compared} tests compared`);
  deepStrictEqual(differing, []);
});
