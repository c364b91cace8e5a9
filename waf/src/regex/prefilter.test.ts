import assert from "node:assert/strict";
import { test } from "node:test";
import { conformanceRuleSet } from "../conformance/suite.js";
import { INFINITE, type RegexNode } from "./ast.js";
import { LinearRegex } from "./linear-regex.js";
import { LITERALS } from "./literal-index.js";
import { parsePcre } from "./pcre-parser.js";
import { describePrefilter } from "./prefilter.js";

/** A seeded generator (tests must be repeatable). */
function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

/**
 * A string the pattern is likely to match: a random walk of its syntax tree (a random branch of
 * each alternation, 0–3 rounds of each repetition, a random member of each class, either case of
 * a folding letter). Assertions are ignored, so some strings do not match; RE2 decides.
 */
function sample(node: RegexNode, next: (n: number) => number, out: string[]): void {
  switch (node.kind) {
    case "char":
      out.push(String.fromCharCode(node.fold && next(2) === 0 ? node.code ^ 0x20 : node.code));
      return;
    case "class": {
      const members: number[] = [];
      for (let b = 0; b < 256; b++) if (node.set[b]) members.push(b);
      if (members.length > 0) out.push(String.fromCharCode(members[next(members.length)]!));
      return;
    }
    case "seq":
      for (const i of node.items) sample(i, next, out);
      return;
    case "alt":
      sample(node.items[next(node.items.length)]!, next, out);
      return;
    case "group":
      sample(node.body, next, out);
      return;
    case "repeat": {
      const max = node.max === INFINITE ? node.min + 3 : Math.min(node.max, node.min + 3);
      const times = node.min + next(max - node.min + 1);
      for (let k = 0; k < times; k++) sample(node.body, next, out);
      return;
    }
    default:
      return;
  }
}

test("the prefilter never turns away a string the regex matches (strings generated from every CRS regex)", () => {
  const rs = conformanceRuleSet();
  const next = random(2026);
  const affixes = ["", " ", "x=", "json.", "a b\n", "'", "1;", "/"];
  let matched = 0;
  const seen = new Set<string>();
  for (const rule of rs.rules())
    for (let link: typeof rule | null = rule; link !== null; link = link.chain) {
      const re: LinearRegex | undefined = (link.operator as { regex?: LinearRegex }).regex;
      if (!(re instanceof LinearRegex) || seen.has(re.source)) continue;
      seen.add(re.source);
      const root = parsePcre(re.source).root;
      for (let k = 0; k < 60; k++) {
        const parts: string[] = [];
        sample(root, next, parts);
        const s = affixes[next(affixes.length)]! + parts.join("") + affixes[next(affixes.length)]!;
        if (!re.testWithoutPrefilter(s)) continue;
        matched++;
        assert.equal(
          re.test(s),
          true,
          `rule ${rule.id}: prefilter ${describePrefilter(re.prefilter).slice(0, 200)} rejects ${JSON.stringify(s).slice(0, 120)}`,
        );
      }
    }
  // Most generated strings match: the walk is a real test, not a vacuous one.
  assert.ok(matched > 10_000, `only ${matched} matching strings`);
});

test("a pattern whose keyword letters may be separated by evasion noise still gets a selective prefilter", () => {
  // CRS 932235's shape: quotes, backslashes and `$…` between the letters of a command.
  const noise = `["'\\)\\[\\x5c]*(?:\\$[a-z]*)?`;
  const re = new LinearRegex(`(?i)(?:;|\\|)[\\s]*(?:c${noise}a${noise}t|w${noise}g${noise}e${noise}t)\\b`);
  // Matches need `cat` or `wget` when the value has none of the noise bytes.
  assert.equal(re.test("; cat /etc/passwd"), true);
  assert.equal(re.test(";c'a't /etc/passwd"), true);
  assert.equal(re.test("|w\\get x"), true);
  assert.equal(re.prefilterPasses(LITERALS.scan("; dog")), false);
  assert.equal(re.prefilterPasses(LITERALS.scan("; c'a't")), true);
  assert.equal(re.prefilterPasses(LITERALS.scan("| wget")), true);
});
