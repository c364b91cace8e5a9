import { INFINITE, type RegexNode, setSize } from "./ast.js";

/**
 * A necessary condition for a pattern to match, over the lower-cased subject: `true` (no
 * condition), a literal that must occur, or an AND/OR of conditions. Checked with `indexOf`
 * before the regex engine runs, as RE2's FilteredRE2 and Hyperscan's literal prefilters do: a
 * subject that fails the condition cannot match, so the call into the engine is skipped.
 */
export type Prefilter =
  | true
  | { readonly kind: "lit"; readonly text: string }
  | { readonly kind: "and" | "or"; readonly items: readonly Prefilter[] };

/** At most this many strings in an exact set before it degrades to a condition. */
const MAX_EXACT = 16;
/** Exact strings stop growing at this length (the run is then flushed as a condition). */
const MAX_LITERAL = 24;

interface Info {
  /** Every string the node can match (lower-cased), when few; else null. */
  exact: Set<string> | null;
  /** A necessary condition when `exact` is null. */
  cond: Prefilter;
}

function lower(code: number): string {
  return String.fromCharCode(code).toLowerCase();
}

function fromExact(exact: Set<string>): Prefilter {
  if (exact.has("")) return true;
  const items: Prefilter[] = [...exact].map((text) => ({ kind: "lit", text }));
  return items.length === 1 ? items[0]! : { kind: "or", items: dedupeOr(items) };
}

function dedupeOr(items: Prefilter[]): Prefilter[] {
  // A literal that contains another literal of the same OR is implied by it: keep the shorter.
  const lits = items.filter((i): i is { kind: "lit"; text: string } => i !== true && i.kind === "lit");
  if (lits.length !== items.length) return items;
  return lits.filter((a) => !lits.some((b) => b !== a && b.text.length < a.text.length && a.text.includes(b.text)));
}

function cond(info: Info): Prefilter {
  return info.exact ? fromExact(info.exact) : info.cond;
}

function and(a: Prefilter, b: Prefilter): Prefilter {
  if (a === true) return b;
  if (b === true) return a;
  const items = [...(a.kind === "and" ? a.items : [a]), ...(b.kind === "and" ? b.items : [b])];
  return { kind: "and", items };
}

function or(parts: Prefilter[]): Prefilter {
  if (parts.some((p) => p === true)) return true;
  const items: Prefilter[] = [];
  for (const p of parts) if (p !== true) items.push(...(p.kind === "or" ? p.items : [p]));
  return items.length === 1 ? items[0]! : { kind: "or", items: dedupeOr(items) };
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
      return { exact: new Set([""]), cond: true };
    case "char":
      return { exact: new Set([lower(node.code)]), cond: true };
    case "class": {
      if (setSize(node.set) > 8) return { exact: null, cond: true };
      const exact = new Set<string>();
      for (let b = 0; b < 256; b++) if (node.set[b]) exact.add(lower(b));
      return exact.size > 4 ? { exact: null, cond: true } : { exact, cond: true };
    }
    case "group":
      return analyze(node.body);
    case "repeat": {
      if (node.min === 0) return { exact: null, cond: true };
      const body = analyze(node.body);
      if (node.min === 1 && node.max === 1) return body;
      // At least one copy must occur; exact sets for small fixed counts.
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
      // Walk the items, growing an exact run while possible; flush it as a condition when not.
      let acc: Prefilter = true;
      let run: Set<string> | null = new Set([""]);
      for (const item of node.items) {
        const info = analyze(item);
        if (info.exact && run) {
          const next = cross(run, info.exact);
          if (next) {
            run = next;
            continue;
          }
        }
        if (run) acc = and(acc, fromExact(run));
        if (info.exact) {
          run = info.exact;
        } else {
          run = new Set([""]);
          acc = and(acc, info.cond);
        }
      }
      if (acc === true && run) return { exact: run, cond: true };
      if (run) acc = and(acc, fromExact(run));
      return { exact: null, cond: acc };
    }
  }
}

/** The necessary condition of a parsed pattern. */
export function prefilterOf(root: RegexNode): Prefilter {
  return prune(cond(analyze(root)));
}

/** Normalises AND/OR nesting after analysis. */
function prune(p: Prefilter): Prefilter {
  if (p === true) return true;
  if (p.kind === "lit") return p.text.length === 0 ? true : { kind: "lit", text: p.text.slice(0, MAX_LITERAL) };
  const items = p.items.map(prune);
  if (p.kind === "or") return or(items);
  return items.reduce<Prefilter>((a, b) => and(a, b), true);
}

/** Evaluates a prefilter on the lower-cased subject. */
export function passes(p: Prefilter, lowered: string): boolean {
  if (p === true) return true;
  if (p.kind === "lit") return lowered.includes(p.text);
  if (p.kind === "and") {
    for (const i of p.items) if (!passes(i, lowered)) return false;
    return true;
  }
  for (const i of p.items) if (passes(i, lowered)) return true;
  return false;
}

/** A prefilter as text, for reports: `("union" & "select") | "sleep"`. */
export function describePrefilter(p: Prefilter): string {
  if (p === true) return "true";
  if (p.kind === "lit") return JSON.stringify(p.text);
  return `(${p.items.map(describePrefilter).join(p.kind === "and" ? " & " : " | ")})`;
}
