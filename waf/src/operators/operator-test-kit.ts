import { deepStrictEqual } from "node:assert/strict";
import { test } from "node:test";
import { compileMacro, type Macro } from "../compile/macro.js";
import { LITERALS } from "../regex/literal-index.js";
import type { OperatorEnv, OperatorFactory, OperatorScope } from "./operator.js";

/** A scope for operator tests: TX variables for macros, captures recorded. */
export function testScope(tx: Record<string, string> = {}, capture = false): OperatorScope & { captures: string[] } {
  const captures: string[] = [];
  return {
    capture,
    captures,
    setCapture: (i, v) => {
      captures[i] = v;
    },
    expand: (m: Macro) =>
      m.parts.map((p) => (typeof p === "string" ? p : p.name === "TX" ? (tx[p.key ?? ""] ?? "") : "")).join(""),
    hits: (v) => LITERALS.scan(v),
  };
}

/** A compile environment for operator tests: data files from `files`. */
export function testEnv(files: Record<string, string> = {}): OperatorEnv {
  return {
    readDataFile(name) {
      const base = name.split("/").pop()!;
      const text = files[base];
      if (text === undefined) throw new Error(`no such file ${name}`);
      return text;
    },
    macro: compileMacro,
  };
}

/**
 * One node:test per row: `[argument, value, expected match]` (optional TX variables for macros).
 * The operator is compiled once per argument.
 */
export function operatorTable(
  name: string,
  factory: OperatorFactory,
  rows: ReadonlyArray<readonly [argument: string, value: string, matches: boolean, tx?: Record<string, string>]>,
  env: OperatorEnv = testEnv(),
): void {
  for (const [argument, value, expected, tx] of rows)
    test(`@${name} ${JSON.stringify(argument)} on ${JSON.stringify(value).slice(0, 60)} → ${expected}`, () => {
      const op = factory(argument, env);
      deepStrictEqual(op.evaluate(value, testScope(tx)), expected);
    });
}
