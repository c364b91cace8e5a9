import { type ByteSet, INFINITE, newSet, type RegexNode } from "./ast.js";

/** Why a pattern cannot run on a linear-time engine (or is not PCRE at all). */
export class RegexUnsupportedError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} at offset ${offset}`);
    this.name = "RegexUnsupportedError";
  }
}

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
  x: boolean;
}

/** Number of capturing groups seen, and the parse result. */
export interface ParsedRegex {
  readonly root: RegexNode;
  readonly groups: number;
  /** Constructs accepted with a linear-time approximation (possessive, atomic). */
  readonly approximations: readonly string[];
}

const DIGIT = rangeSet([[0x30, 0x39]]);
const WORD = rangeSet([
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x61, 0x7a],
  [0x5f, 0x5f],
]);
/** PCRE2's \s without UCP: HT, LF, VT, FF, CR and space. */
const SPACE = rangeSet([
  [0x09, 0x0d],
  [0x20, 0x20],
]);
/** \h: horizontal white space in non-UTF mode (HT, space, NBSP). */
const HSPACE = rangeSet([
  [0x09, 0x09],
  [0x20, 0x20],
  [0xa0, 0xa0],
]);
/** \v: vertical white space in non-UTF mode (LF, VT, FF, CR, NEL). */
const VSPACE = rangeSet([
  [0x0a, 0x0d],
  [0x85, 0x85],
]);
const POSIX: Record<string, ByteSet> = {
  alpha: rangeSet([
    [0x41, 0x5a],
    [0x61, 0x7a],
  ]),
  digit: DIGIT,
  alnum: rangeSet([
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ]),
  upper: rangeSet([[0x41, 0x5a]]),
  lower: rangeSet([[0x61, 0x7a]]),
  space: SPACE,
  blank: rangeSet([
    [0x09, 0x09],
    [0x20, 0x20],
  ]),
  punct: rangeSet([
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ]),
  xdigit: rangeSet([
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ]),
  word: WORD,
  cntrl: rangeSet([
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ]),
  print: rangeSet([[0x20, 0x7e]]),
  graph: rangeSet([[0x21, 0x7e]]),
  ascii: rangeSet([[0x00, 0x7f]]),
};

function rangeSet(ranges: ReadonlyArray<readonly [number, number]>): ByteSet {
  const s = newSet();
  for (const [a, b] of ranges) for (let c = a; c <= b; c++) s[c] = 1;
  return s;
}

function negate(set: ByteSet): ByteSet {
  const s = newSet();
  for (let c = 0; c < 256; c++) s[c] = set[c] ? 0 : 1;
  return s;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * Parses the PCRE dialect CRS writes (the subset RE2 can run, plus `\h`, `\v`, `\R`, `\Z`,
 * `\x{..}`, POSIX classes, scoped flags, and possessive quantifiers and atomic groups, which are
 * read as their greedy/non-atomic forms: on a boolean match the result is the same for every
 * CRS pattern, and the approximation is reported). Patterns are matched against bytes; flags
 * default to ModSecurity v3's `@rx` compilation: dot-all and multi-line.
 * @throws RegexUnsupportedError for look-around, back-references, recursion, `\G`, `\p{..}`
 *   (bytes, not Unicode) and other constructs no linear-time engine can run.
 */
export function parsePcre(pattern: string, initial: { i?: boolean; s?: boolean; m?: boolean } = {}): ParsedRegex {
  let pos = 0;
  let groups = 0;
  const approximations: string[] = [];
  const n = pattern.length;

  const fail = (reason: string, at = pos): never => {
    throw new RegexUnsupportedError(reason, at);
  };

  function parseAlt(flags: Flags): RegexNode {
    const branches: RegexNode[] = [parseSeq(flags)];
    while (pattern[pos] === "|") {
      pos++;
      branches.push(parseSeq(flags));
    }
    return branches.length === 1 ? branches[0]! : { kind: "alt", items: branches };
  }

  function parseSeq(flags: Flags): RegexNode {
    const items: RegexNode[] = [];
    while (pos < n && pattern[pos] !== "|" && pattern[pos] !== ")") {
      const atom = parseAtom(flags, items);
      if (atom === null) continue;
      items.push(parseQuantifier(atom));
    }
    if (items.length === 0) return { kind: "empty" };
    return items.length === 1 ? items[0]! : { kind: "seq", items };
  }

  function parseQuantifier(atom: RegexNode): RegexNode {
    let node = atom;
    for (;;) {
      const c = pattern[pos];
      let min: number;
      let max: number;
      if (c === "*") {
        min = 0;
        max = INFINITE;
        pos++;
      } else if (c === "+") {
        min = 1;
        max = INFINITE;
        pos++;
      } else if (c === "?") {
        min = 0;
        max = 1;
        pos++;
      } else if (c === "{") {
        const m = /^\{(\d*)(?:(,)(\d*))?\}/.exec(pattern.slice(pos, pos + 24));
        if (!m || (m[1] === "" && (m[2] === undefined || m[3] === ""))) return node; // a literal {
        if (m[1] === "") return node; // PCRE2 before 10.43 reads {,n} as literal text
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === "" ? INFINITE : Number(m[3]);
        if (min > 1000 || max > 1000) fail("repetition count over 1000");
        if (max !== INFINITE && max < min) fail("repetition {n,m} with m < n");
        pos += m[0].length;
      } else return node;
      if (node.kind === "assert" || node.kind === "empty") fail("quantifier after an assertion");
      let lazy = false;
      if (pattern[pos] === "?") {
        lazy = true;
        pos++;
      } else if (pattern[pos] === "+") {
        approximations.push(`possessive quantifier at offset ${pos}`);
        pos++;
      }
      node = { kind: "repeat", body: node, min, max, lazy };
    }
  }

  function literal(code: number, flags: Flags): RegexNode {
    return { kind: "char", code, fold: flags.i && isAsciiLetter(code), icase: flags.i };
  }

  function parseAtom(flags: Flags, items: RegexNode[]): RegexNode | null {
    const c = pattern[pos]!;
    if (flags.x && (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v")) {
      pos++;
      return null;
    }
    if (flags.x && c === "#") {
      while (pos < n && pattern[pos] !== "\n") pos++;
      return null;
    }
    switch (c) {
      case "(":
        return parseGroup(flags, items);
      case "[":
        return { kind: "class", set: parseClass(flags), icase: flags.i };
      case ".": {
        pos++;
        const set = newSet().fill(1);
        if (!flags.s) set[0x0a] = 0;
        return { kind: "class", set };
      }
      case "^":
        pos++;
        return { kind: "assert", what: flags.m ? "bol" : "begin" };
      case "$":
        pos++;
        return { kind: "assert", what: flags.m ? "eol" : "endnl" };
      case "\\":
        return parseEscape(flags);
      case "*":
      case "+":
      case "?":
        return fail("quantifier with nothing to repeat");
      default: {
        pos++;
        const code = c.charCodeAt(0);
        if (code > 0xff) fail("a character above \\xff: patterns match bytes");
        return literal(code, flags);
      }
    }
  }

  function parseGroup(flags: Flags, items: RegexNode[]): RegexNode | null {
    const start = pos;
    pos++; // (
    if (pattern[pos] !== "?") {
      groups++;
      const body = parseAlt({ ...flags });
      expectClose(start);
      return { kind: "group", capture: true, body };
    }
    pos++; // ?
    const c = pattern[pos];
    if (c === ":") {
      pos++;
      const body = parseAlt({ ...flags });
      expectClose(start);
      return { kind: "group", capture: false, body };
    }
    if (c === ">") {
      approximations.push(`atomic group at offset ${start}`);
      pos++;
      const body = parseAlt({ ...flags });
      expectClose(start);
      return { kind: "group", capture: false, body };
    }
    if (c === "=" || c === "!") fail("look-ahead", start);
    if (c === "<" && (pattern[pos + 1] === "=" || pattern[pos + 1] === "!")) fail("look-behind", start);
    if (c === "#") {
      const end = pattern.indexOf(")", pos);
      if (end < 0) fail("unterminated comment", start);
      pos = end + 1;
      return null;
    }
    if (c === "<" || c === "'" || (c === "P" && pattern[pos + 1] === "<")) {
      const m = /^(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/.exec(pattern.slice(pos, pos + 40));
      if (!m) fail("bad named group", start);
      pos += m![0].length;
      groups++;
      const body = parseAlt({ ...flags });
      expectClose(start);
      return { kind: "group", capture: true, body };
    }
    // Flags: (?i) (?is) (?-i) (?i:...) (?i-s:...)
    const m = /^([imsx]*)(?:-([imsx]*))?([:)])/.exec(pattern.slice(pos, pos + 16));
    if (!m) return fail(`unsupported group (?${c ?? ""}`, start);
    const next: Flags = { ...flags };
    for (const f of m[1]!) next[f as keyof Flags] = true;
    for (const f of m[2] ?? "") next[f as keyof Flags] = false;
    pos += m[0].length;
    if (m[3] === ")") {
      // Applies to the rest of the enclosing group.
      Object.assign(flags, next);
      void items;
      return null;
    }
    const body = parseAlt(next);
    expectClose(start);
    return { kind: "group", capture: false, body };
  }

  function expectClose(start: number): void {
    if (pattern[pos] !== ")") fail("unterminated group", start);
    pos++;
  }

  /** Reads an escape that stands for one byte; returns null if the escape is something else. */
  function escapedByte(): number | null {
    const c = pattern[pos + 1];
    if (c === undefined) return fail("trailing backslash");
    switch (c) {
      case "n":
        pos += 2;
        return 0x0a;
      case "r":
        pos += 2;
        return 0x0d;
      case "t":
        pos += 2;
        return 0x09;
      case "f":
        pos += 2;
        return 0x0c;
      case "a":
        pos += 2;
        return 0x07;
      case "e":
        pos += 2;
        return 0x1b;
      case "x": {
        if (pattern[pos + 2] === "{") {
          const end = pattern.indexOf("}", pos + 3);
          const hex = end < 0 ? "" : pattern.slice(pos + 3, end);
          if (!/^[0-9A-Fa-f]{1,8}$/.test(hex)) fail("bad \\x{..} escape");
          const v = Number.parseInt(hex, 16);
          if (v > 0xff) fail("\\x{..} above ff: patterns match bytes");
          pos = end + 1;
          return v;
        }
        const m = /^[0-9A-Fa-f]{1,2}/.exec(pattern.slice(pos + 2, pos + 4));
        pos += 2 + (m ? m[0].length : 0);
        return m ? Number.parseInt(m[0], 16) : 0;
      }
      case "c": {
        const x = pattern[pos + 2];
        if (x === undefined) fail("\\c at end");
        pos += 3;
        return x!.toUpperCase().charCodeAt(0) ^ 0x40;
      }
      case "0": {
        const m = /^[0-7]{1,3}/.exec(pattern.slice(pos + 1, pos + 4))!;
        pos += 1 + m[0].length;
        return Number.parseInt(m[0], 8) & 0xff;
      }
      default: {
        if (/[A-Za-z0-9]/.test(c)) return null;
        pos += 2;
        return c.charCodeAt(0);
      }
    }
  }

  /** A class escape (\d \w \s \h \v and negations) as a set, or null. */
  function classEscape(c: string): ByteSet | null {
    switch (c) {
      case "d":
        return DIGIT;
      case "D":
        return negate(DIGIT);
      case "w":
        return WORD;
      case "W":
        return negate(WORD);
      case "s":
        return SPACE;
      case "S":
        return negate(SPACE);
      case "h":
        return HSPACE;
      case "H":
        return negate(HSPACE);
      case "v":
        return VSPACE;
      case "V":
        return negate(VSPACE);
      default:
        return null;
    }
  }

  function parseEscape(flags: Flags): RegexNode {
    const c = pattern[pos + 1];
    if (c === undefined) return fail("trailing backslash");
    const set = classEscape(c);
    if (set) {
      pos += 2;
      return { kind: "class", set };
    }
    switch (c) {
      case "b":
        pos += 2;
        return { kind: "assert", what: "word" };
      case "B":
        pos += 2;
        return { kind: "assert", what: "nonword" };
      case "A":
        pos += 2;
        return { kind: "assert", what: "begin" };
      case "z":
        pos += 2;
        return { kind: "assert", what: "end" };
      case "Z":
        pos += 2;
        return { kind: "assert", what: "endnl" };
      case "R": {
        pos += 2;
        // (?:\r\n|[\n\v\f\r\x85])
        return {
          kind: "alt",
          items: [
            {
              kind: "seq",
              items: [
                { kind: "char", code: 0x0d, fold: false },
                { kind: "char", code: 0x0a, fold: false },
              ],
            },
            { kind: "class", set: VSPACE },
          ],
        };
      }
      case "Q": {
        const end = pattern.indexOf("\\E", pos + 2);
        const text = pattern.slice(pos + 2, end < 0 ? n : end);
        pos = end < 0 ? n : end + 2;
        const items = [...text].map((ch) => literal(ch.charCodeAt(0), flags));
        return items.length === 1 ? items[0]! : { kind: "seq", items };
      }
      case "E":
        pos += 2;
        return { kind: "empty" };
      case "G":
        return fail("\\G");
      case "p":
      case "P":
      case "X":
        return fail(`\\${c}: Unicode properties do not apply to bytes`);
      case "k":
      case "g":
        return fail("back-reference");
      default:
        if (/[1-9]/.test(c)) return fail("back-reference");
    }
    const b = escapedByte();
    if (b === null) return fail(`unknown escape \\${c}`);
    return literal(b, flags);
  }

  function parseClass(flags: Flags): ByteSet {
    const start = pos;
    pos++; // [
    let negated = false;
    if (pattern[pos] === "^") {
      negated = true;
      pos++;
    }
    const set = newSet();
    let first = true;
    for (;;) {
      if (pos >= n) fail("unterminated character class", start);
      const c = pattern[pos]!;
      if (c === "]" && !first) {
        pos++;
        break;
      }
      first = false;
      if (c === "[" && pattern[pos + 1] === ":") {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(pos, pos + 16));
        if (m && POSIX[m[2]!]) {
          const p = m[1] === "^" ? negate(POSIX[m[2]!]!) : POSIX[m[2]!]!;
          for (let b = 0; b < 256; b++) if (p[b]) set[b] = 1;
          pos += m[0].length;
          continue;
        }
      }
      let lo: number;
      if (c === "\\") {
        const esc = pattern[pos + 1];
        const cls = esc === undefined ? null : classEscape(esc);
        if (cls) {
          for (let b = 0; b < 256; b++) if (cls[b]) set[b] = 1;
          pos += 2;
          continue;
        }
        if (esc === "b") {
          pos += 2;
          lo = 0x08;
        } else {
          const b = escapedByte();
          if (b === null) return fail(`unknown escape \\${esc} in a class`);
          lo = b;
        }
      } else {
        lo = c.charCodeAt(0);
        if (lo > 0xff) fail("a character above \\xff: patterns match bytes");
        pos++;
      }
      let hi = lo;
      if (pattern[pos] === "-" && pattern[pos + 1] !== "]" && pos + 1 < n) {
        const save = pos;
        pos++;
        const d = pattern[pos]!;
        if (d === "\\") {
          const esc = pattern[pos + 1];
          if (esc !== undefined && classEscape(esc)) {
            // [a-\d]: the dash is literal.
            pos = save;
          } else {
            const b = escapedByte();
            if (b === null) return fail(`unknown escape \\${esc} in a class`);
            hi = b;
          }
        } else {
          hi = d.charCodeAt(0);
          if (hi > 0xff) fail("a character above \\xff: patterns match bytes");
          pos++;
        }
        if (hi < lo) fail("class range out of order");
      }
      for (let b = lo; b <= hi; b++) {
        set[b] = 1;
        if (flags.i && isAsciiLetter(b)) {
          set[b | 0x20] = 1;
          set[b & ~0x20] = 1;
        }
      }
    }
    return negated ? negate(set) : set;
  }

  const flags: Flags = { i: initial.i ?? false, s: initial.s ?? true, m: initial.m ?? true, x: false };
  const root = parseAlt(flags);
  if (pos < n) fail("unbalanced )");
  return { root, groups, approximations };
}
