import type { ByteString } from "../bytes.js";
import type { CompiledRuleSet } from "../compile/rule-set.js";
import type { CompiledRule } from "../compile/types.js";
import type { RegexNode } from "./ast.js";
import { LinearRegex } from "./linear-regex.js";
import { LITERALS, PHRASES } from "./literal-index.js";
import { parsePcre } from "./pcre-parser.js";

/** Bytes of each adversarial input. */
export const ADVERSARIAL_BYTES = 64 * 1024;

/** The characters a pattern's literals and classes accept (one representative per class, and its literal bytes). */
function alphabet(node: RegexNode, out: Set<string>): void {
  switch (node.kind) {
    case "char":
      out.add(String.fromCharCode(node.code));
      return;
    case "class": {
      const members: number[] = [];
      for (let b = 0; b < 256; b++) if (node.set[b]) members.push(b);
      if (members.length === 0) return;
      for (const b of [members[0]!, members[members.length >> 1]!, members[members.length - 1]!])
        out.add(String.fromCharCode(b));
      return;
    }
    case "seq":
    case "alt":
      for (const i of node.items) alphabet(i, out);
      return;
    case "group":
    case "repeat":
      alphabet(node.body, out);
      return;
    default:
      return;
  }
}

/** Literal runs of a pattern (consecutive chars), the bait that gets a subject past prefilters. */
function literals(node: RegexNode, out: Set<string>): void {
  if (node.kind === "seq") {
    let run = "";
    for (const i of node.items) {
      if (i.kind === "char") run += String.fromCharCode(i.code);
      else {
        if (run.length > 1) out.add(run);
        run = "";
        literals(i, out);
      }
    }
    if (run.length > 1) out.add(run);
  } else if (node.kind === "alt") for (const i of node.items) literals(i, out);
  else if (node.kind === "group" || node.kind === "repeat") literals(node.body, out);
}

function fill(unit: string, bytes = ADVERSARIAL_BYTES): ByteString {
  const u = unit === "" ? "a" : unit;
  return u.repeat(Math.ceil(bytes / u.length)).slice(0, bytes);
}

/**
 * 64 KB adversarial subjects for a pattern: a long run of every character its classes and
 * literals accept, alternations of pairs of them (nested-repetition bait such as `(a|a)*`,
 * `(\s*x)*`), its literals repeated and each literal followed by a long run with no terminator.
 */
export function adversarialInputs(pattern: string): ByteString[] {
  const root = parsePcre(pattern).root;
  const chars = new Set<string>();
  alphabet(root, chars);
  const lits = new Set<string>();
  literals(root, lits);
  const cs = [...chars].slice(0, 24);
  const out = new Set<string>();
  for (const c of cs) out.add(fill(c));
  for (let i = 0; i + 1 < cs.length; i += 2) out.add(fill(cs[i]! + cs[i + 1]!));
  out.add(fill(cs.join("")));
  for (const l of [...lits].slice(0, 12)) {
    out.add(fill(`${l} `));
    for (const c of cs.slice(0, 4)) out.add(l + fill(c, ADVERSARIAL_BYTES - l.length));
  }
  return [...out];
}

/**
 * 64 KB subjects for operators without a pattern of their own (`@pm`, `@detectSQLi`,
 * `@detectXSS`, `@validate…`, the comparisons): runs of the bytes tokenizers and decoders stop
 * at (quotes, comment and tag openers, escapes, entities, NUL, high bytes) and of SQL/HTML
 * fragments that keep a tokenizer busy.
 */
export function genericAdversarialInputs(): ByteString[] {
  // biome-ignore format: a table of units
  const units = [
    "a", "'", '"', "`", "\\", "/*", "*/", "--", "#", "<", "<a", "<a ", "<!--", "&#", "&#x", "&", "%", "%u",
    "\0", "\xff", "\xc3\xa9", "1 or 1=1 ", "' or '", "union select ", "(", ")", ";", "/", "../", " ", "\n",
    "<script>", "onerror=", "javascript:", "${", "{{", "@@", "0x", "1e", "1.", "-- ", "/**/",
  ];
  return units.map((u) => fill(u));
}

/** One rule link's timing on its worst adversarial input. */
export interface RedosFigure {
  readonly ruleId: number;
  /** The link's operator (`rx`, `pm`, `detectSQLi`, …). */
  readonly operator: string;
  readonly inputs: number;
  /** Slowest single evaluation (transformations + operator), ms. */
  readonly worstMs: number;
  /** Of that evaluation: the transformation chain's share and the operator's (with its prefilter), ms. */
  readonly transformMs: number;
  readonly operatorMs: number;
  /** The transformation chain (t:…). */
  readonly chain: string;
}

/** CPU time of this process, ms (a pause while another process runs does not count). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Times every rule link of a rule set on 64 KB adversarial inputs: an `@rx` link on inputs made
 * from its pattern ({@link adversarialInputs}), any other operator on
 * {@link genericAdversarialInputs}. Each evaluation is the link's transformation chain and its
 * operator on one input, as the engine runs a rule on one value. Each runs once to warm up
 * (JIT-compiled code, RE2's DFA cache filled as after the first request), then three times, and
 * the fastest of the three counts: a super-linear evaluation is slow every time, a pause of the
 * shared machine (GC, another process) is not. Times are CPU time unless `now` says otherwise.
 * Returns a figure per link.
 */
export function measureRedos(rs: CompiledRuleSet, now: () => number = cpuMs): RedosFigure[] {
  const out: RedosFigure[] = [];
  const scope = {
    capture: false,
    setCapture() {},
    expand: () => "",
    hits: (v: ByteString) => LITERALS.scan(v),
  };
  LITERALS.scan(""); // builds the literal automata outside the timings
  PHRASES.scan("");
  const generic = genericAdversarialInputs();
  for (const rule of rs.rules())
    for (let link: CompiledRule | null = rule; link !== null; link = link.chain) {
      if (link.targets.length === 0) continue; // SecAction: no value
      const re = (link.operator as { regex?: LinearRegex }).regex;
      const inputs = re instanceof LinearRegex ? adversarialInputs(re.source) : generic;
      let worst = { total: 0, transform: 0, operator: 0 };
      scope.capture = link.capture;
      for (const input of inputs) {
        let best = { total: Number.POSITIVE_INFINITY, transform: 0, operator: 0 };
        for (let round = 0; round < 4; round++) {
          const start = now();
          let v = input;
          for (const t of link.transforms) v = t(v);
          const mid = now();
          link.operator.evaluate(v, scope);
          const end = now();
          if (round > 0 && end - start < best.total)
            best = { total: end - start, transform: mid - start, operator: end - mid };
        }
        if (best.total > worst.total) worst = best;
      }
      out.push({
        ruleId: rule.id,
        operator: link.operator.name,
        inputs: inputs.length,
        worstMs: worst.total,
        transformMs: worst.transform,
        operatorMs: worst.operator,
        chain: link.transformKey,
      });
    }
  return out;
}
