import { INFINITE, type RegexNode } from "./ast.js";

/**
 * A necessary condition for a pattern to match, over the subject with ASCII letters folded:
 * `true` (no condition), a literal that must occur, or an AND/OR of conditions. Checked before
 * the regex engine runs, as RE2's FilteredRE2 and Hyperscan's literal prefilters do: a subject
 * that fails the condition cannot match, so the call into the engine is skipped.
 */
export type Prefilter =
  | true
  /** Nothing can match (a construct that needs a byte the analysis assumes absent). */
  | false
  | { readonly kind: "lit"; readonly text: string }
  | { readonly kind: "and" | "or"; readonly items: readonly Prefilter[] };

/** At most this many strings in an exact set before it degrades to a condition. */
const MAX_EXACT = 64;
/** Exact strings stop growing at this length (the run is then flushed as a condition). */
const MAX_LITERAL = 24;
/** A class of up to this many bytes (after case folding) is a condition: one of its bytes occurs. */
const MAX_CLASS_CONDITION = 24;
/** A class of up to this many bytes is read as its strings (crossed with its neighbours while they stay few). */
const MAX_CLASS_EXACT = 4;

/**
 * What a node can match: a string of `exact` (lower-cased), or one that meets `other` (false when
 * the node matches only the exact strings). ANYTHING is (∅, true), NEVER (∅, false).
 */
interface Info {
  readonly exact: ReadonlySet<string>;
  readonly other: Prefilter;
}

const NONE: ReadonlySet<string> = new Set();
const ANYTHING: Info = { exact: NONE, other: true };
const EMPTY: Info = { exact: new Set([""]), other: false };
const NEVER: Info = { exact: NONE, other: false };

function isNever(info: Info): boolean {
  return info.exact.size === 0 && info.other === false;
}

/** ASCII case folding, as the literal index folds values. */
function fold(code: number): string {
  return String.fromCharCode(code >= 0x41 && code <= 0x5a ? code | 0x20 : code);
}

/** "One of these strings occurs" (true when one is empty, false when there are none). */
function fromExact(exact: ReadonlySet<string>): Prefilter {
  if (exact.has("")) return true;
  return or([...exact].map((text) => ({ kind: "lit", text })));
}

/** A necessary condition for a match of the node. */
export function cond(info: Info): Prefilter {
  return or([fromExact(info.exact), info.other]);
}

function and(items: Prefilter[]): Prefilter {
  const out: Prefilter[] = [];
  for (const p of items) {
    if (p === true) continue;
    if (p === false) return false;
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
    if (p === false) continue;
    if (p.kind === "or") items.push(...p.items);
    else items.push(p);
  }
  if (items.length === 0) return false;
  return items.length === 1 ? items[0]! : { kind: "or", items };
}

/** Every x + y, or null when there would be too many or too long. */
function cross(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> | null {
  if (a.size * b.size > MAX_EXACT) return null;
  const out = new Set<string>();
  for (const x of a)
    for (const y of b) {
      if (x.length + y.length > MAX_LITERAL) return null;
      out.add(x + y);
    }
  return out;
}

/**
 * X followed by Y: exact strings cross while they stay few and short; a match made of an exact
 * X and a Y meeting its condition (or the reverse) holds the exact string and meets the
 * condition, both being substrings of it.
 */
function concat(x: Info, y: Info): Info {
  if (isNever(x) || isNever(y)) return NEVER;
  const both = cross(x.exact, y.exact);
  const other = or([
    both === null ? and([fromExact(x.exact), fromExact(y.exact)]) : false,
    y.other === false ? false : and([fromExact(x.exact), y.other]),
    x.other === false ? false : and([x.other, cond(y)]),
  ]);
  return { exact: both ?? NONE, other };
}

/**
 * What a node can match, read over subjects whose bytes are all `allowed` (null: any subject):
 * a construct that needs a byte outside `allowed` cannot match them (NEVER), so an optional one
 * matches only the empty string there.
 */
export function analyze(node: RegexNode, allowed: Uint8Array | null): Info {
  const cache = allowed === null ? PLAIN : CLEAN;
  let info = cache.get(node);
  if (info === undefined) {
    info = analyzeNode(node, allowed);
    cache.set(node, info);
  }
  return info;
}

/** Analyses kept per node (a pattern's subtrees are analysed again with each prefix). */
const PLAIN = new WeakMap<RegexNode, Info>();
const CLEAN = new WeakMap<RegexNode, Info>();

function analyzeNode(node: RegexNode, allowed: Uint8Array | null): Info {
  switch (node.kind) {
    case "empty":
    case "assert":
      return EMPTY;
    case "char":
      if (allowed !== null && allowed[node.code] === 0 && !(node.fold && allowed[node.code ^ 0x20] === 1)) return NEVER;
      // Bytes above 0x7f under (?i): RE2 reads them as code points and may fold their case; the
      // literal index folds ASCII only, so they make no literal.
      return node.code >= 0x80 && node.icase ? ANYTHING : { exact: new Set([fold(node.code)]), other: false };
    case "class": {
      let members = 0;
      for (let b = 0; b < 256; b++) if (node.set[b] && (allowed === null || allowed[b] === 1)) members++;
      if (members === 0) return NEVER;
      // Both cases of a letter count twice: a class of up to twice the limit may fold to it.
      if (members > 2 * MAX_CLASS_CONDITION) return ANYTHING;
      const exact = new Set<string>();
      for (let b = 0; b < 256; b++) if (node.set[b] && (allowed === null || allowed[b] === 1)) exact.add(fold(b));
      if (exact.size > MAX_CLASS_CONDITION) return ANYTHING;
      if (node.icase) for (const e of exact) if (e.charCodeAt(0) >= 0x80) return ANYTHING;
      if (exact.size <= MAX_CLASS_EXACT) return { exact, other: false };
      return { exact: NONE, other: fromExact(exact) };
    }
    case "group":
      return analyze(node.body, allowed);
    case "repeat": {
      const body = analyze(node.body, allowed);
      if (isNever(body)) return node.min === 0 ? EMPTY : NEVER;
      // `x?` of exact strings: them or nothing (keeps `traceroute6?` a pair of literals).
      if (node.min === 0 && node.max === 1 && body.other === false && !body.exact.has(""))
        return { exact: new Set(["", ...body.exact]), other: false };
      if (node.min === 0) return ANYTHING;
      if (node.min === 1 && node.max === 1) return body;
      // A few exact repetitions (`\.{2,3}`): every count's strings.
      if (body.other === false && node.max !== INFINITE && node.max <= 4) {
        let acc: Set<string> | null = new Set([""]);
        const all = new Set<string>();
        for (let k = 1; k <= node.max && acc; k++) {
          acc = cross(acc, body.exact);
          if (acc && k >= node.min) for (const a of acc) all.add(a);
        }
        if (acc && all.size <= MAX_EXACT) return { exact: all, other: false };
      }
      return { exact: NONE, other: cond(body) };
    }
    case "alt":
      return alternation(node.items.map((i) => analyze(i, allowed)));
    case "seq":
      return seqAfter(EMPTY.exact, node.items, allowed);
  }
}

/** Any of the branches: their exact strings while they stay few, else their conditions. */
function alternation(branches: readonly Info[]): Info {
  const infos = branches.filter((i) => !isNever(i));
  if (infos.length === 0) return NEVER;
  const exact = new Set<string>();
  for (const i of infos) for (const s of i.exact) exact.add(s);
  const others = infos.map((i) => i.other);
  if (exact.size <= MAX_EXACT) return { exact, other: or(others) };
  return { exact: NONE, other: or([fromExact(exact), ...others]) };
}

/**
 * What `prefix · node` can match: the exact strings before a node are pushed into it (into each
 * branch of an alternation, onto the first item of a sequence), so a keyword trie such as
 * `t(?:elnet|(?:ailf|mux)[\s,])` yields `telnet`, `tailf`, `tmux` rather than `t` and the rest apart.
 */
function after(prefix: ReadonlySet<string>, node: RegexNode, allowed: Uint8Array | null): Info {
  if (prefix.size === 1 && prefix.has("")) return analyze(node, allowed);
  switch (node.kind) {
    case "group":
      return after(prefix, node.body, allowed);
    case "alt":
      return alternation(node.items.map((i) => after(prefix, i, allowed)));
    case "seq":
      return seqAfter(prefix, node.items, allowed);
    case "repeat":
      if (node.min === 1 && node.max === 1) return after(prefix, node.body, allowed);
      return concat({ exact: prefix, other: false }, analyze(node, allowed));
    default:
      return concat({ exact: prefix, other: false }, analyze(node, allowed));
  }
}

/**
 * A sequence after `prefix`, left to right: the exact strings so far are pushed into the next
 * item; when none are left (after `.*`, or past the size limits) the condition so far is set
 * aside and a new run starts, so `.*grep` still yields "grep".
 */
function seqAfter(prefix: ReadonlySet<string>, items: readonly RegexNode[], allowed: Uint8Array | null): Info {
  const flushed: Prefilter[] = [];
  let run: Info = { exact: prefix, other: false };
  for (const item of items) {
    if (run.exact.size === 0) {
      flushed.push(run.other);
      run = analyze(item, allowed);
    } else if (run.other === false) run = after(run.exact, item, allowed);
    else {
      const y = after(run.exact, item, allowed);
      run = { exact: y.exact, other: or([y.other, and([run.other, cond(analyze(item, allowed))])]) };
    }
    if (isNever(run)) return NEVER;
  }
  return flushed.length === 0 ? run : { exact: NONE, other: and([...flushed, cond(run)]) };
}

/**
 * Bytes that evasion-tolerant patterns sprinkle as optional noise between the letters of a
 * keyword (CRS's command-injection lists read `c["'\)\[\\]*(?:\$[…]*)?a…t` for `cat`) and that
 * benign values rarely hold: shell and regex metacharacters. Read over values without them, such
 * a pattern is a plain keyword list with selective literals.
 */
const NOISE_BYTES = `"'()[]{}\\$\`|&;<>^*?!~`;
export const WITHOUT_NOISE: Uint8Array = (() => {
  const allowed = new Uint8Array(256).fill(1);
  for (const ch of NOISE_BYTES) allowed[ch.charCodeAt(0)] = 0;
  return allowed;
})();

/**
 * The necessary condition of a parsed pattern, simplified to stay cheap to evaluate. Two readings
 * are combined when the second is more selective: the pattern over any subject, and over subjects
 * without {@link NOISE_BYTES} — a subject then passes if it holds a noise byte or meets the second
 * reading's condition (both are necessary for a match, so their AND is too).
 */
export function prefilterOf(root: RegexNode): Prefilter {
  const full = simplify(cond(analyze(root, null)));
  // Already selective (under ~1 benign value in 50 passes): the second reading would not pay.
  if (score(full) >= 6) return full;
  const clean = simplify(cond(analyze(root, WITHOUT_NOISE)));
  if (score(clean) <= score(full)) return full;
  const noise: Prefilter[] = [...NOISE_BYTES].map((ch) => ({ kind: "lit", text: ch }));
  return and([full, or([...noise, clean])]);
}

/** AND keeps at most this many conditions; an OR of more than MAX_OR_BRANCHES becomes a literal set. */
const MAX_AND = 3;
const MAX_OR_BRANCHES = 32;

/**
 * A rough chance that a benign value meets a condition, to rank conditions: one byte by its
 * class (letters, digits and URL punctuation are everywhere, line breaks and shell punctuation
 * rare), a longer literal by its length; an OR by independent chances, an AND by its most
 * selective member (members are often correlated).
 */
export function chance(p: Prefilter): number {
  if (p === true) return 1;
  if (p === false) return 0;
  if (p.kind === "lit") {
    const t = p.text;
    let c = t.length === 1 ? byteChance(t.charCodeAt(0)) : t.length === 2 ? 0.05 : t.length === 3 ? 0.005 : 0.001;
    if (t.length > 1) for (let i = 0; i < t.length; i++) if (byteChance(t.charCodeAt(i)) < 0.05) c *= 0.1;
    return c;
  }
  if (p.kind === "and") return Math.min(...p.items.map(chance));
  let none = 1;
  for (const i of p.items) none *= 1 - chance(i);
  return 1 - none;
}

/** The chance that a benign value holds a byte (letters, digits, space and URL punctuation: often). */
function byteChance(c: number): number {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x20) return 0.3;
  if (COMMON_PUNCTUATION.includes(String.fromCharCode(c))) return 0.15;
  return c < 0x20 || c >= 0x7f ? 0.01 : 0.03;
}

const COMMON_PUNCTUATION = "-./_:,=@+%";

/** How selective a condition is: -log2 of its {@link chance} (0 for none, higher is better). */
export function score(p: Prefilter): number {
  return -Math.log2(Math.max(chance(p), 1e-9));
}

/**
 * Bounds a condition's size: an AND keeps its most selective conditions, a large OR is weakened
 * to a set of literals (each branch down to its most selective literal set). Weakening only drops
 * requirements, so the result is still a necessary condition.
 */
export function simplify(p: Prefilter): Prefilter {
  if (p === true || p === false || p.kind === "lit") return p;
  const items = p.items.map(simplify);
  if (p.kind === "and") {
    const kept = items
      .map((i, n) => [i, n] as const)
      .sort((a, b) => score(b[0]) - score(a[0]))
      .slice(0, MAX_AND)
      .sort((a, b) => a[1] - b[1])
      .map(([i]) => i);
    return and(kept);
  }
  if (items.length <= MAX_OR_BRANCHES) return or(items);
  return or(items.map(literalSet));
}

/** A literal or an OR of literals implied by `p`. */
function literalSet(p: Prefilter): Prefilter {
  if (p === true || p === false || p.kind === "lit") return p;
  if (p.kind === "or") return or(p.items.map(literalSet));
  let best: Prefilter = true;
  for (const i of p.items.map(literalSet)) if (score(i) > score(best)) best = i;
  return best;
}

/** A prefilter as text, for reports: `("union" & "select") | "sleep"`. */
export function describePrefilter(p: Prefilter): string {
  if (p === true) return "true";
  if (p === false) return "false";
  if (p.kind === "lit") return JSON.stringify(p.text);
  return `(${p.items.map(describePrefilter).join(p.kind === "and" ? " & " : " | ")})`;
}
