import { deepStrictEqual, ok } from "node:assert/strict";
import { test } from "node:test";
import { conformanceRuleSet, conformanceTests } from "../conformance/suite.js";
import { crsSources, palisadeRuleSources } from "../crs.js";
import { parseSecLang } from "../seclang/parser.js";
import { LinearRegex } from "./linear-regex.js";

const rs = conformanceRuleSet();
const links = [...rs.rules()].flatMap((r) => {
  const out = [];
  for (let l: typeof r | null = r; l !== null; l = l.chain) out.push(l);
  return out;
});

test("every @rx of CRS is compiled on RE2, the linear-time engine (structure, not timing)", () => {
  const written = [...crsSources(), ...palisadeRuleSources()]
    .flatMap((s) => parseSecLang(s.text, s.file))
    .filter((d) => d.kind === "rule" && d.operator.name === "rx").length;
  const compiled = links.filter((l) => l.operator.name === "rx");
  // Every @rx of CRS and of Palisade's rules, plus the engine configuration's own (200000, 200001, 200006).
  deepStrictEqual(compiled.length, written + 3);
  for (const l of compiled) {
    const re = (l.operator as { regex?: unknown }).regex;
    ok(re instanceof LinearRegex, `rule ${l.id}: @rx not on RE2`);
    ok(re.re2Source.startsWith("(?sm)"), `rule ${l.id}: not translated`);
  }
});

test("target selector regexes (ARGS:/…/, TX:/…/) are on RE2 too", () => {
  for (const l of links)
    for (const t of l.targets)
      if (t.selector?.kind === "regex") ok(t.selector.regex instanceof LinearRegex, `rule ${l.id}`);
});

test("the literal prefilter never turns away a value RE2 matches (CRS regexes × a seeded sample of the suite's payloads)", () => {
  const payloads: string[] = [];
  for (const t of conformanceTests())
    for (const s of t.stages) {
      if (s.input.uri) payloads.push(Buffer.from(s.input.uri, "utf8").toString("latin1"));
      if (typeof s.input.data === "string") payloads.push(Buffer.from(s.input.data, "utf8").toString("latin1"));
    }
  let seed = 14;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const sample = Array.from({ length: 600 }, () => payloads[next() % payloads.length]!);
  // Decoded forms too: CRS rules mostly see values after t:urlDecodeUni.
  const values = sample.flatMap((p) => [
    p,
    p.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
  ]);
  let checked = 0;
  for (const l of links) {
    const re = (l.operator as { regex?: LinearRegex }).regex;
    if (!(re instanceof LinearRegex)) continue;
    for (const v of values) {
      const truth = re.testWithoutPrefilter(v);
      if (truth)
        deepStrictEqual(
          re.test(v),
          true,
          `rule ${l.id} prefilter rejects a match on ${JSON.stringify(v).slice(0, 80)}`,
        );
      checked++;
    }
  }
  ok(checked > 100_000);
});
