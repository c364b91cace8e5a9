import type { ByteString } from "../bytes.js";
import type { Macro } from "../compile/macro.js";
import type { LiteralHits, LiteralIndex } from "../regex/literal-index.js";

/**
 * What an operator may read or write in the transaction while it evaluates: macro expansion for
 * its argument, and the capture slots TX:0–TX:9 (written only when the rule has `capture`).
 */
export interface OperatorScope {
  /** Whether the rule has the `capture` action. */
  readonly capture: boolean;
  /** Sets TX:n (0–9) for a capturing rule. */
  setCapture(index: number, value: ByteString): void;
  /** Expands a macro template (`%{tx.allowed_methods}`) in the transaction. */
  expand(template: Macro): ByteString;
  /** The literal scan of `value` (regex prefilters read it), cached per value for the transaction. */
  hits(value: ByteString): LiteralHits;
  /**
   * Reference mode (tests): operators skip their prefilters and memoized verdicts and do the
   * whole work on every call, so the optimised evaluation can be compared against it.
   */
  readonly reference?: boolean;
}

/**
 * What the engine knows about a value, computed at most once per transaction (engine/value.ts):
 * the string, its literal scan, and slots where operators keep their verdict on it.
 */
export interface OperatorValue {
  readonly s: ByteString;
  /** The scan by LITERALS. */
  readonly hits: LiteralHits;
  /** The scan by an index (LITERALS or PHRASES). */
  hitsIn(index: LiteralIndex): LiteralHits;
  /** `@detectSQLi`'s fingerprint ("" when not SQLi), or null before the first call. */
  sqli: string | null;
  /** `@detectXSS`: 0 before the first call, 1 no, 2 yes. */
  xss: number;
}

/**
 * A compiled operator (ModSecurity reference manual, "Operators"). `evaluate` gets a variable's
 * value after the rule's transformations and answers whether the operator matches, before the
 * rule's `!` negation. Must not throw on any input.
 */
export interface Operator {
  readonly name: string;
  evaluate(value: ByteString, scope: OperatorScope): boolean;
  /**
   * The same answer as `evaluate(value.s, scope)`, reading what the engine already knows about
   * the value and keeping its own verdict there (optional: the engine falls back to evaluate).
   */
  evaluateValue?(value: OperatorValue, scope: OperatorScope): boolean;
  /**
   * A necessary condition for a match, on literal hits (of one value, or the union of several):
   * false means no value they describe can match, so the engine skips them without evaluating.
   * Absent when the operator has none.
   */
  prefilter?(hits: LiteralHits): boolean;
  /** The index whose scans `prefilter` reads (default LITERALS). */
  readonly literalIndex?: LiteralIndex;
}

/** What an operator factory may use at compile time. */
export interface OperatorEnv {
  /** Reads a data file named by `@pmFromFile`/`@ipMatchFromFile`, relative to the rule's file. */
  readDataFile(name: string): string;
  /** Compiles a macro template (`%{...}` in the argument). */
  macro(text: string): Macro;
}

/** Builds an operator from its argument. @throws WafError on a bad argument. */
export type OperatorFactory = (argument: string, env: OperatorEnv) => Operator;
