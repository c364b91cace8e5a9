import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { compileRuleSet } from "../compile/compiler.js";
import type { CompiledRuleSet } from "../compile/rule-set.js";
import { crsSources, ENGINE_CONF, palisadeRuleSources, readByteFile, VENDORED_CRS_DIR } from "../crs.js";
import { type FtwTest, loadFtwTests } from "./ftw.js";
import type { RefusalHook } from "./raw-request.js";
import { runFtwTest, type TestOutcome } from "./runner.js";

/** waf/conformance: the suite's set-up and the known-failures list. */
export const CONFORMANCE_DIR: string = fileURLToPath(new URL("../../conformance", import.meta.url));

/** A test the engine is known to fail, with the one-line reason. */
export interface KnownFailure {
  readonly id: string;
  readonly reason: string;
}

/** Reads waf/conformance/known-failures.yaml (a list of `{id, reason}`). */
export function loadKnownFailures(file = join(CONFORMANCE_DIR, "known-failures.yaml")): KnownFailure[] {
  const doc = parse(readFileSync(file, "utf8")) as { known_failures?: KnownFailure[] } | null;
  return doc?.known_failures ?? [];
}

/**
 * The rule set CRS's regression suite runs against: Palisade's engine configuration, the suite's
 * set-up (conformance/crs-test-setup.conf: detection only, paranoia level 4, the limits the tests
 * expect), crs-setup.conf.example, the rules of `crsDir`, then Palisade's own rules (so the suite
 * also shows that they raise no new failure).
 */
export function conformanceRuleSet(crsDir: string = VENDORED_CRS_DIR): CompiledRuleSet {
  const setup = join(CONFORMANCE_DIR, "crs-test-setup.conf");
  return compileRuleSet(
    [
      { file: ENGINE_CONF, text: readByteFile(ENGINE_CONF) },
      { file: setup, text: readByteFile(setup) },
      ...crsSources(crsDir),
      ...palisadeRuleSources(),
    ],
    { readFile: readByteFile },
  );
}

/** The suite's tests (tests/regression/tests of `crsDir`). */
export function conformanceTests(crsDir: string = VENDORED_CRS_DIR): FtwTest[] {
  return loadFtwTests(join(crsDir, "tests", "regression", "tests"));
}

/** The outcome of a suite run, against the known-failures list. */
export interface SuiteReport {
  readonly outcomes: readonly TestOutcome[];
  readonly passed: number;
  /** Failures not on the known list. */
  readonly newFailures: readonly TestOutcome[];
  /** Listed tests that failed (as expected). */
  readonly known: number;
  /** Listed tests that now pass (the list must shrink). */
  readonly nowPassing: readonly string[];
  /** Tests refused before the WAF that passed as 400-class refusals. */
  readonly refusedPassed: readonly string[];
}

/** Runs `tests` and compares with `known`. */
export function runSuite(
  rs: CompiledRuleSet,
  tests: readonly FtwTest[],
  known: readonly KnownFailure[],
  refusal?: RefusalHook,
): SuiteReport {
  const knownIds = new Set(known.map((k) => k.id));
  const outcomes = tests.map((t) => runFtwTest(rs, t, refusal));
  const newFailures = outcomes.filter((o) => !o.passed && !knownIds.has(o.id));
  const nowPassing = outcomes.filter((o) => o.passed && knownIds.has(o.id)).map((o) => o.id);
  return {
    outcomes,
    passed: outcomes.filter((o) => o.passed).length,
    newFailures,
    known: outcomes.filter((o) => !o.passed && knownIds.has(o.id)).length,
    nowPassing,
    refusedPassed: outcomes.filter((o) => o.passed && o.refused !== null).map((o) => o.id),
  };
}
