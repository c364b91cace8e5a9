import { PhraseMatcher } from "../operators/phrase-matcher.js";
import { type RegexNode, setSize } from "./ast.js";

/**
 * A necessary condition for a pattern to match, over the lower-cased subject: `true` (no
 * condition), a literal that must occur, any of a set of literals (an Aho-Corasick automaton
 * when the set is large), or an AND/OR of conditions. Checked before the regex engine runs, as
 * RE2's FilteredRE2 and Hyperscan's literal prefilters do: a subject that fails the condition
 * cannot match, so the call into the engine is skipped.
 */
export type Prefilter =
  | true
  | { readonly kind: "lit"; readonly text: string }
  | { readonly kind: "any"; readonly texts: readonly string[]; readonly matcher: PhraseMatcher }
  | { readonly kind: "and" | "or"; readonly items: readonly Prefilter[] };

/** At most this many strings in an exact set before it degrades to a condition. */
const MAX_EXACT = 16;
/** Exact strings stop growing at this length (the run is then flushed as a condition). */
const MAX_LITERAL = 24;
/** An OR of more literals than this is checked with one automaton pass. */
const MAX_INDEXOF = 6;

interface Info {
  /** Every string the node can match (lower-cased), when few; else null. */
  exact: Set<string> | null;
  /** A necessary condition when `exact` is null. */
  cond: Prefilter;
}

const ANYTHING: Info = { exact: null, cond: true };
const EMPTY: Info = { exact: new Set([""]), cond: true };

function lower(code: number): string {
  return String.fromCharCode(code).toLowerCase();
}

function fromExact(exact: Set<string>): Prefilter {
  if (exact.has("")) return true;
  return or([...exact].map((text) => ({ kind: "lit", text })));
}

function cond(info: Info): Prefilter {
  return info.exact ? fromExact(info.exact) : info.cond;
}

function and(items: Prefilter[]): Prefilter {
  const out: Prefilter[] = [];
  for (const p of items) {
    if (p === true) continue;
    if (p.kind === "and") out.push(...p.items);
    else out.push(p);
  }
  if (out.length === 0) return true;
  return out.length === 1 ? out[0]! : { kind: "and", items: out };
}

function or(parts: Prefilter[]): Prefilter {
  const items: Prefilter[] = [];
  for (const p of parts) {
    if (p === true) return true;
    if (p.kind === "or") items.push(...p.items);
    else if (p.kind === "any") for (const text of p.texts) items.push({ kind: "lit", text });
    else items.push(p);
  }
  if (items.length === 1) return items[0]!;
  const lits = items.filter((i): i is { kind: "lit"; text: string } => i !== true && i.kind === "lit");
  if (lits.length === items.length && lits.length > MAX_INDEXOF) {
    const texts = [...new Set(lits.map((l) => l.text))];
    return { kind: "any", texts, matcher: new PhraseMatcher(texts) };
  }
  return { kind: "or", items };
}

function cross(a: Set<string>, b: Set<string>): Set<string> | null {
  if (a.size * b.size > MAX_EXACT) return null;
  const out = new Set<string>();
  for (const x of a)
    for (const y of b) {
      if (x.length + y.length > MAX_LITERAL) return null;
      out.add(x + y);
    }
  return out;
}

function analyze(node: RegexNode): Info {
  switch (node.kind) {
    case "empty":
    case "assert":
      return EMPTY;
    case "char":
      return { exact: new Set([lower(node.code)]), cond: true };
    case "class": {
      if (setSize(node.set) > 8) return ANYTHING;
      const exact = new Set<string>();
      for (let b = 0; b < 256; b++) if (node.set[b]) exact.add(lower(b));
      return exact.size > 4 ? ANYTHING : { exact, cond: true };
    }
    case "group":
      return analyze(node.body);
    case "repeat": {
      if (node.min === 0) return ANYTHING;
      const body = analyze(node.body);
      if (node.min === 1 && node.max === 1) return body;
      if (body.exact && node.min === node.max && node.min <= 4) {
        let acc: Set<string> | null = new Set([""]);
        for (let k = 0; k < node.min && acc; k++) acc = cross(acc, body.exact);
        if (acc) return { exact: acc, cond: true };
      }
      return { exact: null, cond: cond(body) };
    }
    case "alt": {
      const infos = node.items.map(analyze);
      if (infos.every((i) => i.exact)) {
        const u = new Set<string>();
        for (const i of infos) for (const s of i.exact!) u.add(s);
        if (u.size <= MAX_EXACT) return { exact: u, cond: true };
      }
      return { exact: null, cond: or(infos.map(cond)) };
    }
    case "seq": {
      // Grow an exact run while possible; flush it as a condition when not.
      const conds: Prefilter[] = [];
      let run: Set<string> = new Set([""]);
      let exact = true;
      for (const item of node.items) {
        const info = analyze(item);
        if (info.exact) {
          const next = cross(run, info.exact);
          if (next) {
            run = next;
            continue;
          }
          conds.push(fromExact(run));
          run = info.exact;
          exact = false;
        } else {
          exact = false;
          conds.push(fromExact(run));
          run = new Set([""]);
          conds.push(info.cond);
        }
      }
      if (exact) return { exact: run, cond: true };
      conds.push(fromExact(run));
      return { exact: null, cond: and(conds) };
    }
  }
}

/** The necessary condition of a parsed pattern. */
export function prefilterOf(root: RegexNode): Prefilter {
  return cond(analyze(root));
}

/** Evaluates a prefilter on the lower-cased subject. */
export function passes(p: Prefilter, lowered: string): boolean {
  if (p === true) return true;
  switch (p.kind) {
    case "lit":
      return lowered.includes(p.text);
    case "any":
      return p.matcher.first(lowered) !== null;
    case "and":
      for (const i of p.items) if (!passes(i, lowered)) return false;
      return true;
    case "or":
      for (const i of p.items) if (passes(i, lowered)) return true;
      return false;
  }
}

/** A prefilter as text, for reports: `("union" & "select") | "sleep"`. */
export function describePrefilter(p: Prefilter): string {
  if (p === true) return "true";
  if (p.kind === "lit") return JSON.stringify(p.text);
  if (p.kind === "any") return `any(${p.texts.length} literals)`;
  return `(${p.items.map(describePrefilter).join(p.kind === "and" ? " & " : " | ")})`;
}

