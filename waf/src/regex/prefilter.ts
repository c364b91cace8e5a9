import { type RegexNode, setSize } from "./ast.js";
import { foldedText, hasBit, type LiteralHits, type LiteralIndex } from "./literal-index.js";

/**
 * A necessary condition for a pattern to match, over the subject with ASCII letters folded:
 * `true` (no condition), a literal that must occur, or an AND/OR of conditions. Checked before
 * the regex engine runs, as RE2's FilteredRE2 and Hyperscan's literal prefilters do: a subject
 * that fails the condition cannot match, so the call into the engine is skipped.
 */
export type Prefilter =
  | true
  | { readonly kind: "lit"; readonly text: string }
  | { readonly kind: "and" | "or"; readonly items: readonly Prefilter[] };

/**
 * A prefilter over a value's {@link LiteralHits}: `bit` tests one bit (a byte value, or
 * 256 + a literal id of the {@link LiteralIndex}); `any` any bit of a list. `null`: always.
 */
export type CompiledPrefilter =
  | null
  | { readonly k: "bit"; readonly bit: number }
  /** A two-byte literal, looked up in the folded value. */
  | { readonly k: "str"; readonly text: string }
  | { readonly k: "and" | "or"; readonly items: readonly Exclude<CompiledPrefilter, null>[] }
  /** Any of many bits: `bits` listed, `set` a bitmap of them (for iterating the value's few hits instead). */
  | { readonly k: "any"; readonly bits: Int32Array; readonly set: Uint8Array };

/** Whether bit `i` is set in a bitmap of bytes. */
function inSet(set: Uint8Array, i: number): boolean {
  return i >> 3 < set.length && (set[i >> 3]! & (1 << (i & 7))) !== 0;
}

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

const ANYTHING: Info = { exact: null, cond: true };
const EMPTY: Info = { exact: new Set([""]), cond: true };

/** ASCII case folding, as the literal index folds values. */
function fold(code: number): string {
  return String.fromCharCode(code >= 0x41 && code <= 0x5a ? code | 0x20 : code);
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
    else items.push(p);
  }
  return items.length === 1 ? items[0]! : { kind: "or", items };
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
      // Bytes above 0x7f under (?i): RE2 reads them as code points and may fold their case; the
      // literal index folds ASCII only, so they make no literal.
      return node.code >= 0x80 && node.icase ? ANYTHING : { exact: new Set([fold(node.code)]), cond: true };
    case "class": {
      if (setSize(node.set) > 8) return ANYTHING;
      const exact = new Set<string>();
      for (let b = 0; b < 256; b++) if (node.set[b]) exact.add(fold(b));
      if (node.icase) for (const e of exact) if (e.charCodeAt(0) >= 0x80) return ANYTHING;
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

/** The necessary condition of a parsed pattern, simplified to stay cheap to evaluate. */
export function prefilterOf(root: RegexNode): Prefilter {
  return simplify(cond(analyze(root)));
}

/** AND keeps at most this many conditions; an OR of more than MAX_OR_BRANCHES becomes a literal set. */
const MAX_AND = 3;
const MAX_OR_BRANCHES = 8;

/** How selective a condition is (longer literals are rarer in benign text). */
function score(p: Prefilter): number {
  if (p === true) return 0;
  if (p.kind === "lit") return Math.min(p.text.length, 8);
  if (p.kind === "or") return Math.min(...p.items.map(score)) - 0.5;
  return Math.max(...p.items.map(score));
}

/**
 * Bounds a condition's size: an AND keeps its most selective conditions, a large OR is weakened
 * to a set of literals (each branch down to its most selective literal set). Weakening only drops
 * requirements, so the result is still a necessary condition.
 */
function simplify(p: Prefilter): Prefilter {
  if (p === true || p.kind === "lit") return p;
  const items = p.items.map(simplify);
  if (p.kind === "and") {
    const kept = items
      .map((i, n) => [i, n] as const)
      .sort((a, b) => score(b[0]) - score(a[0]))
      .slice(0, MAX_AND)
      .sort((a, b) => a[1] - b[1])
      .map(([i]) => i);
    return kept.length === 1 ? kept[0]! : { kind: "and", items: kept };
  }
  if (items.length <= MAX_OR_BRANCHES) return or(items);
  return or(items.map(literalSet));
}

/** A literal or an OR of literals implied by `p`. */
function literalSet(p: Prefilter): Prefilter {
  if (p === true || p.kind === "lit") return p;
  if (p.kind === "or") return or(p.items.map(literalSet));
  let best: Prefilter = true;
  for (const i of p.items.map(literalSet)) if (score(i) > score(best)) best = i;
  return best;
}

/** Compiles a prefilter onto bits of a {@link LiteralHits} (registering literals in `index`). */
export function compilePrefilter(p: Prefilter, index: LiteralIndex): CompiledPrefilter {
  if (p === true) return null;
  if (p.kind === "lit") {
    if (p.text.length === 1) return { k: "bit", bit: p.text.charCodeAt(0) };
    if (p.text.length === 2) return { k: "str", text: p.text };
    return { k: "bit", bit: 256 + index.id(p.text) };
  }
  const items = p.items.map((i) => compilePrefilter(i, index)!);
  if (p.kind === "or") {
    const bits: number[] = [];
    const rest: Exclude<CompiledPrefilter, null>[] = [];
    for (const i of items)
      if (i.k === "bit") bits.push(i.bit);
      else if (i.k === "any") bits.push(...i.bits);
      else rest.push(i);
    if (bits.length > 1) {
      const unique = Int32Array.from(new Set(bits));
      const set = new Uint8Array((Math.max(...unique) >> 3) + 1);
      for (const b of unique) set[b >> 3] = set[b >> 3]! | (1 << (b & 7));
      rest.unshift({ k: "any", bits: unique, set });
    } else if (bits.length === 1) rest.unshift({ k: "bit", bit: bits[0]! });
    return rest.length === 1 ? rest[0]! : { k: "or", items: rest };
  }
  return { k: p.kind, items };
}

/**
 * Whether every way to satisfy `p` needs a literal of three bytes or more (a bit ≥ 256): a value
 * with no such literal then fails at once (most values of a benign request hold none).
 */
export function needsLiteral(p: CompiledPrefilter): boolean {
  if (p === null) return false;
  switch (p.k) {
    case "bit":
      return p.bit >= 256;
    case "str":
      return false;
    case "any":
      return p.bits.every((b) => b >= 256);
    case "and":
      return p.items.some(needsLiteral);
    case "or":
      return p.items.every(needsLiteral);
  }
}

/** Evaluates a compiled prefilter on a value's literal hits. */
export function passes(p: CompiledPrefilter, hits: LiteralHits): boolean {
  if (p === null) return true;
  switch (p.k) {
    case "bit":
      return hasBit(hits, p.bit);
    case "str":
      return foldedText(hits).includes(p.text);
    case "any": {
      // Walk the shorter side: the set's bits, or the value's literal hits (then the set's bytes).
      if (p.bits.length > 64) {
        for (const b of hits.found) if (inSet(p.set, b)) return true;
        for (const b of p.bits) if (b < 256 && hasBit(hits, b)) return true;
        return false;
      }
      for (const b of p.bits) if (hasBit(hits, b)) return true;
      return false;
    }
    case "and":
      for (const i of p.items) if (!passes(i, hits)) return false;
      return true;
    case "or":
      for (const i of p.items) if (passes(i, hits)) return true;
      return false;
  }
}

/** A prefilter as text, for reports: `("union" & "select") | "sleep"`. */
export function describePrefilter(p: Prefilter): string {
  if (p === true) return "true";
  if (p.kind === "lit") return JSON.stringify(p.text);
  return `(${p.items.map(describePrefilter).join(p.kind === "and" ? " & " : " | ")})`;
}
